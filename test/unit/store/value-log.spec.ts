/**
 * The value log (src/store/value-log.ts) under an ItemStore, on real files
 * in a temporary directory: bodies out of the datastore's records, removal
 * and replacement, compaction (every live record kept, the file deleted),
 * live counts rebuilt on open, torn and garbled records and a missing segment
 * (their items dropped),
 * records written inline before the log, and compaction racing replaces,
 * removals and reads of the same items (a datastore that answers after
 * random delays, so the interleavings vary); an item stored again with the
 * same bytes through the acceptor keeps its one body.
 */
import { expect } from 'chai'
import { mkdtemp, open, readdir, rm, truncate, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { ItemStore, StoredItem } from '../../../src/store/item-store.ts'
import type { StoredItemInit } from '../../../src/store/item-store.ts'
import { ValueLog, ValueLogError } from '../../../src/store/value-log.ts'
import { ItemAcceptor } from '../../../src/store/accept.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { createPublishRecord, encodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import type { Item } from '../../../src/records/item.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MAX_RECORD_BODY_BYTES, RECORD_HEADER_BYTES } from '../../../src/store/log-record.ts'
import { waitFor } from '../helpers.ts'
import type { Datastore } from 'interface-datastore'

/** The smallest segment allowed: one largest record. Bodies of 10 KiB: 8 a segment. */
const SEGMENT = RECORD_HEADER_BYTES + MAX_RECORD_BODY_BYTES
const BODY = 10_000
const RECORD = RECORD_HEADER_BYTES + BODY

function keyOf (n: number): Uint8Array {
  const key = new Uint8Array(32)
  new DataView(key.buffer).setUint32(0, n + 1)
  return key
}

function bodyOf (n: number, version = 0, size = BODY): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(size)
  for (let i = 0; i < size; i++) body[i] = (n * 31 + version * 7 + i) & 0xff
  return body
}

function fields (body: Uint8Array<ArrayBuffer>): StoredItemInit {
  return { kind: 0, body, expiresAt: 0n, pinned: true, storedAt: 1n, seq: 0n }
}

/** A datastore whose answers come after 0–2 ms, so concurrent work interleaves differently each run. */
function slow (inner: Datastore): Datastore {
  const later = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, Math.random() * 2)) }
  return new Proxy(inner, {
    get (target, name) {
      const value = (target as any)[name]
      if (name !== 'get' && name !== 'put' && name !== 'delete') return typeof value === 'function' ? value.bind(target) : value
      return async (...args: unknown[]) => { await later(); const result = await value.apply(target, args); await later(); return result }
    }
  })
}

describe('value log', () => {
  let dir: string
  let stores: ItemStore[]

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toyrrent-values-'))
    stores = []
  })
  afterEach(async () => {
    await Promise.allSettled(stores.map(async s => s.close()))
    await rm(dir, { recursive: true, force: true })
  })

  async function storeOn (datastore: Datastore, init: { valueLogDir?: string } = { valueLogDir: dir }): Promise<ItemStore> {
    const store = new ItemStore(datastore, { ...init, valueLog: { segmentBytes: SEGMENT } })
    stores.push(store)
    await store.open()
    return store
  }

  async function segmentFiles (): Promise<string[]> {
    return (await readdir(dir)).filter(n => n.endsWith('.log')).sort()
  }

  /** Each segment's live bytes as the pointers in the index say. */
  function liveFromPointers (store: ItemStore): Map<number, number> {
    const live = new Map<number, number>()
    for (const meta of store.metas()) {
      if (meta.at != null) live.set(meta.at.segment, (live.get(meta.at.segment) ?? 0) + RECORD_HEADER_BYTES + meta.at.length)
    }
    return live
  }

  function expectLiveMatchesPointers (store: ItemStore): void {
    const log = store.valueLog!
    const fromPointers = liveFromPointers(store)
    for (const id of log.segmentIds()) expect(log.stats(id)?.live, `segment ${id}`).to.equal(fromPointers.get(id) ?? 0)
    for (const id of fromPointers.keys()) expect(log.stats(id), `segment ${id} a pointer leads to`).to.not.equal(undefined)
  }

  it('keeps bodies in segment files and only metadata in the datastore; reads them back', async () => {
    const datastore = new MemoryDatastore()
    const store = await storeOn(datastore)
    for (let n = 0; n < 20; n++) await store.put(keyOf(n), fields(bodyOf(n)))
    for (let n = 0; n < 20; n++) expect((await store.get(keyOf(n)))?.body).to.deep.equal(bodyOf(n))
    // 8 records of 10 KiB fit a segment: 20 bodies take 3
    expect(await segmentFiles()).to.deep.equal(['000001.log', '000002.log', '000003.log'])
    for await (const { value } of datastore.query({ prefix: '/toyrrent/items/' })) {
      const record = StoredItem.decode(value)
      expect(record.body.byteLength).to.equal(0)
      expect(record.bodyAt?.length).to.equal(BODY)
      expect(value.byteLength).to.be.below(100)
    }
    expect(store.bytes).to.be.above(20 * BODY).and.below(20 * (BODY + 100))
    expectLiveMatchesPointers(store)
  })

  it('reads from more segments than it keeps handles open for, in parallel', async () => {
    const store = new ItemStore(new MemoryDatastore(), { valueLogDir: dir, valueLog: { segmentBytes: SEGMENT, maxOpenHandles: 2 } })
    stores.push(store)
    await store.open()
    for (let n = 0; n < 40; n++) await store.put(keyOf(n), fields(bodyOf(n)))
    expect(store.valueLog!.segmentIds()).to.have.length(5)
    const bodies = await Promise.all(Array.from({ length: 40 }, async (_, n) => (await store.get(keyOf(n)))?.body))
    bodies.forEach((body, n) => { expect(body, `item ${n}`).to.deep.equal(bodyOf(n)) })
  })

  it('removal and replacement release the old record; the reads give the new body or nothing', async () => {
    const store = await storeOn(new MemoryDatastore())
    for (let n = 0; n < 4; n++) await store.put(keyOf(n), fields(bodyOf(n)))
    await store.delete(keyOf(0))
    await store.put(keyOf(1), fields(bodyOf(1, 1, 500)))
    expect(await store.get(keyOf(0))).to.equal(undefined)
    expect((await store.get(keyOf(1)))?.body).to.deep.equal(bodyOf(1, 1, 500))
    expect((await store.get(keyOf(2)))?.body).to.deep.equal(bodyOf(2))
    expect(store.valueLog!.totals().live).to.equal(2 * RECORD + RECORD_HEADER_BYTES + 500)
    expectLiveMatchesPointers(store)
  })

  it('a record given back as get() read it keeps its body where it is (pin rm rewrites no body)', async () => {
    const store = await storeOn(new MemoryDatastore())
    await store.put(keyOf(0), fields(bodyOf(0)))
    const before = store.valueLog!.totals()
    const held = (await store.get(keyOf(0)))!
    await store.put(keyOf(0), { ...held, pinned: false, expiresAt: 5n })
    expect(store.valueLog!.totals()).to.deep.equal(before)
    expect(store.meta(keyOf(0))?.pinned).to.equal(false)
    expect((await store.get(keyOf(0)))?.body).to.deep.equal(bodyOf(0))
  })

  it('an item stored again with the same bytes (a repair, a second writer) writes no second body; other bytes do', async () => {
    const store = await storeOn(new MemoryDatastore())
    const acceptor = new ItemAcceptor(store, { defaultTtl: 3600_000, maxStorageBytes: 1024 ** 3 })
    const body = bodyOf(1)
    const item = { kind: 'hash' as const, key: hashItemKey(body), body, ttlSeconds: 0 }
    expect(await acceptor.accept(item)).to.deep.equal({})
    const once = store.valueLog!.totals()
    expect(await acceptor.accept({ ...item, ttlSeconds: 7200 })).to.deep.equal({})
    expect(store.valueLog!.totals()).to.deep.equal(once)
    expect((await store.get(item.key))?.body).to.deep.equal(body)

    const owner = await generateKeyPair('Ed25519')
    const publish = async (seq: bigint): Promise<Item> => {
      const record = await createPublishRecord({ privateKey: owner, seq, value: bodyOf(2, Number(seq), 100) })
      return { kind: 'publish', key: publishId(record.publicKey, record.salt), body: encodePublishRecord(record), ttlSeconds: 0 }
    }
    const first = await publish(1n)
    expect((await acceptor.accept(first)).refused).to.equal(undefined)
    const published = store.valueLog!.totals()
    expect((await acceptor.accept(first)).refused).to.equal(undefined)
    expect(store.valueLog!.totals()).to.deep.equal(published)
    expect((await acceptor.accept(await publish(2n))).refused).to.equal(undefined)
    expect(store.valueLog!.totals()).to.not.deep.equal(published)
    expectLiveMatchesPointers(store)
  })

  it('compaction copies every live record out of a mostly dead segment and deletes the file', async () => {
    const store = await storeOn(new MemoryDatastore())
    for (let n = 0; n < 24; n++) await store.put(keyOf(n), fields(bodyOf(n)))
    expect(await segmentFiles()).to.have.length(3)
    // segment 1 holds items 0–7: 2 left; segment 2 holds 8–15: 4 left, under half of 80 KiB
    const deleted = [0, 2, 3, 4, 5, 7, 8, 9, 10, 11]
    for (const n of deleted) await store.delete(keyOf(n))
    await store.compactor!.idle()
    expect(await segmentFiles()).to.not.include('000001.log')
    expect(await segmentFiles()).to.not.include('000002.log')
    expect(store.compactor!.compacted).to.equal(2)
    for (let n = 0; n < 24; n++) {
      const gone = deleted.includes(n)
      expect((await store.get(keyOf(n)))?.body, `item ${n}`).to.deep.equal(gone ? undefined : bodyOf(n))
      if (!gone) expect(store.meta(keyOf(n))?.at?.segment, `item ${n}`).to.be.at.least(3)
    }
    expectLiveMatchesPointers(store)
  })

  it('a reopen counts the same live bytes from the pointers, and compacts what became garbage meanwhile', async () => {
    const datastore = new MemoryDatastore()
    const first = await storeOn(datastore)
    for (let n = 0; n < 16; n++) await first.put(keyOf(n), fields(bodyOf(n)))
    for (let n = 0; n < 16; n += 2) await first.put(keyOf(n), fields(bodyOf(n, 1)))
    await first.compactor!.idle()
    const live = first.valueLog!.totals().live
    const items = first.size
    await first.close()

    const second = new ItemStore(datastore, { valueLogDir: dir, valueLog: { segmentBytes: SEGMENT } })
    stores.push(second)
    await second.open()
    expect(second.valueLog!.totals().live).to.equal(live)
    expect(second.size).to.equal(items)
    await second.compactor!.idle()
    expectLiveMatchesPointers(second)
    // every segment left is the active one or over half live
    for (const id of second.valueLog!.segmentIds()) {
      const stats = second.valueLog!.stats(id)!
      if (stats.sealed) expect(stats.live * 2, `segment ${id}`).to.be.at.least(SEGMENT)
    }
    for (let n = 0; n < 16; n++) expect((await second.get(keyOf(n)))?.body).to.deep.equal(bodyOf(n, n % 2 === 0 ? 1 : 0))
  })

  it('ignores a torn tail left by a crash, and new writes go to a new segment', async () => {
    const datastore = new MemoryDatastore()
    const first = await storeOn(datastore)
    for (let n = 0; n < 3; n++) await first.put(keyOf(n), fields(bodyOf(n)))
    await first.close()
    // a body the crash cut short: header and part of the body, no pointer to it
    const fh = await open(join(dir, '000001.log'), 'a')
    await fh.write(new Uint8Array(RECORD_HEADER_BYTES + 1234).fill(0xab))
    await fh.close()

    const second = await storeOn(datastore)
    for (let n = 0; n < 3; n++) expect((await second.get(keyOf(n)))?.body).to.deep.equal(bodyOf(n))
    await second.put(keyOf(3), fields(bodyOf(3)))
    expect(second.meta(keyOf(3))?.at?.segment).to.equal(2)
    expect((await second.get(keyOf(3)))?.body).to.deep.equal(bodyOf(3))
    // the torn bytes are not live: segment 1 (3 of 8 records) is compacted, the torn tail with it
    await second.compactor!.idle()
    expect(await segmentFiles()).to.deep.equal(['000002.log'])
    for (let n = 0; n < 4; n++) expect((await second.get(keyOf(n)))?.body).to.deep.equal(bodyOf(n))
  })

  it('a record cut short or garbled drops its item, told with the file and the cause, never a wrong body; the others still read', async () => {
    const datastore = new MemoryDatastore()
    const first = await storeOn(datastore)
    for (let n = 0; n < 3; n++) await first.put(keyOf(n), fields(bodyOf(n)))
    const garbled = first.meta(keyOf(1))!.at!
    await first.close()
    const fh = await open(join(dir, '000001.log'), 'r+')
    await fh.write(new Uint8Array([0x55]), 0, 1, garbled.offset + RECORD_HEADER_BYTES + 77)
    await fh.close()
    await truncate(join(dir, '000001.log'), 2 * RECORD + 100)

    const told: Error[] = []
    const dropped: Array<{ key: Uint8Array, reason: string }> = []
    const second = new ItemStore(datastore, { valueLogDir: dir, valueLog: { segmentBytes: SEGMENT }, onError: err => told.push(err), onUnreadable: (meta, err) => dropped.push({ key: meta.key, reason: err.reason }) })
    stores.push(second)
    await second.open()
    await second.compactor!.stop()
    expect((await second.get(keyOf(0)))?.body).to.deep.equal(bodyOf(0))
    expect(await Promise.all([1, 2].map(async n => second.get(keyOf(n))))).to.deep.equal([undefined, undefined])
    expect(second.has(keyOf(1)) || second.has(keyOf(2)), 'still indexed').to.equal(false)
    expect(second.unreadableDropped).to.equal(2)
    expect(dropped).to.deep.equal([{ key: keyOf(1), reason: 'corrupt' }, { key: keyOf(2), reason: 'corrupt' }])
    expect(told.map(e => e.message)).to.have.length(2)
    expect(told[0].message).to.match(/000001\.log at \d+: checksum mismatch/)
    expect(told[1].message).to.match(/cut short/)
    // gone from the datastore too: a reopened store does not index them again
    await second.close()
    const third = await storeOn(datastore)
    expect([0, 1, 2].map(n => third.has(keyOf(n)))).to.deep.equal([true, false, false])
    // and a good copy can be stored again (a repair's STORE)
    await third.put(keyOf(1), fields(bodyOf(1)))
    expect((await third.get(keyOf(1)))?.body).to.deep.equal(bodyOf(1))
  })

  it('a compaction meeting a garbled record drops its item and still reclaims the segment', async () => {
    const told: Error[] = []
    const store = new ItemStore(new MemoryDatastore(), { valueLogDir: dir, valueLog: { segmentBytes: SEGMENT }, onError: err => told.push(err) })
    stores.push(store)
    await store.open()
    // 8 records fill segment 1; the ninth opens segment 2 and seals it
    for (let n = 0; n < 9; n++) await store.put(keyOf(n), fields(bodyOf(n)))
    const garbled = store.meta(keyOf(0))!.at!
    expect(garbled.segment).to.equal(1)
    const fh = await open(join(dir, '000001.log'), 'r+')
    await fh.write(new Uint8Array([0x55]), 0, 1, garbled.offset + RECORD_HEADER_BYTES + 5)
    await fh.close()
    // most of segment 1 becomes garbage: it is compacted, the garbled record met on the way
    for (let n = 1; n < 7; n++) await store.delete(keyOf(n))
    await waitFor('segment 1 compacted away', async () => !(await segmentFiles()).includes('000001.log'), 10_000)
    await store.backgroundIdle()
    expect(store.has(keyOf(0))).to.equal(false)
    expect(store.unreadableDropped).to.equal(1)
    expect(told.map(e => e.message).join('\n')).to.match(/dropped, its body unreadable: .*checksum mismatch/)
    for (const n of [7, 8]) expect((await store.get(keyOf(n)))?.body).to.deep.equal(bodyOf(n))
  })

  it('a pointer to a missing segment drops its item, told with the file', async () => {
    const datastore = new MemoryDatastore()
    const first = await storeOn(datastore)
    await first.put(keyOf(0), fields(bodyOf(0)))
    await first.close()
    await unlink(join(dir, '000001.log'))
    const told: Error[] = []
    const second = new ItemStore(datastore, { valueLogDir: dir, valueLog: { segmentBytes: SEGMENT }, onError: err => told.push(err) })
    stores.push(second)
    await second.open()
    expect(second.has(keyOf(0))).to.equal(true)
    expect(await second.get(keyOf(0))).to.equal(undefined)
    expect(second.has(keyOf(0))).to.equal(false)
    expect(told).to.have.length(1)
    expect(told[0].message).to.include(join(dir, '000001.log'))
    expect(told[0].message).to.include('missing')
  })

  it('a length over the limit is corruption, found before allocating', async () => {
    const log = new ValueLog(dir, { segmentBytes: SEGMENT })
    await log.open()
    try {
      const at = await log.append(keyOf(0), bodyOf(0))
      const err = await log.read(keyOf(0), { ...at, length: 2 ** 31 }).then(() => undefined, e => e)
      expect(err).to.be.instanceOf(ValueLogError)
      expect(err.message).to.match(/over the limit/)
      await log.append(keyOf(1), new Uint8Array(MAX_RECORD_BODY_BYTES + 1)).then(() => expect.fail('appended'), e => expect(e).to.be.instanceOf(RangeError))
    } finally {
      await log.close()
    }
  })

  it('opens records written inline before the log, serves them, and moves their bodies to the log in the background', async () => {
    const datastore = new MemoryDatastore()
    const old = new ItemStore(datastore)
    await old.open()
    for (let n = 0; n < 3; n++) await old.put(keyOf(n), fields(bodyOf(n)))
    const logged = await storeOn(datastore)
    expect(logged.size).to.equal(3)
    // served while they move (a read takes no lock), and replaced while they move
    const [read] = await Promise.all([logged.get(keyOf(0)), logged.put(keyOf(1), fields(bodyOf(1, 1)))])
    expect(read?.body).to.deep.equal(bodyOf(0))
    await logged.backgroundIdle()
    for (let n = 0; n < 3; n++) {
      expect(logged.meta(keyOf(n))?.at?.segment, `item ${n}`).to.equal(1)
      expect((await logged.get(keyOf(n)))?.body).to.deep.equal(bodyOf(n, n === 1 ? 1 : 0))
    }
    for await (const { value } of datastore.query({ prefix: '/toyrrent/items/' })) expect(StoredItem.decode(value).body.byteLength).to.equal(0)
    expectLiveMatchesPointers(logged)
    // a store without the log, given a record that points into one, says so and drops nothing (the body may be fine)
    const inline = new ItemStore(datastore)
    await inline.open()
    const err = await inline.get(keyOf(1)).then(() => undefined, e => e)
    expect(err).to.not.be.instanceOf(ValueLogError)
    expect(err.message).to.match(/opened without one/)
    expect(inline.has(keyOf(1))).to.equal(true)
    expect(inline.unreadableDropped).to.equal(0)
  })

  it('compaction racing replaces, removals and reads of the same items leaves no dangling pointer and resurrects nothing', async function () {
    this.timeout(60_000)
    for (let round = 0; round < 8; round++) {
      const roundDir = join(dir, `r${round}`)
      const datastore = slow(new MemoryDatastore())
      const store = new ItemStore(datastore, { valueLogDir: roundDir, valueLog: { segmentBytes: SEGMENT } })
      stores.push(store)
      await store.open()
      for (let n = 0; n < 32; n++) await store.put(keyOf(n), fields(bodyOf(n)))
      // remove 6 of each segment's 8 (their segments become garbage: compaction starts), and at the same time
      // replace or remove the 2 survivors the compaction is moving, and read everything
      const removed = new Set<number>()
      const replaced = new Set<number>()
      const work: Array<Promise<unknown>> = []
      const reads: Array<Promise<unknown>> = []
      for (let n = 0; n < 32; n++) {
        if (n % 8 < 6) { removed.add(n); work.push(store.delete(keyOf(n))) }
      }
      for (let n = 0; n < 32; n++) {
        if (n % 8 === 6 && n % 16 === 6) { removed.add(n); work.push(new Promise(resolve => setTimeout(resolve, Math.random() * 10)).then(async () => store.delete(keyOf(n)))) }
        if (n % 8 === 7) { replaced.add(n); work.push(new Promise(resolve => setTimeout(resolve, Math.random() * 10)).then(async () => store.put(keyOf(n), fields(bodyOf(n, 1))))) }
        // a read sees the old body or the new one or nothing, never an error
        reads.push(new Promise(resolve => setTimeout(resolve, Math.random() * 10)).then(async () => store.get(keyOf(n))))
      }
      await Promise.all(work)
      const seen = await Promise.all(reads)
      await store.compactor!.idle()
      for (let n = 0; n < 32; n++) {
        const body = seen[n] == null ? undefined : (seen[n] as StoredItem).body
        if (body != null) expect([bodyOf(n), bodyOf(n, 1)], `read of ${n} in round ${round}`).to.deep.include(body)
      }
      expectLiveMatchesPointers(store)
      expect(store.compactor!.compacted, `round ${round}`).to.be.at.least(1)
      await store.close()
      // what is on disk after the race: reopened, every item as its last change left it
      const reopened = new ItemStore(datastore, { valueLogDir: roundDir, valueLog: { segmentBytes: SEGMENT } })
      stores.push(reopened)
      await reopened.open()
      await reopened.compactor!.stop()
      for (let n = 0; n < 32; n++) {
        const want = removed.has(n) ? undefined : bodyOf(n, replaced.has(n) ? 1 : 0)
        expect((await reopened.get(keyOf(n)))?.body, `item ${n} in round ${round}`).to.deep.equal(want)
      }
      let raw = 0
      for await (const entry of datastore.query({ prefix: '/toyrrent/items/' })) { raw++; expect(entry.key).to.be.instanceOf(Key) }
      expect(raw).to.equal(32 - removed.size)
      await reopened.close()
    }
  })
})
