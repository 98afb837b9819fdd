/**
 * FETCH_MANY (protocols/rpc.md): the handler's limits (bad input reads and
 * changes nothing), its answer's bytes on the wire, the inbound queue
 * charging it by its keys, and the files layer's batches: a cat asks each
 * holder few FETCH_MANY and almost no FETCH, an older node (UNKNOWN_TYPE) is
 * asked one block at a time from then on, and a holder's wrong block is
 * caught and fetched again.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { Frame, ItemKind, Status } from '../../../src/rpc/pb/rpc.ts'
import { FetchManyHandler } from '../../../src/rpc/handlers/fetch-many.ts'
import { encodePrefixedFrame } from '../../../src/rpc/frame-encode.ts'
import { encodeVarint } from '../../../src/rpc/frame-stream.ts'
import { InboundQueue } from '../../../src/rpc/inbound-queue.ts'
import { MAX_FETCH_MANY_KEYS } from '../../../src/rpc/fetch-many-limits.ts'
import { ItemStore, kindNumber } from '../../../src/store/item-store.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { RemoteRejectedError } from '../../../src/errors.ts'
import { hexKey } from '../../../src/bytes.ts'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { Files } from '../../../src/files/files.ts'
import { BatchLoader, groupByHolder } from '../../../src/files/batch-loader.ts'
import { blockKey } from '../../../src/files/blocks.ts'
import { dagBlocks } from '../../../src/files/dag.ts'
import { randomPeers } from '../helpers.ts'
import { digestOf, pseudorandom, pseudorandomBytes } from './content.ts'
import type { BlockBatchSource } from '../../../src/service/block-batches.ts'
import type { FetchManyAnswer } from '../../../src/rpc/peer-rpc.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const HOUR = 3600_000

function request (keys: unknown): Frame {
  return Frame.decode(Frame.encode({ id: 7n, response: false, type: Frame.Type.FETCH_MANY, fetchManyRequest: { keys } } as Partial<Frame>))
}

async function putRaw (store: ItemStore, value: Uint8Array, kind: 'hash' | 'publish' = 'hash'): Promise<Uint8Array> {
  const key = hashItemKey(value)
  await store.put(key, { kind: kindNumber(kind), body: value as Uint8Array<ArrayBuffer>, pinned: false, expiresAt: BigInt(Date.now() + HOUR), storedAt: BigInt(Date.now()), seq: kind === 'hash' ? 0n : 1n })
  return key
}

function cidOf (bytes: Uint8Array): CID {
  return CID.createV1(raw.code, Digest.create(sha256.code, hashItemKey(bytes)))
}

describe('unit: FETCH_MANY', function () {
  this.timeout(120_000)

  describe('handler', () => {
    let store: ItemStore
    let reads: number
    // the signal made per case: one made when the suite loads runs out while other spec files run first
    const context = { peer: undefined as any, signal: new AbortController().signal }
    before(async () => {
      store = new ItemStore(new MemoryDatastore())
      await store.open()
      const get = store.get.bind(store)
      store.get = async (...args) => { reads++; return get(...args) }
      context.peer = (await randomPeers(1))[0].peerId
    })
    beforeEach(() => {
      reads = 0
      context.signal = AbortSignal.timeout(60_000)
    })

    it('bad input is BAD_REQUEST and reads nothing: no keys, more than 16, a key not 32 bytes, a key twice', async () => {
      const handler = new FetchManyHandler(store)
      const held = await putRaw(store, pseudorandomBytes(1000, 'h-held'))
      const size = store.size
      const keys17 = Array.from({ length: MAX_FETCH_MANY_KEYS + 1 }, (_, i) => hashItemKey(new Uint8Array([i])))
      for (const keys of [[], keys17, [held, new Uint8Array(31)], [held, held]]) {
        const answer = await handler.handle(request(keys), context)
        expect(answer.status).to.equal(Status.BAD_REQUEST)
        expect(answer.fetchManyResponse).to.equal(undefined)
      }
      expect((await handler.handle(Frame.decode(Frame.encode({ id: 1n, type: Frame.Type.FETCH_MANY })), context)).status).to.equal(Status.BAD_REQUEST)
      expect(reads).to.equal(0)
      expect(store.size).to.equal(size)
    })

    it('answers the hash items it holds in request order, names the rest missing (records too: FETCH serves those)', async () => {
      const handler = new FetchManyHandler(store)
      const a = pseudorandomBytes(65_536, 'h-a')
      const b = pseudorandomBytes(10, 'h-b')
      const keyA = await putRaw(store, a)
      const keyB = await putRaw(store, b)
      const record = await putRaw(store, pseudorandomBytes(100, 'h-record'), 'publish')
      const absent = hashItemKey(pseudorandomBytes(10, 'h-absent'))
      const answer = await handler.handle(request([keyB, absent, record, keyA]), context)
      expect(answer.status).to.equal(Status.OK)
      expect(answer.fetchManyResponse?.items.map(i => hexKey(i.key))).to.deep.equal([hexKey(keyB), hexKey(keyA)])
      expect(answer.fetchManyResponse?.items.map(i => i.kind)).to.deep.equal([ItemKind.HASH, ItemKind.HASH])
      expect(answer.fetchManyResponse?.items[1].body).to.deep.equal(a)
      expect(answer.fetchManyResponse?.missing.map(hexKey)).to.deep.equal([hexKey(absent), hexKey(record)])
      expect(answer.fetchManyResponse?.omitted).to.deep.equal([])
      expect(reads).to.equal(2)
    })

    it('16 full blocks fit one answer (the byte budget), and its frame is the bytes Frame.encode gives, bodies by reference', async () => {
      const handler = new FetchManyHandler(store)
      const blocks = Array.from({ length: MAX_FETCH_MANY_KEYS }, (_, i) => pseudorandomBytes(65_536, `h-full-${i}`))
      const keys = await Promise.all(blocks.map(async b => putRaw(store, b)))
      const answer = await handler.handle(request(keys), context)
      expect(answer.fetchManyResponse?.items).to.have.length(MAX_FETCH_MANY_KEYS)
      expect(answer.fetchManyResponse?.omitted).to.deep.equal([])
      const frame: Partial<Frame> = { ...answer, id: 300n, type: Frame.Type.FETCH_MANY, response: true, message: '' }
      const encoded = encodePrefixedFrame(frame)
      const plain = Frame.encode(frame)
      expect(Buffer.concat(encoded.parts)).to.deep.equal(Buffer.concat([encodeVarint(plain.byteLength), plain]))
      expect(encoded.length).to.equal(plain.byteLength)
      // the bodies are the stored bytes, not copies
      expect(encoded.parts.filter(p => p.byteLength === 65_536)).to.have.length(MAX_FETCH_MANY_KEYS)
      // with missing and omitted keys after the items too
      const mixed: Partial<Frame> = { ...frame, fetchManyResponse: { items: answer.fetchManyResponse!.items.slice(0, 2), missing: [keys[5]] as Array<Uint8Array<ArrayBuffer>>, omitted: [keys[6], keys[7]] as Array<Uint8Array<ArrayBuffer>> } }
      const plainMixed = Frame.encode(mixed)
      expect(Buffer.concat(encodePrefixedFrame(mixed).parts)).to.deep.equal(Buffer.concat([encodeVarint(plainMixed.byteLength), plainMixed]))
    })
  })

  describe('inbound queue', () => {
    it('charges a job by its cost against the per-peer and queued limits, and gives it back when it ends', async () => {
      const queue = new InboundQueue({ concurrency: 1, maxPerPeer: 32, maxQueued: 40 })
      const release = Promise.withResolvers<void>()
      const job = async (): Promise<void> => { await release.promise }
      expect(queue.push('a', job, 16)).to.equal(undefined)
      expect(queue.push('a', job, 16)).to.equal(undefined)
      // 32 charged to peer a: one more FETCH_MANY, or even one FETCH, is over its limit
      expect(queue.push('a', job, 16)).to.equal('peer-limit')
      expect(queue.push('a', job)).to.equal('peer-limit')
      // the one running is not queued; 16 queued for a, so 24 more fit the queue
      expect(queue.push('b', job, 16)).to.equal(undefined)
      expect(queue.push('c', job, 16)).to.equal('queue-full')
      expect(queue.push('c', job, 8)).to.equal(undefined)
      release.resolve()
      await queue.onIdle()
      expect(queue.stats()).to.include({ running: 0, queued: 0 })
      expect(queue.push('a', job, 32)).to.equal(undefined)
      await queue.onIdle()
    })
  })

  describe('batch loader (a stand-in source)', () => {
    const blocks = Array.from({ length: 6 }, (_, i) => pseudorandomBytes(1000 + i, `bl-${i}`))
    const cids = blocks.map(cidOf)
    let peers: FoundPeer[]
    before(async () => { peers = await randomPeers(3) })

    function source (answer: (peer: FoundPeer, keys: Uint8Array[]) => Promise<FetchManyAnswer>): BlockBatchSource & { asked: Array<{ peer: string, keys: number }> } {
      const asked: Array<{ peer: string, keys: number }> = []
      return {
        asked,
        holdsHere: () => false,
        holdersOf: () => peers,
        fetchMany: async (peer, keys) => {
          asked.push({ peer: peer.peerId.toString(), keys: keys.length })
          return answer(peer, keys)
        }
      }
    }
    const byKey = new Map(blocks.map(b => [hexKey(hashItemKey(b)), b]))
    const honest = async (_peer: FoundPeer, keys: Uint8Array[]): Promise<FetchManyAnswer> => ({ items: keys.map(key => ({ kind: 'hash', key, body: byKey.get(hexKey(key))!, ttlSeconds: 0 })), missing: [], omitted: [] })

    it('the gets of one turn go to one holder in one request; nothing goes the single way', async () => {
      const src = source(honest)
      let singles = 0
      const loader = new BatchLoader(src, async () => { singles++; throw new Error('not expected') }, { hedgeMs: () => 60_000 })
      const got = await Promise.all(cids.map(async cid => loader.load(cid)))
      expect(got).to.deep.equal(blocks)
      expect(src.asked).to.deep.equal([{ peer: peers[0].peerId.toString(), keys: 6 }])
      expect(singles).to.equal(0)
      expect(loader.stats).to.include({ requests: 1, blocks: 6, fallbacks: 0, wrong: 0 })
    })

    it('a peer that answers UNKNOWN_TYPE gets the single gets, and no more batches', async () => {
      const src = source(async () => { throw new RemoteRejectedError('unknown request type 12', 'unknown-type') })
      peers = peers.slice(0, 1)
      const singles: string[] = []
      const loader = new BatchLoader(src, async cid => { singles.push(cid.toString()); return blocks[cids.findIndex(c => c.equals(cid))] }, { hedgeMs: () => 60_000 })
      expect(await Promise.all(cids.slice(0, 3).map(async cid => loader.load(cid)))).to.deep.equal(blocks.slice(0, 3))
      expect(src.asked).to.have.length(1)
      expect(singles).to.have.length(3)
      // remembered: the next gets go the single way at once
      expect(await Promise.all(cids.slice(3).map(async cid => loader.load(cid)))).to.deep.equal(blocks.slice(3))
      expect(src.asked).to.have.length(1)
      expect(singles).to.have.length(6)
      peers = await randomPeers(3)
    })

    it('a lying holder\'s wrong block is caught: that block goes the single way; missing and omitted ones too', async () => {
      const src = source(async (_peer, keys) => {
        const answer = await honest(_peer, keys)
        // block 1 replaced by other bytes under its key; block 2 missing; block 3 omitted; an item nobody asked for
        answer.items[1] = { ...answer.items[1], body: pseudorandomBytes(1001, 'forged') }
        answer.items.splice(2, 2)
        answer.missing.push(keys[2])
        answer.omitted.push(keys[3])
        answer.items.push({ kind: 'hash', key: hashItemKey(new Uint8Array([9])), body: new Uint8Array([9]), ttlSeconds: 0 })
        return answer
      })
      const singles: number[] = []
      const loader = new BatchLoader(src, async cid => {
        const i = cids.findIndex(c => c.equals(cid))
        singles.push(i)
        return blocks[i]
      }, { hedgeMs: () => 60_000 })
      const got = await Promise.all(cids.map(async cid => loader.load(cid)))
      expect(got).to.deep.equal(blocks)
      expect(singles.sort()).to.deep.equal([1, 2, 3])
      expect(loader.stats).to.include({ requests: 1, blocks: 3, fallbacks: 3, wrong: 1 })
    })

    it('a batch with no answer within the hedge delay: its blocks are also asked on their own, first block first, one per delay', async () => {
      const late = Promise.withResolvers<FetchManyAnswer>()
      const src = source(async () => late.promise)
      const singles: number[] = []
      const loader = new BatchLoader(src, async cid => {
        const i = cids.findIndex(c => c.equals(cid))
        singles.push(i)
        return blocks[i]
      }, { hedgeMs: () => 25 })
      const gets = cids.map(async cid => loader.load(cid))
      expect(await gets[0]).to.deep.equal(blocks[0])
      expect(await gets[1]).to.deep.equal(blocks[1])
      expect(singles).to.deep.equal([0, 1])
      // the answer comes after all: the rest come from it, nothing more is asked on its own
      late.resolve(await honest(peers[0], cids.map(c => c.multihash.digest)))
      expect(await Promise.all(gets)).to.deep.equal(blocks)
      expect(singles).to.deep.equal([0, 1])
      expect(loader.stats).to.include({ requests: 1, blocks: 4, fallbacks: 2 })
    })

    it('keeps at most 16 keys in flight at one peer: the rest wait for its answer (or go to another holder with room)', async () => {
      const many = Array.from({ length: 20 }, (_, i) => pseudorandomBytes(100, `inflight-${i}`))
      const manyByKey = new Map(many.map(b => [hexKey(hashItemKey(b)), b]))
      const answers: Array<PromiseWithResolvers<void>> = []
      const asked: number[] = []
      const one = peers.slice(0, 1)
      const src: BlockBatchSource = {
        holdsHere: () => false,
        holdersOf: () => one,
        fetchMany: async (_peer, keys) => {
          asked.push(keys.length)
          const gate = Promise.withResolvers<void>()
          answers.push(gate)
          await gate.promise
          return { items: keys.map(key => ({ kind: 'hash', key, body: manyByKey.get(hexKey(key))!, ttlSeconds: 0 })), missing: [], omitted: [] }
        }
      }
      const loader = new BatchLoader(src, async () => { throw new Error('not expected') }, { hedgeMs: () => 60_000 })
      const gets = Promise.all(many.map(async b => loader.load(cidOf(b))))
      while (asked.length < 1) await new Promise(resolve => setImmediate(resolve))
      await new Promise(resolve => setTimeout(resolve, 20))
      expect(asked).to.deep.equal([16])
      answers[0].resolve()
      while (asked.length < 2) await new Promise(resolve => setImmediate(resolve))
      expect(asked).to.deep.equal([16, 4])
      answers[1].resolve()
      expect(await gets).to.deep.equal(many)
    })

    it('groups by the holder most of the turn\'s blocks share, nearest first on a tie', async () => {
      const [p, q, r] = peers
      const w = (...holders: FoundPeer[]) => ({ holders })
      const groups = groupByHolder([w(p, q), w(q, r), w(r, q), w(p, r)])
      expect(groups.map(([peer, ws]) => [peer.peerId.toString(), ws.length])).to.deep.equal([[q.peerId.toString(), 3], [p.peerId.toString(), 1]])
    })

    // The cases below are the hang of a cat through a daemon (README, "Several blocks per request"): each
    // failed on the loader before it kept its own bounds (a get waited on its batch's request, and one
    // queued for room at a holder on that holder's answers, with no end of its own).
    describe('every get ends, whatever the holders do', () => {
      const many = Array.from({ length: 20 }, (_, i) => pseudorandomBytes(100, `stuck-${i}`))
      const manyCids = many.map(cidOf)
      const manyByCid = new Map(many.map((b, i) => [manyCids[i].toString(), b]))
      /** A holder whose FETCH_MANY never settles, and that does not hear its abort either. */
      function silent (extra: Partial<BlockBatchSource> = {}): BlockBatchSource & { asked: number[] } {
        const asked: number[] = []
        return { asked, holdsHere: () => false, holdersOf: () => peers.slice(0, 1), fetchMany: async (_peer, keys) => { asked.push(keys.length); return new Promise(() => {}) }, ...extra }
      }
      const singleFromMemory = (singles: string[]) => async (cid: CID): Promise<Uint8Array> => { singles.push(cid.toString()); return manyByCid.get(cid.toString())! }
      /** Every promise settled within `ms` (a clear failure instead of the spec's timeout), with what each did. */
      async function settledWithin<T> (gets: Array<Promise<T>>, ms: number): Promise<Array<PromiseSettledResult<T>>> {
        let timer: ReturnType<typeof setTimeout> | undefined
        const all = Promise.allSettled(gets)
        let done = 0
        for (const g of gets) g.then(() => { done++ }, () => { done++ })
        try {
          return await Promise.race([all, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${gets.length - done} of ${gets.length} gets still pending after ${ms} ms`)) }, ms) })])
        } finally {
          clearTimeout(timer)
        }
      }

      it('a holder that never answers: its batch is given up just after the request deadline, and its blocks and those waiting for room there go the single way', async () => {
        const src = silent({ requestTimeoutMs: 150 })
        const singles: string[] = []
        // hedges far off: only the loader's deadline on the request can free the holder's slots
        const loader = new BatchLoader(src, singleFromMemory(singles), { hedgeMs: () => 60_000 })
        const results = await settledWithin(manyCids.map(async cid => loader.load(cid)), 5_000)
        expect(results.map(r => r.status === 'fulfilled' ? r.value : r.reason)).to.deep.equal(many)
        // 16 in the first batch; the other 4 waited for room, then went in a second batch once the first was given up
        expect(src.asked).to.deep.equal([16, 4])
        expect(singles).to.have.length(20)
        expect(loader.stats).to.include({ requests: 2, blocks: 0, fallbacks: 20, expired: 2 })
      })

      it('a get waiting for room at a holder that keeps it busy goes the single way after the hedge delay', async () => {
        // the request's deadline well after the hedges: only they and the wait for room can end the gets
        const src = silent({ requestTimeoutMs: 10_000 })
        const singles: string[] = []
        const loader = new BatchLoader(src, singleFromMemory(singles), { hedgeMs: () => 25 })
        const results = await settledWithin(manyCids.map(async cid => loader.load(cid)), 8_000)
        expect(results.map(r => r.status === 'fulfilled' ? r.value : r.reason)).to.deep.equal(many)
        expect(src.asked).to.deep.equal([16])
        // the 4 without room: overdue after 50 ms; the batch's 16: hedged one per 50 ms
        expect(loader.stats).to.include({ requests: 1, fallbacks: 20, overdue: 4, expired: 0 })
      })

      it('an abort ends every get at once, in a batch or waiting for room', async () => {
        const src = silent({ requestTimeoutMs: 10_000 })
        const loader = new BatchLoader(src, async () => { throw new Error('not expected') }, { hedgeMs: () => 60_000 })
        const stop = new AbortController()
        const gets = manyCids.map(async cid => loader.load(cid, stop.signal))
        while (src.asked.length < 1) await new Promise(resolve => setImmediate(resolve))
        const reason = new Error('the reader went away')
        stop.abort(reason)
        const results = await settledWithin(gets, 1_000)
        expect(results.map(r => r.status === 'rejected' ? r.reason : r.value)).to.deep.equal(many.map(() => reason))
      })

      it('a get fails with a TimeoutError at its own deadline when nothing under it settles (batch and single alike)', async () => {
        const src = silent({ requestTimeoutMs: 50 })
        const loader = new BatchLoader(src, async () => new Promise(() => {}), { hedgeMs: () => 10, singleMs: 100 })
        const started = Date.now()
        const results = await settledWithin(manyCids.map(async cid => loader.load(cid)), 5_000)
        for (const r of results) {
          expect(r.status).to.equal('rejected')
          expect((r as PromiseRejectedResult).reason).to.have.property('name', 'TimeoutError')
        }
        // 20 + 1.25 × 50 + 100 ms each
        expect(Date.now() - started).to.be.at.least(175)
        expect(loader.stats.timedOut).to.equal(20)
      })

      it('the same block asked twice in one turn (a file whose blocks repeat): one key in the request, both gets answered', async () => {
        const src = source(honest)
        const keys: string[][] = []
        const asking = src.fetchMany.bind(src)
        src.fetchMany = async (peer, k, signal) => { keys.push(k.map(hexKey)); return asking(peer, k, signal) }
        const loader = new BatchLoader(src, async () => { throw new Error('not expected') }, { hedgeMs: () => 60_000 })
        const got = await Promise.all([cids[0], cids[1], cids[0], cids[0]].map(async cid => loader.load(cid)))
        expect(got).to.deep.equal([blocks[0], blocks[1], blocks[0], blocks[0]])
        expect(keys).to.deep.equal([[cids[0], cids[1]].map(c => hexKey(c.multihash.digest))])
        expect(loader.stats).to.include({ requests: 1, blocks: 4, fallbacks: 0 })
      })
    })
  })

  describe('cat on an in-memory network whose holders misbehave', () => {
    let net: MemoryNetwork
    // short request deadline: a holder that never answers costs 400 ms, not 5 s
    before(async () => { net = await createMemoryNetwork(8, { requestTimeout: 400 }) })
    after(async () => { await net?.stop() })

    it('holders that never answer FETCH_MANY, answer BUSY, or leave keys out unnamed: the cat is whole, in bounded time', async () => {
      const size = 40 * 65_536 + 5
      const added = await new Files(net.nodes[0]).add(pseudorandom(size, 'cat-rough'))
      const reader = net.nodes[5]
      const kinds = new Map<string, string>()
      net.nodes.forEach((node, i) => {
        if (node === reader) return
        const server = node[internals].server
        const answer = server.answer.bind(server)
        const kind = ['silent', 'busy', 'forgetful'][i % 3]
        kinds.set(net.peerId(node).toString(), kind)
        server.answer = async (req, from, signal) => {
          if (req.type !== Frame.Type.FETCH_MANY) return answer(req, from, signal)
          if (kind === 'silent') return new Promise(() => {})
          if (kind === 'busy') return { id: req.id, type: req.type, response: true, status: Status.BUSY, message: 'busy' } as Frame
          const response = await answer(req, from, signal)
          // every other item dropped, and not named missing or omitted either
          response.fetchManyResponse!.items = response.fetchManyResponse!.items.filter((_item, j) => j % 2 === 0)
          return response
        }
      })
      const files = new Files(reader)
      expect(files.batches).to.not.equal(undefined)
      const started = Date.now()
      const { hex, bytes } = await digestOf(files.read(await files.stat(added.cid.toString())))
      expect(bytes).to.equal(size)
      expect(hex).to.equal((await digestOf(pseudorandom(size, 'cat-rough'))).hex)
      // 41 blocks, a window of 32: a few request deadlines at most, not one per block
      expect(Date.now() - started).to.be.below(30_000)
      expect(files.batches!.stats.fallbacks).to.be.greaterThan(0)
    })
  })

  describe('cat on an in-memory network', () => {
    let net: MemoryNetwork
    let counts: Map<string, Map<string, number>>
    before(async () => {
      net = await createMemoryNetwork(8)
      counts = new Map()
      for (const node of net.nodes) {
        const server = node[internals].server
        const answer = server.answer.bind(server)
        const id = net.peerId(node).toString()
        server.answer = async (req, from, signal) => {
          const byType = counts.get(id) ?? new Map<string, number>()
          counts.set(id, byType)
          byType.set(String(req.type), (byType.get(String(req.type)) ?? 0) + 1)
          const response = await answer(req, from, signal)
          byType.set('served', (byType.get('served') ?? 0) + (response.fetchManyResponse?.items.length ?? 0))
          return response
        }
      }
    })
    after(async () => { await net?.stop() })
    const total = (type: string): number => [...counts.values()].reduce((n, m) => n + (m.get(type) ?? 0), 0)

    async function remoteBlocks (reader: Toyrrent, files: Files, root: CID): Promise<number> {
      let n = 0
      for await (const b of dagBlocks(root, files.load, { leaves: false })) if (reader[internals].store.meta(blockKey(b.cid)) == null) n++
      return n
    }

    it('a cat asks each holder ceil(its blocks / 16) FETCH_MANY at most (plus one per window wave), and no block by FETCH', async () => {
      const size = 60 * 65_536 + 123
      const added = await new Files(net.nodes[0]).add(pseudorandom(size, 'cat-many'))
      const reader = net.nodes[5]
      counts.clear()
      const files = new Files(reader, { fetchMany: true })
      const entry = await files.stat(added.cid.toString())
      const { hex, bytes } = await digestOf(files.read(entry))
      expect(bytes).to.equal(size)
      expect(hex).to.equal((await digestOf(pseudorandom(size, 'cat-many'))).hex)
      expect(total('FETCH')).to.equal(0)
      const many = total('FETCH_MANY')
      expect(many).to.be.greaterThan(0)
      expect(files.batches?.stats).to.include({ fallbacks: 0, wrong: 0 })
      const remote = files.batches!.stats.blocks
      // every remote block came in a batch, several per request on average
      expect(remote).to.equal(await remoteBlocks(reader, new Files(reader, { fetchMany: false }), added.cid))
      // several blocks per request on average (all at once here: no latency, so the window's turns are few)
      expect(many).to.be.at.most(Math.ceil(remote / 4))
      // per holder: its blocks in requests of up to 16, once per wave of the 32-block window (61 blocks: 2 waves, and the interior node's turn)
      for (const [, byType] of counts) {
        const n = byType.get('FETCH_MANY') ?? 0
        expect(n).to.be.at.most(Math.ceil((byType.get('served') ?? 0) / MAX_FETCH_MANY_KEYS) + 3)
      }
    })

    it('older nodes (UNKNOWN_TYPE): each is asked one FETCH_MANY, then FETCH only; the cat is whole', async () => {
      for (const node of net.nodes) delete (node[internals].server as any).init.handlers[Frame.Type.FETCH_MANY]
      const size = 30 * 65_536
      const added = await new Files(net.nodes[1]).add(pseudorandom(size, 'cat-old'))
      const reader = net.nodes[6]
      counts.clear()
      const files = new Files(reader, { fetchMany: true })
      const { hex, bytes } = await digestOf(files.read(await files.stat(added.cid.toString())))
      expect(bytes).to.equal(size)
      expect(hex).to.equal((await digestOf(pseudorandom(size, 'cat-old'))).hex)
      for (const [, byType] of counts) expect(byType.get('FETCH_MANY') ?? 0).to.be.at.most(1)
      expect(total('FETCH')).to.be.at.least(files.batches!.stats.fallbacks)
      expect(files.batches!.stats.blocks).to.equal(0)
    })
  })
})
