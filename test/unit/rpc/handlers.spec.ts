/**
 * Every RPC handler called directly with a decoded frame (encoded and decoded
 * as it would arrive), against a real ItemStore on a MemoryDatastore and a
 * real PeerTable: bad requests, the limits, and the answers.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Frame, ItemKind, Status } from '../../../src/rpc/pb/rpc.ts'
import { FindBeforeNHandler } from '../../../src/rpc/handlers/find-before-n.ts'
import { FetchHandler } from '../../../src/rpc/handlers/fetch.ts'
import { StoreHandler } from '../../../src/rpc/handlers/store.ts'
import { DigestHandler } from '../../../src/rpc/handlers/digest.ts'
import { SyncKeysHandler } from '../../../src/rpc/handlers/sync-keys.ts'
import { HoldsHandler } from '../../../src/rpc/handlers/holds.ts'
import { HandoffHandler } from '../../../src/rpc/handlers/handoff.ts'
import { ItemStore, kindNumber } from '../../../src/store/item-store.ts'
import { ItemAcceptor } from '../../../src/store/accept.ts'
import { BucketedDigest, bucketOf } from '../../../src/store/digest.ts'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { Neighbourhood } from '../../../src/service/neighbourhood.ts'
import { Placement } from '../../../src/service/placement.ts'
import { sharedDigest, sharedItems } from '../../../src/service/shared-set.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { createPublishRecord, encodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { peerFromWire } from '../../../src/rpc/wire.ts'
import { compareBytes, hexKey } from '../../../src/bytes.ts'
import { nearestPositioned } from '../../../src/keyspace.ts'
import { DEFAULT_FIND_N, HANDOFF_BATCH_ITEMS, MAX_FIND_N, MAX_KEYS_PER_REQUEST } from '../../../src/constants.ts'
import { randomPeerId, randomPeers } from '../helpers.ts'
import type { HandlerResult, RequestContext } from '../../../src/rpc/server.ts'
import type { ItemMeta } from '../../../src/store/item-store.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { Item as WireItem, PeerInfo } from '../../../src/rpc/pb/rpc.ts'
import type { PeerId } from '@libp2p/interface'

const text = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s)
const HOUR = 3600_000

/** Frame fields by name, their contents unchecked: tests build odd requests on purpose. */
type LooseFrame = { [K in keyof Frame]?: unknown }

/** A request as it arrives: encoded by a client, decoded by the server. */
function request (frame: LooseFrame): Frame {
  return Frame.decode(Frame.encode({ id: 7n, response: false, ...frame } as Partial<Frame>))
}

function hashWire (value: Uint8Array<ArrayBuffer>): WireItem {
  return { kind: ItemKind.HASH, key: hashItemKey(value) as Uint8Array<ArrayBuffer>, body: value, ttlSeconds: 0, acceptors: [] }
}

const names = (infos: PeerInfo[] | undefined): string[] => (infos ?? []).map(i => peerFromWire(i)!.peerId.toString())
const idsOf = (peers: FoundPeer[]): string[] => peers.map(p => p.peerId.toString())

interface Fixture {
  self: FoundPeer
  peers: FoundPeer[]
  table: PeerTable
  store: ItemStore
  acceptor: ItemAcceptor
  neighbourhood: Neighbourhood
  context: RequestContext
}

/** A node with `peerCount` peers in its table and an empty store; requests come from `from` (default: a stranger). */
async function fixture (peerCount: number, from?: PeerId): Promise<Fixture> {
  const selfId = await randomPeerId()
  const table = new PeerTable(selfId, 100)
  const peers = await randomPeers(peerCount)
  for (const p of peers) table.add(p.peerId, [], p.position)
  const store = new ItemStore(new MemoryDatastore())
  await store.open()
  const acceptor = new ItemAcceptor(store, { defaultTtl: 48 * HOUR, maxStorageBytes: 1024 ** 3 })
  const neighbourhood = new Neighbourhood({ selfId, table, selfAddrs: () => [], filterAddrs: a => a })
  return { self: neighbourhood.selfPeer(), peers, table, store, acceptor, neighbourhood, context: { peer: from ?? await randomPeerId(), signal: AbortSignal.timeout(5000) } }
}

/** Put an item straight into the store, expired `agoMs` ago when given. */
async function putRaw (store: ItemStore, value: Uint8Array, options: { agoMs?: number, seq?: bigint } = {}): Promise<Uint8Array> {
  const key = hashItemKey(value)
  const expiresAt = options.agoMs == null ? BigInt(Date.now() + HOUR) : BigInt(Date.now() - options.agoMs)
  await store.put(key, { kind: kindNumber('hash'), body: value as Uint8Array<ArrayBuffer>, pinned: false, expiresAt, storedAt: BigInt(Date.now()), seq: options.seq ?? 0n })
  return key
}

describe('unit: RPC handlers', () => {
  describe('find_before_n', () => {
    let f: Fixture
    let handler: FindBeforeNHandler
    before(async () => {
      f = await fixture(80)
      handler = new FindBeforeNHandler(f.neighbourhood, f.store)
    })

    it('refuses a request without a body or with a target that is not 32 bytes', async () => {
      expect((await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N }), f.context)).status).to.equal(Status.BAD_REQUEST)
      const short = await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: new Uint8Array(31), n: 3 } }), f.context)
      expect(short.status).to.equal(Status.BAD_REQUEST)
      expect(short.message).to.contain('32-byte')
    })

    it('answers the n nearest it knows, itself included, nearest first', async () => {
      const target = f.peers[3].position.map(b => b ^ 0x55)
      const answer = await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target, n: 10 } }), f.context)
      expect(answer.status).to.equal(Status.OK)
      expect(names(answer.findBeforeNResponse?.peers)).to.deep.equal(idsOf(nearestPositioned(target, [...f.peers, f.self], 10)))
    })

    it('never names the target itself', async () => {
      const target = f.peers[0].position
      const answer = await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target, n: 5 } }), f.context)
      expect(names(answer.findBeforeNResponse?.peers)).to.have.length(5).and.not.include(f.peers[0].peerId.toString())
    })

    it('clamps n: 0 asks for one peer, over 64 for 64', async () => {
      const target = f.self.position.map(b => b ^ 0xff)
      const one = await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target, n: 0 } }), f.context)
      expect(one.findBeforeNResponse?.peers).to.have.length(1)
      const many = await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target, n: 1000 } }), f.context)
      expect(many.findBeforeNResponse?.peers).to.have.length(MAX_FIND_N)
    })

    it('says whether it holds the item whose key is the target', async () => {
      const key = await putRaw(f.store, text('held here'))
      const held = await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: key, n: 3 } }), f.context)
      expect(held.findBeforeNResponse?.holds).to.equal(true)
      const other = await handler.handle(request({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: hashItemKey(key), n: 3 } }), f.context)
      expect(other.findBeforeNResponse?.holds).to.equal(false)
    })
  })

  describe('fetch', () => {
    let f: Fixture
    let handler: FetchHandler
    before(async () => {
      f = await fixture(80)
      handler = new FetchHandler(f.neighbourhood, f.store)
    })

    it('refuses a request without a 32-byte key', async () => {
      expect((await handler.handle(request({ type: Frame.Type.FETCH }), f.context)).status).to.equal(Status.BAD_REQUEST)
      expect((await handler.handle(request({ type: Frame.Type.FETCH, fetchRequest: { key: new Uint8Array(33), closerCount: 0 } }), f.context)).status).to.equal(Status.BAD_REQUEST)
    })

    it('answers a held item, with nearer peers only when asked (at most 64)', async () => {
      const value = text('fetch me')
      const key = await putRaw(f.store, value)
      const bare = await handler.handle(request({ type: Frame.Type.FETCH, fetchRequest: { key, closerCount: 0 } }), f.context)
      expect(bare.status).to.equal(Status.OK)
      expect(bare.fetchResponse?.item?.body).to.deep.equal(value)
      expect(bare.fetchResponse?.item?.ttlSeconds).to.be.within(3590, 3600)
      expect(bare.fetchResponse?.closer).to.deep.equal([])
      const some = await handler.handle(request({ type: Frame.Type.FETCH, fetchRequest: { key, closerCount: 4 } }), f.context)
      expect(names(some.fetchResponse?.closer)).to.deep.equal(idsOf(nearestPositioned(key, [...f.peers, f.self], 4)))
      const many = await handler.handle(request({ type: Frame.Type.FETCH, fetchRequest: { key, closerCount: 5000 } }), f.context)
      expect(many.fetchResponse?.closer).to.have.length(MAX_FIND_N)
    })

    it('a miss is NOT_FOUND with the nearest peers it knows (20 unless asked)', async () => {
      const key = hashItemKey(text('nobody has this'))
      const answer = await handler.handle(request({ type: Frame.Type.FETCH, fetchRequest: { key, closerCount: 0 } }), f.context)
      expect(answer.status).to.equal(Status.NOT_FOUND)
      expect(answer.fetchResponse?.item).to.equal(undefined)
      expect(names(answer.fetchResponse?.closer)).to.deep.equal(idsOf(nearestPositioned(key, [...f.peers, f.self], DEFAULT_FIND_N)))
    })

    it('an expired item is not served', async () => {
      const key = await putRaw(f.store, text('gone stale'), { agoMs: 1000 })
      expect((await handler.handle(request({ type: Frame.Type.FETCH, fetchRequest: { key, closerCount: 0 } }), f.context)).status).to.equal(Status.NOT_FOUND)
    })
  })

  describe('store', () => {
    let f: Fixture
    let stored: Uint8Array[]
    let handler: StoreHandler
    beforeEach(async () => {
      f = await fixture(10)
      stored = []
      handler = new StoreHandler(f.acceptor, f.neighbourhood, key => { stored.push(key) })
    })

    it('refuses a request without an item', async () => {
      expect((await handler.handle(request({ type: Frame.Type.STORE, storeRequest: { closerCount: 0 } }), f.context)).status).to.equal(Status.BAD_REQUEST)
      expect(stored).to.deep.equal([])
    })

    it('keeps a valid item, tells the service, and names its nearest peers when asked', async () => {
      const item = hashWire(text('store me'))
      const answer = await handler.handle(request({ type: Frame.Type.STORE, storeRequest: { item, closerCount: 3 } }), f.context)
      expect(answer.status).to.equal(Status.OK)
      expect(f.store.has(item.key)).to.equal(true)
      expect(stored.map(hexKey)).to.deep.equal([hexKey(item.key)])
      expect(names(answer.storeResponse?.closer)).to.deep.equal(idsOf(nearestPositioned(item.key, [...f.peers, f.self], 3)))
    })

    it('answers a refusal with its typed status, keeps nothing and names no peers', async () => {
      const item = { ...hashWire(text('honest')), body: text('forged') }
      const answer = await handler.handle(request({ type: Frame.Type.STORE, storeRequest: { item, closerCount: 3 } }), f.context)
      expect(answer.status).to.equal(Status.HASH_MISMATCH)
      expect(answer.message).to.not.equal('')
      expect(answer.storeResponse?.closer).to.deep.equal([])
      expect(f.store.size).to.equal(0)
      expect(stored).to.deep.equal([])
    })

    it('a value over 64 KiB is TOO_LARGE', async () => {
      const answer = await handler.handle(request({ type: Frame.Type.STORE, storeRequest: { item: hashWire(new Uint8Array(65_537)), closerCount: 0 } }), f.context)
      expect(answer.status).to.equal(Status.TOO_LARGE)
    })

    it('compare-and-swap: the expected seq travels, a mismatch is CAS_MISMATCH with the seq held', async () => {
      const privateKey = await generateKeyPair('Ed25519')
      const wire = async (seq: bigint): Promise<WireItem> => {
        const record = await createPublishRecord({ privateKey, seq, value: text(`v${seq}`) })
        return { kind: ItemKind.PUBLISH, key: publishId(record.publicKey) as Uint8Array<ArrayBuffer>, body: encodePublishRecord(record) as Uint8Array<ArrayBuffer>, ttlSeconds: 0, acceptors: [] }
      }
      const first = await handler.handle(request({ type: Frame.Type.STORE, storeRequest: { item: await wire(1n), expectedSeq: 0n, closerCount: 0 } }), f.context)
      expect(first.status).to.equal(Status.OK)
      expect(first.storeResponse?.storedSeq).to.equal(1n)
      const stale = await handler.handle(request({ type: Frame.Type.STORE, storeRequest: { item: await wire(2n), expectedSeq: 0n, closerCount: 0 } }), f.context)
      expect(stale.status).to.equal(Status.CAS_MISMATCH)
      expect(stale.storeResponse?.storedSeq).to.equal(1n)
    })
  })

  describe('digest', () => {
    // a node that knows two peers: with R = 3, every item's replica set is all three
    let f: Fixture
    let handler: DigestHandler
    let keys: Uint8Array[]
    before(async () => {
      f = await fixture(2)
      f.context.peer = f.peers[0].peerId
      const placement = new Placement(f.table, f.store, () => f.neighbourhood.selfPeer(), 3)
      handler = new DigestHandler({ digestWith: peer => sharedDigest(sharedItems(placement.assignments(), f.self.peerId.toString(), peer)) })
      keys = []
      for (let i = 0; i < 40; i++) keys.push(await putRaw(f.store, text(`item ${i}`)))
    })

    const digestOf = (list: Uint8Array[]): BucketedDigest => {
      const digest = new BucketedDigest()
      for (const key of list) digest.add(key, 0n)
      return digest
    }

    it('refuses a hash that is not 16 bytes', async () => {
      expect((await handler.handle(request({ type: Frame.Type.DIGEST }), f.context)).status).to.equal(Status.BAD_REQUEST)
      expect((await handler.handle(request({ type: Frame.Type.DIGEST, digestRequest: { count: 0, hash: new Uint8Array(15) } }), f.context)).status).to.equal(Status.BAD_REQUEST)
    })

    it('matches the digest of the items both share', async () => {
      const { total } = digestOf(keys)
      const answer = await handler.handle(request({ type: Frame.Type.DIGEST, digestRequest: { count: total.count, hash: total.hash } }), f.context)
      expect(answer.digestResponse).to.deep.equal({ match: true, buckets: [] })
    })

    it('on a mismatch answers its buckets; only the bucket of the missing item differs', async () => {
      const ours = digestOf(keys)
      const theirs = digestOf(keys.slice(1))
      const answer = await handler.handle(request({ type: Frame.Type.DIGEST, digestRequest: { count: theirs.total.count, hash: theirs.total.hash } }), f.context)
      expect(answer.digestResponse?.match).to.equal(false)
      const buckets = answer.digestResponse?.buckets ?? []
      expect(buckets.reduce((n, b) => n + b.count, 0)).to.equal(keys.length)
      const differing = buckets.filter(b => theirs.buckets.get(b.index)?.equals(b.count, b.hash) !== true).map(b => b.index)
      expect(differing).to.deep.equal([bucketOf(keys[0])])
      expect(ours.buckets.size).to.equal(buckets.length)
    })

    it('a peer outside every replica set shares nothing with us: the empty digest matches', async () => {
      const stranger = { ...f.context, peer: await randomPeerId() }
      const answer = await handler.handle(request({ type: Frame.Type.DIGEST, digestRequest: { count: 0, hash: new Uint8Array(16) } }), stranger)
      expect(answer.digestResponse?.match).to.equal(true)
    })
  })

  describe('sync_keys and holds', () => {
    let f: Fixture
    let held: Uint8Array
    let older: Uint8Array
    let expired: Uint8Array
    const absent = hashItemKey(text('absent'))
    before(async () => {
      f = await fixture(0)
      held = await putRaw(f.store, text('held'))
      older = await putRaw(f.store, text('held at seq 3'), { seq: 3n })
      expired = await putRaw(f.store, text('expired'), { agoMs: 1 })
    })

    it('sync_keys: refuses more than 1024 keys, keys that are not 32 bytes, and no body', async () => {
      const tooMany = Array.from({ length: MAX_KEYS_PER_REQUEST + 1 }, () => ({ key: held, seq: 0n }))
      expect((await new SyncKeysHandler(f.store).handle(request({ type: Frame.Type.SYNC_KEYS, syncKeysRequest: { bucket: 0, keys: tooMany } }), f.context)).status).to.equal(Status.BAD_REQUEST)
      expect((await new SyncKeysHandler(f.store).handle(request({ type: Frame.Type.SYNC_KEYS, syncKeysRequest: { bucket: 0, keys: [{ key: new Uint8Array(8), seq: 0n }] } }), f.context)).status).to.equal(Status.BAD_REQUEST)
      expect((await new SyncKeysHandler(f.store).handle(request({ type: Frame.Type.SYNC_KEYS }), f.context)).status).to.equal(Status.BAD_REQUEST)
    })

    it('sync_keys: names what it lacks, holds older, or holds expired; whatever the bucket', async () => {
      const keys = [{ key: held, seq: 0n }, { key: older, seq: 5n }, { key: older, seq: 3n }, { key: expired, seq: 0n }, { key: absent, seq: 0n }]
      const answer = await new SyncKeysHandler(f.store).handle(request({ type: Frame.Type.SYNC_KEYS, syncKeysRequest: { bucket: 63, keys } }), f.context)
      expect(answer.status).to.equal(Status.OK)
      expect((answer.syncKeysResponse?.missing ?? []).map(hexKey)).to.deep.equal([older, expired, absent].map(hexKey))
    })

    it('holds: refuses more than 1024 keys and keys that are not 32 bytes', async () => {
      const tooMany = Array.from({ length: MAX_KEYS_PER_REQUEST + 1 }, () => held)
      expect((await new HoldsHandler(f.store).handle(request({ type: Frame.Type.HOLDS, holdsRequest: { keys: tooMany } }), f.context)).status).to.equal(Status.BAD_REQUEST)
      expect((await new HoldsHandler(f.store).handle(request({ type: Frame.Type.HOLDS, holdsRequest: { keys: [new Uint8Array(31)] } }), f.context)).status).to.equal(Status.BAD_REQUEST)
    })

    it('holds: the live keys it holds, with their seq', async () => {
      const answer = await new HoldsHandler(f.store).handle(request({ type: Frame.Type.HOLDS, holdsRequest: { keys: [held, older, expired, absent] } }), f.context)
      expect((answer.holdsResponse?.held ?? []).map(h => [hexKey(h.key), h.seq])).to.deep.equal([[hexKey(held), 0n], [hexKey(older), 3n]])
    })
  })

  describe('handoff', () => {
    let f: Fixture
    let acks: Array<{ peer: string, keys: string[] }>
    let served: number
    let dueCalls: number
    let handler: HandoffHandler

    beforeEach(async () => {
      f = await fixture(0)
      acks = []
      served = 0
      dueCalls = 0
      handler = new HandoffHandler(f.store, {
        // every live item is due, in key order: what Placement.dueFor gives a newcomer that is in every replica set
        dueFor: (_peer, cursor) => {
          dueCalls++
          return [...f.store.metas()].filter(m => compareBytes(m.key, cursor) > 0).sort((a: ItemMeta, b: ItemMeta) => compareBytes(a.key, b.key))
        },
        acknowledged: (peer, keys) => { acks.push({ peer, keys: keys.map(hexKey) }) },
        served: n => { served += n }
      })
    })

    const ask = async (cursor: Uint8Array, limit: number, acked: Uint8Array[] = []): Promise<HandlerResult> =>
      handler.handle(request({ type: Frame.Type.HANDOFF, handoffRequest: { cursor, limit, acked } }), f.context)

    it('refuses no body, and more than 1024 acknowledgements', async () => {
      expect((await handler.handle(request({ type: Frame.Type.HANDOFF }), f.context)).status).to.equal(Status.BAD_REQUEST)
      const tooMany = Array.from({ length: MAX_KEYS_PER_REQUEST + 1 }, () => new Uint8Array(32))
      expect((await ask(new Uint8Array(0), 10, tooMany)).status).to.equal(Status.BAD_REQUEST)
      expect(acks).to.deep.equal([])
    })

    it('limit 0 only records the acknowledgements', async () => {
      const key = await putRaw(f.store, text('acked'))
      const answer = await ask(new Uint8Array(0), 0, [key])
      expect(answer.handoffResponse).to.deep.include({ items: [], done: true })
      expect(acks).to.deep.equal([{ peer: f.context.peer.toString(), keys: [hexKey(key)] }])
      expect(dueCalls).to.equal(0)
    })

    it('serves batches in key order; the cursor advances until done; at most 64 per batch', async () => {
      const keys: Uint8Array[] = []
      for (let i = 0; i < HANDOFF_BATCH_ITEMS + 6; i++) keys.push(await putRaw(f.store, text(`handoff ${i}`)))
      keys.sort(compareBytes)
      const first = await ask(new Uint8Array(0), 1000)
      expect(first.handoffResponse?.items.map(i => hexKey(i.key))).to.deep.equal(keys.slice(0, HANDOFF_BATCH_ITEMS).map(hexKey))
      expect(first.handoffResponse?.done).to.equal(false)
      expect(hexKey(first.handoffResponse!.cursor)).to.equal(hexKey(keys[HANDOFF_BATCH_ITEMS - 1]))
      const second = await ask(first.handoffResponse!.cursor, 4)
      expect(second.handoffResponse?.items.map(i => hexKey(i.key))).to.deep.equal(keys.slice(HANDOFF_BATCH_ITEMS, HANDOFF_BATCH_ITEMS + 4).map(hexKey))
      const last = await ask(second.handoffResponse!.cursor, 100)
      expect(last.handoffResponse?.items).to.have.length(2)
      expect(last.handoffResponse?.done).to.equal(true)
      expect(served).to.equal(keys.length)
    })

    it('a batch stays within one frame: large items go a few at a time', async () => {
      for (let i = 0; i < 3; i++) await putRaw(f.store, new Uint8Array(40_000).fill(i))
      const first = await ask(new Uint8Array(0), 64)
      expect(first.handoffResponse?.items).to.have.length(1)
      expect(first.handoffResponse?.done).to.equal(false)
      expect(Frame.encode({ ...first, id: 7n, type: Frame.Type.HANDOFF, response: true }).byteLength).to.be.below(65_536 + 16_384)
    })
  })
})
