/**
 * The add's per-block bookkeeping in typed arrays (src/files/key-table.ts):
 * the same answers as a Map of hex keys through inserts, updates, deletions
 * (backward shift) and resizes, and a fraction of the heap.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { KeyTable } from '../../../src/files/key-table.ts'

const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex')

describe('unit: files key table', () => {
  it('agrees with a Map through 20,000 random sets, updates and deletes', () => {
    const table = new KeyTable()
    const model = new Map<string, number>()
    const keys: Uint8Array[] = []
    for (let i = 0; i < 2000; i++) keys.push(randomBytes(32))
    for (let step = 0; step < 20_000; step++) {
      const key = keys[Math.floor(Math.random() * keys.length)]
      if (Math.random() < 0.35) {
        expect(table.delete(key)).to.equal(model.delete(hex(key)))
      } else {
        const value = Math.floor(Math.random() * 1000)
        table.set(key, value)
        model.set(hex(key), value)
      }
    }
    expect(table.size).to.equal(model.size)
    for (const key of keys) expect(table.get(key)).to.equal(model.get(hex(key)))
    const listed = new Map([...table.entries()].map(([k, v]) => [hex(k), v]))
    expect(listed).to.deep.equal(model)
  })

  it('finds keys that share their first bytes, and refuses keys that are not 32 bytes', () => {
    const table = new KeyTable()
    const base = createHash('sha256').update('x').digest()
    const near = Uint8Array.from(base)
    near[31] ^= 1
    table.set(base, 1)
    table.set(near, 2)
    expect(table.get(base)).to.equal(1)
    expect(table.get(near)).to.equal(2)
    expect(table.has(new Uint8Array(31))).to.equal(false)
    expect(() => { table.set(new Uint8Array(31), 1) }).to.throw(RangeError)
  })

  it('copies the keys it keeps (a caller may reuse its buffer)', () => {
    const table = new KeyTable()
    const key = new Uint8Array(32).fill(5)
    table.set(key, 9)
    key.fill(6)
    expect(table.get(new Uint8Array(32).fill(5))).to.equal(9)
    expect(table.has(key)).to.equal(false)
  })
})
