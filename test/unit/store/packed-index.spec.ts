/**
 * PackedIndex against a Map as the model: random adds, replacements and
 * removals (enough for long probe runs and many moved slots), growth and
 * shrinking, what it refuses, and that what it hands out is a copy. Then the
 * ItemStore over it: wrong-length keys refused before anything is written,
 * the byte count on replacement, and a reopen rebuilding the same index.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { PackedIndex, INDEX_KEY_BYTES } from '../../../src/store/packed-index.ts'
import type { PackedMeta } from '../../../src/store/packed-index.ts'
import { ItemStore } from '../../../src/store/item-store.ts'
import { hexKey } from '../../../src/bytes.ts'
import type { ItemKind } from '../../../src/records/item.ts'

/** A small deterministic generator, so a failure can be replayed. */
function rng (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 0x100000000
  }
}

function randomKey (next: () => number): Uint8Array {
  const key = new Uint8Array(INDEX_KEY_BYTES)
  for (let i = 0; i < key.length; i++) key[i] = Math.floor(next() * 256)
  return key
}

const KINDS: ItemKind[] = ['hash', 'publish', 'routing']

function randomMeta (key: Uint8Array, next: () => number): PackedMeta {
  return {
    key,
    kind: KINDS[Math.floor(next() * 3)],
    seq: BigInt(Math.floor(next() * 1e9)) * 4294967296n + BigInt(Math.floor(next() * 1e9)),
    pinned: next() < 0.5,
    expiresAt: next() < 0.2 ? 0n : BigInt(1_700_000_000_000 + Math.floor(next() * 1e9)),
    bytes: Math.floor(next() * 70_000)
  }
}

function plain (meta: PackedMeta | undefined): unknown {
  return meta == null ? undefined : { ...meta, key: hexKey(meta.key) }
}

function expectSame (index: PackedIndex, model: Map<string, PackedMeta>, gone: Uint8Array[]): void {
  expect(index.size).to.equal(model.size)
  for (const meta of model.values()) {
    expect(index.has(meta.key)).to.equal(true)
    expect(plain(index.get(meta.key))).to.deep.equal(plain(meta))
  }
  for (const key of gone) if (!model.has(hexKey(key))) expect(index.has(key)).to.equal(false)
  const listed = [...index.values()].map(plain).sort((a: any, b: any) => a.key < b.key ? -1 : 1)
  const expected = [...model.values()].map(plain).sort((a: any, b: any) => a.key < b.key ? -1 : 1)
  expect(listed).to.deep.equal(expected)
}

describe('store: packed item index', () => {
  it('agrees with a Map through 20,000 random adds, replacements and removals', () => {
    const next = rng(7)
    const index = new PackedIndex()
    const model = new Map<string, PackedMeta>()
    const keys: Uint8Array[] = []
    for (let step = 0; step < 20_000; step++) {
      const r = next()
      if (r < 0.55 || keys.length === 0) {
        const key = randomKey(next)
        keys.push(key)
        const meta = randomMeta(key, next)
        expect(index.set(meta)).to.equal(undefined)
        model.set(hexKey(key), meta)
      } else if (r < 0.75) {
        const key = keys[Math.floor(next() * keys.length)]
        const meta = randomMeta(key, next)
        expect(plain(index.set(meta))).to.deep.equal(plain(model.get(hexKey(key))))
        model.set(hexKey(key), meta)
      } else {
        const key = keys[Math.floor(next() * keys.length)]
        expect(plain(index.delete(key))).to.deep.equal(plain(model.get(hexKey(key))))
        model.delete(hexKey(key))
      }
      if (step % 5000 === 4999) expectSame(index, model, keys)
    }
    expectSame(index, model, keys)
  })

  it('grows past many doublings at under 160 bytes an item, and gives the memory back when emptied', () => {
    const next = rng(11)
    const index = new PackedIndex()
    const empty = index.footprint
    const keys = Array.from({ length: 16_384 }, () => randomKey(next))
    for (const key of keys) index.set(randomMeta(key, next))
    expect(index.size).to.equal(16_384)
    expect(index.footprint / 16_384).to.be.below(160)
    for (const key of keys) expect(index.has(key)).to.equal(true)
    for (const key of keys.slice(0, 16_000)) index.delete(key)
    expect(index.size).to.equal(384)
    expect(index.footprint).to.be.below(384 * 4 * 160)
    for (const key of keys.slice(16_000)) expect(index.has(key)).to.equal(true)
    for (const key of keys.slice(0, 16_000)) expect(index.has(key)).to.equal(false)
    index.clear()
    expect(index.size).to.equal(0)
    expect(index.footprint).to.equal(empty)
    expect(index.has(keys[16_100])).to.equal(false)
  })

  it('keeps seq and expiry over the whole uint64 range', () => {
    const index = new PackedIndex()
    const key = new Uint8Array(INDEX_KEY_BYTES).fill(9)
    index.set({ key, kind: 'publish', seq: 2n ** 64n - 1n, pinned: false, expiresAt: 2n ** 63n + 5n, bytes: 1 })
    expect(index.get(key)?.seq).to.equal(2n ** 64n - 1n)
    expect(index.get(key)?.expiresAt).to.equal(2n ** 63n + 5n)
  })

  it('refuses keys of another length, and never finds one', () => {
    const index = new PackedIndex()
    expect(() => index.set({ key: new Uint8Array(31), kind: 'hash', seq: 0n, pinned: false, expiresAt: 0n, bytes: 1 })).to.throw(RangeError)
    expect(() => index.set({ key: new Uint8Array(32), kind: 'nope' as ItemKind, seq: 0n, pinned: false, expiresAt: 0n, bytes: 1 })).to.throw(RangeError)
    expect(index.size).to.equal(0)
    expect(index.has(new Uint8Array(33))).to.equal(false)
    expect(index.delete(new Uint8Array(8))).to.equal(undefined)
  })

  it('hands out copies: changing a returned key or the key it was given changes nothing inside', () => {
    const index = new PackedIndex()
    const key = new Uint8Array(INDEX_KEY_BYTES).fill(1)
    index.set({ key, kind: 'hash', seq: 0n, pinned: true, expiresAt: 0n, bytes: 10 })
    key.fill(2)
    const original = new Uint8Array(INDEX_KEY_BYTES).fill(1)
    expect(index.has(original)).to.equal(true)
    expect(index.has(key)).to.equal(false)
    const got = index.get(original) as PackedMeta
    got.key.fill(3)
    expect([...index.values()][0].key).to.deep.equal(original)
  })

  it('finds a key given as a view into a larger buffer', () => {
    const index = new PackedIndex()
    const buffer = new Uint8Array(100).fill(5)
    const view = buffer.subarray(10, 10 + INDEX_KEY_BYTES)
    index.set({ key: view, kind: 'routing', seq: 3n, pinned: false, expiresAt: 9n, bytes: 7 })
    expect(index.get(new Uint8Array(INDEX_KEY_BYTES).fill(5))?.kind).to.equal('routing')
  })
})

describe('store: ItemStore over the packed index', () => {
  const item = (n: number): { kind: number, body: Uint8Array<ArrayBuffer>, expiresAt: bigint, pinned: boolean, storedAt: bigint, seq: bigint } =>
    ({ kind: 0, body: new Uint8Array(n).fill(n), expiresAt: 0n, pinned: n % 2 === 0, storedAt: 1n, seq: 0n })
  const key = (n: number): Uint8Array => new Uint8Array(INDEX_KEY_BYTES).fill(n)

  it('refuses a key of another length before writing anything', async () => {
    const datastore = new MemoryDatastore()
    const store = new ItemStore(datastore)
    await store.open()
    const before = store.version
    const refused = await store.put(new Uint8Array(20), item(1)).then(() => undefined, (err: Error) => err)
    expect(refused).to.be.instanceOf(RangeError)
    expect(store.size).to.equal(0)
    expect(store.version).to.equal(before)
    let stored = 0
    for await (const _ of datastore.query({})) stored++
    expect(stored).to.equal(0)
  })

  it('counts bytes through replacement and removal, and a reopen rebuilds the same index', async () => {
    const datastore = new MemoryDatastore()
    const store = new ItemStore(datastore)
    await store.open()
    for (let n = 1; n <= 50; n++) await store.put(key(n), item(n))
    await store.put(key(3), item(100))
    await store.delete(key(4))
    const sizes = [...store.metas()].reduce((sum, m) => sum + m.bytes, 0)
    expect(store.size).to.equal(49)
    expect(store.bytes).to.equal(sizes)
    expect(store.meta(key(3))?.bytes).to.be.above(100)
    expect(store.meta(key(4))).to.equal(undefined)
    expect(store.has(key(6))).to.equal(true)
    expect(store.meta(key(6))?.pinned).to.equal(true)

    const reopened = new ItemStore(datastore)
    await reopened.open()
    expect(reopened.size).to.equal(49)
    expect(reopened.bytes).to.equal(store.bytes)
    const byKey = (metas: Iterable<{ key: Uint8Array }>): unknown[] => [...metas].map(m => ({ ...m, key: hexKey(m.key) })).sort((a, b) => a.key < b.key ? -1 : 1)
    expect(byKey(reopened.metas())).to.deep.equal(byKey(store.metas()))
    expect((await reopened.get(key(3)))?.body.byteLength).to.equal(100)
  })
})
