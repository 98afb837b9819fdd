/**
 * The RPC protocol as protocols/rpc.md states it, checked with raw frames
 * against a real node: the UNKNOWN_TYPE answer echoes the type number sent,
 * the "Limits and edge cases" rules (ids, unknown fields, ranges, sizes, stored
 * seq on refusals, streams per connection), and RpcServer's start / stop.
 */
import { expect } from 'chai'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { createToyrrentNode } from '../../src/node.ts'
import { Frame, ItemKind, Status } from '../../src/rpc/pb/rpc.ts'
import { RpcServer } from '../../src/rpc/server.ts'
import { InboundQueue } from '../../src/rpc/inbound-queue.ts'
import { encodeVarint } from '../../src/rpc/frame-stream.ts'
import { createPublishRecord, encodePublishRecord, publishId } from '../../src/records/publish-record.ts'
import { MAX_KEYS_PER_REQUEST, RPC_PROTOCOL } from '../../src/constants.ts'
import { RawRpc, concat, topLevelFields } from '../helpers/raw-rpc.ts'
import { dialAddr } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { HandlerTable } from '../../src/rpc/server.ts'
import type { Outcome } from '../helpers/raw-rpc.ts'
import type { Libp2p } from '@libp2p/interface'

/** Protobuf by hand: one field, to write what the generated codec will not. */
function field (num: number, wire: 0 | 2, payload: bigint | Uint8Array): Uint8Array {
  const tag = encodeVarint(num * 8 + wire)
  if (wire === 0) return concat(tag, uvarint(payload as bigint))
  return concat(tag, encodeVarint((payload as Uint8Array).byteLength), payload as Uint8Array)
}

function uvarint (value: bigint): Uint8Array {
  const out: number[] = []
  while (value >= 0x80n) {
    out.push(Number(value & 0x7fn) | 0x80)
    value >>= 7n
  }
  out.push(Number(value))
  return Uint8Array.from(out)
}

/** The top-level varint fields of a frame as they came, by field number. */
function varints (bytes: Uint8Array): Map<number, bigint> {
  return new Map(topLevelFields(bytes).filter(f => f.wire === 0).map(f => [f.field, f.value as bigint]))
}

function bytes32 (fill: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(32).fill(fill)
}

/** 32 bytes of `fill` with some bytes set: `set` maps index to value. */
function keyWith (fill: number, set: Record<number, number>): Uint8Array<ArrayBuffer> {
  const key = bytes32(fill)
  for (const [at, value] of Object.entries(set)) key[Number(at)] = value
  return key
}

function response (outcome: Outcome): Frame {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}${outcome.kind === 'reset' ? `: ${outcome.reason}` : ''}`)
  return outcome.frame
}

async function ask (rpc: RawRpc, frame: Partial<Frame>): Promise<Frame> {
  await rpc.sendFrame(Frame.encode(frame))
  return response(await rpc.next())
}

async function bareNode (): Promise<Libp2p> {
  return createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
}

describe('rpc conformance', function () {
  this.timeout(60_000)
  let target: ToyrrentNode
  let client: ToyrrentNode
  let rpc: RawRpc

  before(async () => {
    target = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    client = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [dialAddr(target)] })
    rpc = await RawRpc.open(client, target)
  })

  after(async () => {
    rpc?.abort()
    await client?.stop()
    await target?.stop()
  })

  describe('unknown request types', () => {
    // 15: the first request type number neither assigned in rpc.proto nor reserved (10 is LEAVE, 11 to 14 are reserved)
    for (const [id, type] of [[7n, 99n], [0n, 1000n], [2n ** 64n - 1n, 15n]]) {
      it(`type ${type} (id ${id}) is answered UNKNOWN_TYPE with the same id and type number; the stream serves on`, async () => {
        await rpc.sendFrame(concat(field(1, 0, id), field(2, 0, type)))
        const outcome = await rpc.next()
        expect(outcome.kind).to.equal('response')
        if (outcome.kind !== 'response') return
        const fields = varints(outcome.bytes)
        expect(fields.get(1) ?? 0n, 'id').to.equal(id)
        expect(fields.get(2), 'type').to.equal(type)
        expect(fields.get(3), 'response').to.equal(1n)
        expect(fields.get(4), 'status').to.equal(11n) // UNKNOWN_TYPE = 11 in rpc.proto
        expect(outcome.frame.status).to.equal(Status.UNKNOWN_TYPE)
        // fields in number order, as other encoders write them
        const order = topLevelFields(outcome.bytes).map(f => f.field)
        expect(order).to.deep.equal([...order].sort((a, b) => a - b))
        const next = await ask(rpc, { id: 500n, type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: bytes32(1), n: 2 } })
        expect(next.status).to.equal(Status.OK)
      })
    }

    it('a request with no type is answered UNKNOWN_TYPE with no type (0)', async () => {
      await rpc.sendFrame(field(1, 0, 5n))
      const outcome = await rpc.next()
      expect(response(outcome).status).to.equal(Status.UNKNOWN_TYPE)
      if (outcome.kind === 'response') expect(varints(outcome.bytes).get(2) ?? 0n).to.equal(0n)
      expect(response(outcome).id).to.equal(5n)
    })
  })

  it('request id 0 is an id like any other; answers carry the id they were asked with, in any order', async () => {
    await rpc.sendFrame(Frame.encode({ id: 0n, type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: bytes32(2), n: 1 } }))
    await rpc.sendFrame(Frame.encode({ id: 1n, type: Frame.Type.HOLDS, holdsRequest: { keys: [bytes32(2)] } }))
    const answers = [response(await rpc.next()), response(await rpc.next())]
    expect(answers.map(a => a.id).sort()).to.deep.equal([0n, 1n])
    for (const a of answers) expect(a.status).to.equal(Status.OK)
    expect(answers.find(a => a.id === 0n)?.findBeforeNResponse?.peers).to.have.length(1)
  })

  it('unknown fields are ignored, at the top level and inside a body', async () => {
    const plain = await ask(rpc, { id: 20n, type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: bytes32(3), n: 5 } })
    const body = concat(field(1, 2, bytes32(3)), field(2, 0, 5n), field(9, 0, 12345n), field(15, 2, new Uint8Array([1, 2, 3])))
    await rpc.sendFrame(concat(field(1, 0, 21n), field(2, 0, 1n), field(99, 0, 7n), field(10, 2, body), field(98, 2, new Uint8Array(40))))
    const extra = response(await rpc.next())
    expect(extra.id).to.equal(21n)
    expect(extra.status).to.equal(Status.OK)
    expect(extra.findBeforeNResponse).to.deep.equal(plain.findBeforeNResponse)
  })

  it('FIND_BEFORE_N: n = 0 is taken as 1 and n over 64 as 64, answered OK', async () => {
    const zero = await ask(rpc, { id: 30n, type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: bytes32(4), n: 0 } })
    expect(zero.status).to.equal(Status.OK)
    expect(zero.findBeforeNResponse?.peers).to.have.length(1)
    const many = await ask(rpc, { id: 31n, type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: bytes32(4), n: 1_000_000 } })
    expect(many.status).to.equal(Status.OK)
    // two nodes: the clamp itself is not visible here, only that the request is not refused
    expect(many.findBeforeNResponse?.peers.length).to.be.within(1, 64)
  })

  it('a target or key that is not 32 bytes is BAD_REQUEST, in every request that carries one', async () => {
    const short = new Uint8Array(31)
    const long = new Uint8Array(33)
    const cases: Array<Partial<Frame>> = [
      { type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: short, n: 3 } },
      { type: Frame.Type.FETCH, fetchRequest: { key: long, closerCount: 0 } },
      { type: Frame.Type.STORE, storeRequest: { item: { kind: ItemKind.HASH, key: short, body: new Uint8Array(1), ttlSeconds: 0, acceptors: [] }, closerCount: 0 } },
      { type: Frame.Type.HOLDS, holdsRequest: { keys: [bytes32(5), short] } },
      { type: Frame.Type.SYNC_KEYS, syncKeysRequest: { bucket: 0, keys: [{ key: bytes32(5), seq: 0n }, { key: long, seq: 0n }] } }
    ]
    let id = 40n
    for (const c of cases) {
      const answer = await ask(rpc, { ...c, id: id++ })
      expect(answer.status, String(c.type)).to.equal(Status.BAD_REQUEST)
    }
  })

  it('a request without the body of its type is BAD_REQUEST', async () => {
    let id = 50n
    for (const type of [Frame.Type.FIND_BEFORE_N, Frame.Type.FETCH, Frame.Type.STORE, Frame.Type.DIGEST, Frame.Type.SYNC_KEYS, Frame.Type.HOLDS, Frame.Type.HANDOFF]) {
      const answer = await ask(rpc, { id: id++, type })
      expect(answer.status, type).to.equal(Status.BAD_REQUEST)
    }
  })

  it(`HOLDS and SYNC_KEYS: ${MAX_KEYS_PER_REQUEST} keys are answered, ${MAX_KEYS_PER_REQUEST + 1} are BAD_REQUEST`, async () => {
    const keys = (n: number): Array<Uint8Array<ArrayBuffer>> => Array.from({ length: n }, (_, i) => keyWith(0, { 0: i >> 8, 1: i & 0xff }))
    const holds = async (n: number): Promise<Frame> => ask(rpc, { id: BigInt(60 + n), type: Frame.Type.HOLDS, holdsRequest: { keys: keys(n) } })
    const sync = async (n: number): Promise<Frame> => ask(rpc, { id: BigInt(70 + n), type: Frame.Type.SYNC_KEYS, syncKeysRequest: { bucket: 0, keys: keys(n).map(key => ({ key, seq: 0n })) } })
    expect((await holds(MAX_KEYS_PER_REQUEST)).status).to.equal(Status.OK)
    expect((await holds(MAX_KEYS_PER_REQUEST + 1)).status).to.equal(Status.BAD_REQUEST)
    const all = await sync(MAX_KEYS_PER_REQUEST)
    expect(all.status).to.equal(Status.OK)
    expect(all.syncKeysResponse?.missing).to.have.length(MAX_KEYS_PER_REQUEST)
    expect((await sync(MAX_KEYS_PER_REQUEST + 1)).status).to.equal(Status.BAD_REQUEST)
  })

  it('SYNC_KEYS bucket is advisory: every key sent is answered for, whatever its bucket', async () => {
    // keys whose last byte puts them in buckets 1, 2 and 3; the request says bucket 5
    const keys = [1, 2, 3].map(b => ({ key: keyWith(9, { 31: b }), seq: 0n }))
    const answer = await ask(rpc, { id: 80n, type: Frame.Type.SYNC_KEYS, syncKeysRequest: { bucket: 5, keys } })
    expect(answer.status).to.equal(Status.OK)
    expect(answer.syncKeysResponse?.missing).to.deep.equal(keys.map(k => k.key))
  })

  it('DIGEST: a hash that is not exactly 16 bytes is BAD_REQUEST; 16 bytes are answered', async () => {
    let id = 90n
    for (const length of [0, 5, 15, 17, 32]) {
      const answer = await ask(rpc, { id: id++, type: Frame.Type.DIGEST, digestRequest: { count: 0, hash: new Uint8Array(length) } })
      expect(answer.status, `${length} bytes`).to.equal(Status.BAD_REQUEST)
    }
    // the empty set's digest: count 0, 16 zero bytes; the two nodes share no items
    const empty = await ask(rpc, { id: id++, type: Frame.Type.DIGEST, digestRequest: { count: 0, hash: new Uint8Array(16) } })
    expect(empty.status).to.equal(Status.OK)
    expect(empty.digestResponse?.match).to.equal(true)
  })

  it('STALE_SEQ and CAS_MISMATCH carry the seq the responder holds (0 when none)', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const store = async (id: bigint, seq: bigint, expectedSeq?: bigint, signer = privateKey): Promise<Frame> => {
      const record = await createPublishRecord({ privateKey: signer, seq, value: new TextEncoder().encode(`seq ${seq}`) })
      const item = { kind: ItemKind.PUBLISH, key: publishId(signer.publicKey.raw) as Uint8Array<ArrayBuffer>, body: encodePublishRecord(record) as Uint8Array<ArrayBuffer>, ttlSeconds: 60 }
      return ask(rpc, { id, type: Frame.Type.STORE, storeRequest: { item: { ...item, acceptors: [] }, expectedSeq, closerCount: 0 } })
    }
    const first = await store(100n, 5n)
    expect(first.status).to.equal(Status.OK)
    expect(first.storeResponse?.storedSeq).to.equal(5n)
    const stale = await store(101n, 3n)
    expect(stale.status).to.equal(Status.STALE_SEQ)
    expect(stale.storeResponse?.storedSeq).to.equal(5n)
    const cas = await store(102n, 6n, 4n)
    expect(cas.status).to.equal(Status.CAS_MISMATCH)
    expect(cas.storeResponse?.storedSeq).to.equal(5n)
    // nothing held under a fresh id: the stored seq is 0
    const fresh = await store(103n, 2n, 1n, await generateKeyPair('Ed25519'))
    expect(fresh.status).to.equal(Status.CAS_MISMATCH)
    expect(fresh.storeResponse?.storedSeq).to.equal(0n)
  })

  it('at most 8 inbound RPC streams per connection: the ninth is reset, the eight serve, a closed one frees its place', async () => {
    // a bare libp2p dialer: a toyrrent node would refuse its own ninth outbound stream before sending it
    const bare = await bareNode()
    try {
      await bare.dial(multiaddr(dialAddr(target)), { signal: AbortSignal.timeout(5_000) })
      const dialer = { libp2p: bare }
      const streams: RawRpc[] = []
      for (let i = 0; i < 8; i++) streams.push(await RawRpc.open(dialer, target))
      expect(bare.getConnections(target.libp2p.peerId)).to.have.length(1)
      const ninth = await RawRpc.open(dialer, target).catch((err: Error) => err)
      if (ninth instanceof RawRpc) {
        await ninth.sendFrame(Frame.encode({ id: 1n, type: Frame.Type.HOLDS, holdsRequest: { keys: [] } })).catch(() => {})
        expect((await ninth.next()).kind).to.not.equal('response')
      }
      for (const [i, s] of streams.entries()) {
        expect((await ask(s, { id: BigInt(i), type: Frame.Type.HOLDS, holdsRequest: { keys: [] } })).status).to.equal(Status.OK)
      }
      streams.pop()?.abort()
      await waitFor('a freed stream place', async () => {
        const again = await RawRpc.open(dialer, target).catch(() => undefined)
        if (again == null) return false
        await again.sendFrame(Frame.encode({ id: 9n, type: Frame.Type.HOLDS, holdsRequest: { keys: [] } })).catch(() => {})
        const outcome = await again.next()
        if (outcome.kind === 'response') return true
        again.abort()
        return false
      })
      for (const s of streams) s.abort()
    } finally {
      await bare.stop()
    }
  })
})

describe('RpcServer start / stop', function () {
  this.timeout(30_000)
  let dialer: Libp2p
  let host: Libp2p

  before(async () => {
    dialer = await bareNode()
    host = await bareNode()
    await dialer.dial(host.getMultiaddrs(), { signal: AbortSignal.timeout(5_000) })
  })

  after(async () => {
    await dialer?.stop()
    await host?.stop()
  })

  it('serves only between start and stop: stop aborts every queued and running request on every stream and resets the streams; both are idempotent', async () => {
    const started: bigint[] = []
    const aborted: bigint[] = []
    const handlers: HandlerTable = {
      // runs until its signal aborts
      [Frame.Type.FIND_BEFORE_N]: {
        async handle (request, context) {
          started.push(request.id)
          await new Promise<void>(resolve => { context.signal.addEventListener('abort', () => { resolve() }, { once: true }) })
          aborted.push(request.id)
          return { status: Status.OK }
        }
      },
      [Frame.Type.HOLDS]: { handle: async () => ({ status: Status.OK, holdsResponse: { held: [] } }) }
    }
    // one request runs at a time: the others wait in the queue
    const queue = new InboundQueue({ concurrency: 1 })
    const server = new RpcServer({ handlers, queue, log: logger('toyrrent:test:rpc-server'), handlerTimeout: 60_000 })
    await host.handle(RPC_PROTOCOL, server.onStream)
    const to = { libp2p: host }
    const from = { libp2p: dialer }
    // not started yet: a stream is reset at once
    const early = await RawRpc.open(from, to).catch(() => undefined)
    if (early != null) expect((await early.next()).kind).to.not.equal('response')
    server.start()
    server.start()
    const slow = (id: bigint): Uint8Array => Frame.encode({ id, type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: bytes32(1), n: 1 } })
    const a = await RawRpc.open(from, to)
    const b = await RawRpc.open(from, to)
    await a.sendFrame(slow(1n))
    await waitFor('the first request to run', () => started.length === 1)
    await b.sendFrame(slow(2n))
    await a.sendFrame(slow(3n))
    await waitFor('two requests queued', () => queue.stats().queued === 2)

    server.stop()
    server.stop()
    await queue.onIdle()
    expect(aborted, 'the running handler saw its signal abort').to.deep.equal([1n])
    expect(started, 'queued requests never run').to.deep.equal([1n])
    expect((await a.next()).kind).to.equal('reset')
    expect((await b.next()).kind).to.equal('reset')
    // while stopped, a new stream is reset at once
    const refused = await RawRpc.open(from, to).catch(() => undefined)
    if (refused != null) expect((await refused.next()).kind).to.not.equal('response')

    server.start()
    server.start()
    const c = await RawRpc.open(from, to)
    expect((await ask(c, { id: 4n, type: Frame.Type.HOLDS, holdsRequest: { keys: [] } })).status).to.equal(Status.OK)
    c.abort()
    await host.unhandle(RPC_PROTOCOL)
  })
})
