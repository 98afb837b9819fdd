/**
 * Hostile input on the RPC protocol: at least 10,000 random and mutated
 * frames for each handler (find_before_n, store, fetch), written raw to
 * '/toyrrent/rpc/1.0.0' over real TCP streams. Every frame must be answered
 * or must reset its stream (never silence), the node must keep serving, and
 * its store must not change.
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createToyrrentNode } from '../../src/node.ts'
import { Frame, ItemKind } from '../../src/rpc/pb/rpc.ts'
import { StoredItem } from '../../src/store/item-store.ts'
import { encodeVarint } from '../../src/rpc/frame-stream.ts'
import { MAX_FRAME_BYTES } from '../../src/constants.ts'
import { RawRpc, concat } from '../helpers/raw-rpc.ts'
import { dialAddr } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { Outcome } from '../helpers/raw-rpc.ts'
import { internals } from '../../src/service/toyrrent.ts'
import { seededRandom } from '../../src/testing/seeded-random.ts'

const FRAMES_PER_HANDLER = 10_000
const WORKERS = 4

interface StoreSnapshot { items: number, bytes: number, digest: string }

async function snapshot (node: ToyrrentNode): Promise<StoreSnapshot> {
  const entries: string[] = []
  for (const { key } of [...node.toyrrent[internals].store.metas()]) {
    const item = await node.toyrrent[internals].store.get(key)
    entries.push(Buffer.from(key).toString('hex') + (item == null ? '-' : Buffer.from(StoredItem.encode(item)).toString('hex')))
  }
  entries.sort()
  return { items: node.toyrrent[internals].store.size, bytes: node.toyrrent[internals].store.bytes, digest: createHash('sha256').update(entries.join('\n')).digest('hex') }
}

/** Protobuf by hand, to write fields with the wrong wire type. */
function field (num: number, wire: 0 | 1 | 2 | 5, payload: Uint8Array | number): Uint8Array {
  const tag = encodeVarint(num * 8 + wire)
  if (wire === 0) return concat(tag, encodeVarint(payload as number))
  if (wire === 2) return concat(tag, encodeVarint((payload as Uint8Array).byteLength), payload as Uint8Array)
  return concat(tag, (payload as Uint8Array).subarray(0, wire === 1 ? 8 : 4))
}

class FrameGen {
  private readonly rand: () => number
  private nextId = 1n

  constructor (seed: number, private readonly type: Frame.Type, private readonly keys: Uint8Array[]) {
    this.rand = seededRandom(seed) // so a failure can be replayed with FUZZ_SEED
  }

  int (n: number): number { return Math.floor(this.rand() * n) }
  bytes (n: number): Uint8Array<ArrayBuffer> { return Uint8Array.from({ length: n }, () => this.int(256)) }
  key (): Uint8Array<ArrayBuffer> { return this.rand() < 0.5 ? new Uint8Array(this.keys[this.int(this.keys.length)]) : this.bytes(this.rand() < 0.9 ? 32 : this.int(40)) }

  /** A well-formed request of this handler's type (one the store refuses, for STORE). */
  seed (): Uint8Array {
    const id = this.nextId++
    switch (this.type) {
      case Frame.Type.FIND_BEFORE_N:
        return Frame.encode({ id, type: this.type, findBeforeNRequest: { target: this.key(), n: this.int(200) } })
      case Frame.Type.FETCH:
        return Frame.encode({ id, type: this.type, fetchRequest: { key: this.key(), closerCount: this.rand() < 0.5 ? this.int(100) : 0 } })
      default: {
        // never a valid item: a hash item whose body does not hash to its key, a publish item that is not a signed record,
        // or a routing record that is not one (protocols/routing-record.md)
        const kind = [ItemKind.HASH, ItemKind.PUBLISH, ItemKind.ROUTING][this.int(3)]
        const item = { kind, key: this.key(), body: this.bytes(this.int(300)), ttlSeconds: this.rand() < 0.3 ? this.int(100_000) : 0 }
        return Frame.encode({ id, type: this.type, storeRequest: { item: { ...item, acceptors: [] }, expectedSeq: this.rand() < 0.3 ? BigInt(this.int(5)) : undefined, closerCount: this.rand() < 0.3 ? this.int(100) : 0 } })
      }
    }
  }

  mutate (bytes: Uint8Array): Uint8Array {
    const out = [...bytes]
    const rounds = 1 + this.int(4)
    for (let r = 0; r < rounds; r++) {
      const at = this.int(out.length + 1)
      switch (this.int(6)) {
        case 0: if (out.length > 0) out[at % out.length] ^= 1 << this.int(8); break
        case 1: if (out.length > 0) out[at % out.length] = this.int(256); break
        case 2: out.splice(at, 0, ...this.bytes(1 + this.int(8))); break
        case 3: out.splice(at, 1 + this.int(8)); break
        case 4: out.length = Math.min(out.length, at); break
        default: out.splice(at, 0, ...out.slice(at, at + 1 + this.int(16)))
      }
    }
    return Uint8Array.from(out)
  }

  /** Fields of the frame and its bodies with the wrong wire type. */
  wrongTypes (): Uint8Array {
    const bodyField = this.type === Frame.Type.FIND_BEFORE_N ? 10 : this.type === Frame.Type.STORE ? 12 : 14
    const typeNumber = this.type === Frame.Type.FIND_BEFORE_N ? 1 : this.type === Frame.Type.STORE ? 2 : 3
    const parts = [field(1, 0, Number(this.nextId++)), field(2, 0, typeNumber)]
    switch (this.int(5)) {
      case 0: parts.push(field(bodyField, 0, this.int(1 << 20))); break
      case 1: parts.push(field(1, 2, this.bytes(this.int(20)))); break
      case 2: parts.push(field(bodyField, 2, concat(field(1, 0, this.int(1000)), field(2, 2, this.bytes(this.int(40)))))); break
      case 3: parts.push(field(2, 2, this.bytes(this.int(10)))); break
      default: parts.push(field(bodyField, this.rand() < 0.5 ? 1 : 5, this.bytes(8)))
    }
    // shuffle the field order too
    return concat(...parts.sort(() => this.rand() - 0.5))
  }

  /** One fuzz case: the bytes to write (prefix included), and whether to half-close after. */
  next (): { bytes: Uint8Array, close: boolean, kind: string } {
    const p = this.rand()
    const framed = (body: Uint8Array): Uint8Array => concat(encodeVarint(body.byteLength), body)
    if (p < 0.40) return { bytes: framed(this.mutate(this.seed())), close: false, kind: 'mutated' }
    if (p < 0.55) return { bytes: framed(this.wrongTypes()), close: false, kind: 'wrong-types' }
    if (p < 0.70) return { bytes: framed(this.bytes(this.int(300))), close: false, kind: 'random' }
    if (p < 0.75) return { bytes: concat(encodeVarint(MAX_FRAME_BYTES + 1 + this.int(1 << 30)), this.bytes(this.int(16))), close: false, kind: 'over-cap' }
    if (p < 0.80) {
      const body = this.seed()
      return { bytes: concat(encodeVarint(body.byteLength + 1 + this.int(100)), body), close: true, kind: 'truncated' }
    }
    if (p < 0.85) return { bytes: framed(concat(field(1, 0, Number(this.nextId++)), field(2, 0, 64 + this.int(1000)))), close: false, kind: 'unknown-type' }
    if (p < 0.90) return { bytes: framed(new Uint8Array(0)), close: false, kind: 'empty' }
    return { bytes: framed(this.seed()), close: false, kind: 'valid' }
  }
}

describe('hostile input on the RPC protocol', function () {
  this.timeout(60_000)
  let target: ToyrrentNode
  let attacker: ToyrrentNode
  const keys: Uint8Array[] = []
  let initial: StoreSnapshot

  before(async () => {
    target = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], frameTimeout: 500 })
    attacker = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [dialAddr(target)] })
    // written once both are up: a write needs W = 2 acknowledgements (the target keeps its own users' items pinned)
    for (let i = 0; i < 5; i++) keys.push((await target.toyrrent.put(new TextEncoder().encode(`fuzz item ${i}`))).key)
    const publisher = await generateKeyPair('Ed25519')
    keys.push((await target.toyrrent.publish(publisher, new TextEncoder().encode('a record'))).id)
    initial = await snapshot(target)
    expect(initial.items).to.equal(6)
  })

  after(async () => {
    await attacker?.stop()
    await target?.stop()
  })

  it('a stream that sends part of a frame and stalls is reset after the frame deadline; an idle one is not', async () => {
    const idle = await RawRpc.open(attacker, target)
    const stalled = await RawRpc.open(attacker, target)
    const body = Frame.encode({ id: 1n, type: Frame.Type.FETCH, fetchRequest: { key: new Uint8Array(keys[0]), closerCount: 0 } })
    const started = Date.now()
    await stalled.sendRaw(concat(encodeVarint(body.byteLength), body.subarray(0, 5)))
    const outcome = await stalled.next(5_000)
    expect(outcome.kind).to.equal('reset')
    // frameTimeout is 500 ms on the target
    expect(Date.now() - started).to.be.within(400, 3_000)
    // the idle stream, silent all along, still serves
    expect(idle.open).to.equal(true)
    await idle.sendFrame(body)
    const answer = await idle.next(5_000)
    expect(answer.kind === 'response' ? answer.frame.status : answer.kind).to.equal('OK')
    idle.abort()
  })

  it('a length prefix over the cap resets the stream without the body being sent', async () => {
    const rpc = await RawRpc.open(attacker, target)
    await rpc.sendRaw(encodeVarint(MAX_FRAME_BYTES + 1))
    expect((await rpc.next(5_000)).kind).to.equal('reset')
  })

  for (const type of [Frame.Type.FIND_BEFORE_N, Frame.Type.STORE, Frame.Type.FETCH]) {
    it(`${FRAMES_PER_HANDLER} random and mutated ${type} frames: each answered or reset, store unchanged`, async () => {
      const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9)
      const tally = new Map<string, number>()
      let fed = 0
      // Seen once in a few dozen runs, after thousands of reset streams on one
      // connection: libp2p's newStream counted our fresh stream as another
      // protocol's ("Too many outbound protocol streams for protocol
      // /ipfs/ping/1.0.0 - 2/1"). The attacker's open failing says nothing about
      // the target, so that one error gets one more try; any other fails the test.
      const openForFuzzing = async (): Promise<RawRpc> => RawRpc.open(attacker, target).catch(async (err: Error) => {
        if (err.name !== 'TooManyOutboundProtocolStreamsError') throw err
        return RawRpc.open(attacker, target)
      })
      const worker = async (w: number): Promise<void> => {
        const gen = new FrameGen(seed + w, type, keys)
        let rpc: RawRpc | undefined
        while (fed < FRAMES_PER_HANDLER) {
          fed++
          rpc ??= await openForFuzzing().catch((err: Error) => { throw new Error(`open after ${fed} frames: ${err.message} ${JSON.stringify(Object.fromEntries(tally))}`) })
          const fuzz = gen.next()
          let outcome: Outcome
          try {
            await rpc.sendRaw(fuzz.bytes)
            if (fuzz.close) await rpc.stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => {})
            outcome = await rpc.next(5_000)
          } catch (err: any) {
            if (err.message?.startsWith('server neither') === true) throw new Error(`seed ${seed}: ${fuzz.kind} frame ${Buffer.from(fuzz.bytes).toString('hex').slice(0, 200)}: ${err.message}`)
            outcome = { kind: 'reset', reason: err.message }
          }
          const label = outcome.kind === 'response' ? `${fuzz.kind}:${outcome.frame.status}` : `${fuzz.kind}:${outcome.kind}`
          tally.set(label, (tally.get(label) ?? 0) + 1)
          if (fuzz.kind === 'over-cap' || fuzz.kind === 'truncated') expect(outcome.kind, `seed ${seed} ${fuzz.kind}`).to.not.equal('response')
          if (outcome.kind !== 'response' || fuzz.close) {
            rpc.abort()
            rpc = undefined
          }
        }
        rpc?.abort()
      }
      await Promise.all(Array.from({ length: WORKERS }, async (_, w) => { await worker(w) }))
      expect(fed).to.be.at.least(FRAMES_PER_HANDLER)
      // eslint-disable-next-line no-console
      if (process.env.FUZZ_VERBOSE != null) console.log(type, seed, Object.fromEntries([...tally].sort()))

      // the node still answers, and nothing it stores changed
      expect(await snapshot(target)).to.deep.equal(initial)
      const value = await attacker.toyrrent.get(keys[0], { timeout: 5_000 })
      expect(new TextDecoder().decode(value)).to.equal('fuzz item 0')
      const found = await attacker.toyrrent.findBeforeN(keys[1], 2, { timeout: 5_000 })
      expect(found.map(p => p.peerId.toString())).to.include(target.libp2p.peerId.toString())
    })
  }
})
