/**
 * ItemAcceptor on an ItemStore over a MemoryDatastore: every refusal code,
 * and that a refused item changes nothing; compare-and-swap; the quota;
 * pinned items and lifetimes.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ItemStore, StoredItem } from '../../../src/store/item-store.ts'
import { ItemAcceptor } from '../../../src/store/accept.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { createPublishRecord, encodePublishRecord, publishId, MAX_PUBLISH_RECORD_BYTES } from '../../../src/records/publish-record.ts'
import { MAX_VALUE_BYTES } from '../../../src/constants.ts'
import { hexKey } from '../../../src/bytes.ts'
import type { Item } from '../../../src/records/item.ts'
import type { ItemAcceptorInit, StoreRefusal } from '../../../src/store/accept.ts'
import type { PrivateKey } from '@libp2p/interface'
import { systemClock } from '../../../src/clock.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const HOUR = 3600_000

function hashItem (value: Uint8Array, ttlSeconds = 0): Item {
  return { kind: 'hash', key: hashItemKey(value), body: value, ttlSeconds }
}

async function publishItem (privateKey: PrivateKey, seq: bigint, value = text(`value ${seq}`), salt = new Uint8Array(0)): Promise<Item> {
  const record = await createPublishRecord({ privateKey, seq, value, salt })
  return { kind: 'publish', key: publishId(record.publicKey, record.salt), body: encodePublishRecord(record), ttlSeconds: 0 }
}

/** Everything a refusal must leave alone: the index, the byte count, the version and every stored byte. */
async function snapshot (store: ItemStore): Promise<unknown> {
  const entries: Record<string, string> = {}
  for (const meta of store.metas()) entries[hexKey(meta.key)] = hexKey(StoredItem.encode((await store.get(meta.key))!))
  return { size: store.size, bytes: store.bytes, version: store.version, entries }
}

async function fresh (init: Partial<ItemAcceptorInit> = {}): Promise<{ store: ItemStore, acceptor: ItemAcceptor }> {
  const store = new ItemStore(new MemoryDatastore())
  await store.open()
  return { store, acceptor: new ItemAcceptor(store, { defaultTtl: 48 * HOUR, maxStorageBytes: 1024 ** 3, ...init }) }
}

describe('unit: ItemAcceptor', () => {
  let owner: PrivateKey

  before(async () => { owner = await generateKeyPair('Ed25519') })

  it('keeps a hash item that verifies, with the default lifetime', async () => {
    const { store, acceptor } = await fresh()
    const item = hashItem(text('hello'))
    const before = Date.now()
    expect(await acceptor.accept(item)).to.deep.equal({})
    const stored = await store.get(item.key)
    expect(stored?.body).to.deep.equal(item.body)
    expect(stored?.pinned).to.equal(false)
    expect(Number(stored?.expiresAt)).to.be.within(before + 48 * HOUR, Date.now() + 48 * HOUR)
  })

  it('reads lifetimes and storage times from the injected clock, not Date.now() (fractional readings floored)', async () => {
    const at = 1_000_000.75 // a simulated clock: far from the wall clock, with a fraction
    const clock = { ...systemClock, now: () => at }
    const { store, acceptor } = await fresh({ clock })
    const item = hashItem(text('clocked'))
    expect(await acceptor.accept(item)).to.deep.equal({})
    const stored = await store.get(item.key)
    expect(stored?.expiresAt).to.equal(BigInt(1_000_000 + 48 * HOUR))
    expect(stored?.storedAt).to.equal(1_000_000n)
    const own = hashItem(text('clocked, pinned'))
    expect(await acceptor.accept(own, { pinned: true })).to.deep.equal({})
    expect(await acceptor.unpin(own.key)).to.equal(true)
    expect((await store.get(own.key))?.expiresAt).to.equal(BigInt(1_000_000 + 48 * HOUR))
  })

  it('gives an item the lifetime its writer sent', async () => {
    const { store, acceptor } = await fresh()
    const item = hashItem(text('short-lived'), 60)
    await acceptor.accept(item)
    expect(Number((await store.get(item.key))?.expiresAt)).to.be.within(Date.now() + 59_000, Date.now() + 60_000)
  })

  describe('refusals change nothing', () => {
    /** A store already holding a hash item and seq 5 of a publish item; `item` must be refused with `code`. */
    async function expectRefused (code: StoreRefusal, item: (held: Item) => Item | Promise<Item>, options: { expectedSeq?: bigint } = {}, init: Partial<ItemAcceptorInit> = {}): Promise<void> {
      const { store, acceptor } = await fresh(init)
      await acceptor.accept(hashItem(text('already here')))
      const held = await publishItem(owner, 5n)
      expect((await acceptor.accept(held)).refused).to.equal(undefined)
      const before = await snapshot(store)
      const result = await acceptor.accept(await item(held), options)
      expect(result.refused).to.equal(code)
      expect(result.message).to.be.a('string').and.not.equal('')
      expect(await snapshot(store)).to.deep.equal(before)
    }

    it('bad-request: a key that is not 32 bytes', async () => {
      await expectRefused('bad-request', () => ({ ...hashItem(text('x')), key: new Uint8Array(31) }))
    })

    it('bad-request: an item of no known kind', async () => {
      await expectRefused('bad-request', () => ({ ...hashItem(text('x')), kind: 'other' as 'hash' }))
    })

    it('bad-request: a publish body that is not a record', async () => {
      await expectRefused('bad-request', held => ({ ...held, body: text('not protobuf \xff\xff\xff') }))
    })

    it('bad-request: a record encoded other than canonically', async () => {
      // the same fields with an unknown field appended: another encoding of one record
      await expectRefused('bad-request', held => ({ ...held, body: Uint8Array.from([...held.body, 0x78, 0x01]) }))
    })

    it('too-large: a hash item over 64 KiB', async () => {
      await expectRefused('too-large', () => hashItem(new Uint8Array(MAX_VALUE_BYTES + 1)))
    })

    it('too-large: a publish body over the record limit', async () => {
      await expectRefused('too-large', held => ({ ...held, body: new Uint8Array(MAX_PUBLISH_RECORD_BYTES + 1) }))
    })

    it('hash-mismatch: a value that does not hash to its key', async () => {
      await expectRefused('hash-mismatch', () => ({ ...hashItem(text('x')), body: text('y') }))
    })

    it('id-mismatch: a record stored under another id', async () => {
      await expectRefused('id-mismatch', async held => ({ ...(await publishItem(owner, 6n)), key: hashItemKey(held.key) }))
    })

    it('bad-signature: a record whose signature does not verify', async () => {
      await expectRefused('bad-signature', async () => {
        const record = await createPublishRecord({ privateKey: owner, seq: 6n, value: text('forged') })
        record.signature[0] ^= 1
        return { kind: 'publish', key: publishId(record.publicKey), body: encodePublishRecord(record), ttlSeconds: 0 }
      })
    })

    it('stale-seq: an older record than the one held', async () => {
      await expectRefused('stale-seq', async () => publishItem(owner, 4n))
    })

    it('stale-seq: another record with the same seq', async () => {
      await expectRefused('stale-seq', async () => publishItem(owner, 5n, text('a different value')))
    })

    it('cas-mismatch: a newer record whose expected seq is not the held one', async () => {
      await expectRefused('cas-mismatch', async () => publishItem(owner, 7n), { expectedSeq: 4n })
    })

    it('full: a new item past the quota', async () => {
      await expectRefused('full', () => hashItem(new Uint8Array(2000).fill(7)), {}, { maxStorageBytes: 1000 })
    })
  })

  describe('compare-and-swap', () => {
    it('expected seq 0 means "nothing held yet"', async () => {
      const { acceptor } = await fresh()
      expect((await acceptor.accept(await publishItem(owner, 1n), { expectedSeq: 0n })).storedSeq).to.equal(1n)
      expect((await acceptor.accept(await publishItem(owner, 2n), { expectedSeq: 0n })).refused).to.equal('cas-mismatch')
    })

    it('replaces when the expected seq is the one held, and reports the seq held after', async () => {
      const { store, acceptor } = await fresh()
      await acceptor.accept(await publishItem(owner, 3n))
      const next = await publishItem(owner, 9n)
      expect(await acceptor.accept(next, { expectedSeq: 3n })).to.deep.equal({ storedSeq: 9n })
      expect(store.meta(next.key)?.seq).to.equal(9n)
    })

    it('a byte-identical retry is a no-op that succeeds, even with an outdated expected seq', async () => {
      const { store, acceptor } = await fresh()
      const item = await publishItem(owner, 3n)
      await acceptor.accept(item, { expectedSeq: 0n })
      const version = store.version
      expect((await acceptor.accept(item, { expectedSeq: 0n })).refused).to.equal(undefined)
      expect(store.meta(item.key)?.seq).to.equal(3n)
      expect(store.version - version).to.be.at.most(2) // rewritten in place at most, never replaced by another record
    })

    it('of two writers expecting the same seq at once, exactly one wins', async () => {
      const { store, acceptor } = await fresh()
      await acceptor.accept(await publishItem(owner, 1n))
      const [a, b] = await Promise.all([publishItem(owner, 2n, text('a')), publishItem(owner, 3n, text('b'))])
      const results = await Promise.all([acceptor.accept(a, { expectedSeq: 1n }), acceptor.accept(b, { expectedSeq: 1n })])
      expect(results.map(r => r.refused ?? 'ok').sort()).to.deep.equal(['cas-mismatch', 'ok'])
      const winner = results[0].refused == null ? 2n : 3n
      expect(store.meta(a.key)?.seq).to.equal(winner)
    })
  })

  describe('quota and pinning', () => {
    it('refuses others\' new items past the quota, but takes updates of held items and our own pinned items', async () => {
      const { store, acceptor } = await fresh({ maxStorageBytes: 1500 })
      expect((await acceptor.accept(await publishItem(owner, 1n, new Uint8Array(1000)))).refused).to.equal(undefined)
      expect((await acceptor.accept(hashItem(new Uint8Array(1000).fill(1)))).refused).to.equal('full')
      // an update of a held item always fits
      expect((await acceptor.accept(await publishItem(owner, 2n, new Uint8Array(1000)))).refused).to.equal(undefined)
      // our own users' data is never refused for space
      const own = hashItem(new Uint8Array(1000).fill(2))
      expect((await acceptor.accept(own, { pinned: true })).refused).to.equal(undefined)
      expect(store.bytes).to.be.greaterThan(1500)
    })

    it('a pinned item never expires here, and stays pinned when someone else stores it again', async () => {
      const { store, acceptor } = await fresh()
      const item = hashItem(text('mine'), 60)
      await acceptor.accept(item, { pinned: true })
      expect(await store.get(item.key)).to.include({ pinned: true, expiresAt: 0n })
      await acceptor.accept(item)
      expect(await store.get(item.key)).to.include({ pinned: true, expiresAt: 0n })
    })

    it('a re-stored item keeps the later of its expiries', async () => {
      const { store, acceptor } = await fresh()
      const long = hashItem(text('kept'), 3600)
      await acceptor.accept(long)
      const expiry = (await store.get(long.key))!.expiresAt
      await acceptor.accept({ ...long, ttlSeconds: 10 })
      expect((await store.get(long.key))!.expiresAt).to.equal(expiry)
      await acceptor.accept({ ...long, ttlSeconds: 7200 })
      expect((await store.get(long.key))!.expiresAt > expiry).to.equal(true)
    })
  })
})
