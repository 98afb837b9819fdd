/**
 * put / get end to end on the in-memory network: the real lookup, write
 * fan-out and first-copy read, with replicas down and a lying replica.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { kindNumber } from '../../../src/store/item-store.ts'
import { MAX_VALUE_BYTES } from '../../../src/constants.ts'
import { waitFor } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3

describe('unit: hash items on the in-memory network', () => {
  let net: MemoryNetwork
  const holds = (node: Toyrrent, key: Uint8Array): boolean => node[internals].store.has(key)

  before(async () => { net = await createMemoryNetwork(16) })
  after(async () => { await net?.stop() })

  it('put on one node, get from every node', async () => {
    const values = Array.from({ length: 5 }, () => new Uint8Array(randomBytes(200)))
    const keys = await Promise.all(values.map(async (v, i) => (await net.nodes[i].put(v)).key))
    for (const node of net.nodes) {
      for (let i = 0; i < keys.length; i++) expect(await node.get(keys[i])).to.deep.equal(values[i])
    }
  })

  it('a put lands on the R nodes nearest to the key, W of them before it resolves', async () => {
    const writer = net.nodes[2]
    const { key, stored } = await writer.put(new Uint8Array(randomBytes(100)))
    const replicaSet = net.nearest(key, R)
    expect(stored.length).to.be.at.least(2)
    expect(stored.every(id => replicaSet.some(n => net.peerId(n).equals(id)))).to.equal(true)
    await waitFor('every replica to hold the item', () => replicaSet.every(n => holds(n, key)), 2000)
    // elsewhere only the writer keeps it (pinned: its user's data)
    const others = net.nodes.filter(n => !replicaSet.includes(n) && n !== writer)
    expect(others.filter(n => holds(n, key))).to.deep.equal([])
    expect(writer[internals].store.meta(key)?.pinned).to.equal(true)
  })

  it('a replica serving wrong bytes is skipped: the reader returns the value that hashes right', async () => {
    const value = new Uint8Array(randomBytes(64))
    const { key } = await net.nodes[1].put(value)
    const replicaSet = net.nearest(key, R)
    await waitFor('every replica to hold the item', () => replicaSet.every(n => holds(n, key)), 2000)
    // the nearest replica's copy is corrupted in place (behind the acceptor's back)
    await replicaSet[0][internals].store.put(key, { kind: kindNumber('hash'), body: new Uint8Array(randomBytes(64)), pinned: false, expiresAt: BigInt(Date.now() + 3600_000), storedAt: BigInt(Date.now()), seq: 0n })
    const readers = net.nodes.filter(n => !replicaSet.includes(n) && n !== net.nodes[1])
    for (const reader of readers.slice(0, 4)) expect(await reader.get(key)).to.deep.equal(value)
  })

  it('a key nobody stored is NotFoundError, once enough peers answered', async () => {
    const err = await net.nodes[4].get(hashItemKey(new Uint8Array(randomBytes(16)))).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('NotFoundError')
  })

  it('a value over 64 KiB is refused before anything is sent', async () => {
    const before = net.stats.exchanges
    const err = await net.nodes[0].put(new Uint8Array(MAX_VALUE_BYTES + 1)).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('TooLargeError')
    expect(net.stats.exchanges).to.equal(before)
  })

  // last: the readers drop the down replicas from their tables, which the tests above must not see
  it('with a replica down, and then two, every node still gets the value', async () => {
    const value = new Uint8Array(randomBytes(300))
    const { key } = await net.nodes[0].put(value)
    const replicaSet = net.nearest(key, R)
    await waitFor('every replica to hold the item', () => replicaSet.every(n => holds(n, key)), 2000)
    try {
      net.down(replicaSet[0])
      for (const node of net.nodes.filter(n => n !== replicaSet[0])) expect(await node.get(key)).to.deep.equal(value)
      net.down(replicaSet[1])
      for (const node of net.nodes.filter(n => !replicaSet.slice(0, 2).includes(n))) expect(await node.get(key)).to.deep.equal(value)
    } finally {
      net.up(replicaSet[0])
      net.up(replicaSet[1])
    }
  })
})
