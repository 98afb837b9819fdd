/**
 * Compare-and-swap with a paused acceptor (protocols/cas.md, "A node that is
 * paused and resumes"), on the in-memory network with the interleaving
 * fixed by hand:
 *
 *  1. the id's replica set is {A, B, C}, D the next nearest;
 *     everyone holds seq 1;
 *  2. C is paused (SIGSTOP-like: it answers nothing and, for itself, time
 *     jumps when it resumes); its peers time out on it and drop it, so their
 *     replica set becomes {A, B, D};
 *  3. P1 swaps v1 in at expected seq 1 while A is slow for it from the ACCEPT
 *     on (A, B and D promise: a slot under the view rule needs all R): B and
 *     D accept and store v1, and P1 is acknowledged;
 *  4. C resumes with its old table (it still counts itself a replica) and,
 *     as a proposer, swaps at expected seq 1 too, its answer from B slow.
 *
 * Before the fix, A and C (both at seq 1, A never reached by P1) formed a
 * quorum disjoint from {B, D}: C's own record was acknowledged as well (two
 * acknowledgements for one expected seq), or, when C had accepted an old value
 * before the pause, that value was chosen and stored on A and C, hiding the
 * acknowledged v1 from readers. (Before the view rule's full phase-1 quorum,
 * P1 needed no promise from A and A was slow for it from the PREPARE on; now
 * such a P1 gets insufficient-peers, and B's promise, needed by C too, also
 * stops C: the pause rule is a second line here.)
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { systemClock } from '../../../src/clock.ts'
import { createPublishRecord, decodePublishRecord, encodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { PauseWatch } from '../../../src/service/pause-watch.ts'
import { waitFor } from '../helpers.ts'
import type { Clock } from '../../../src/clock.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PrivateKey } from '@libp2p/interface'

const R = 3
const REQUEST_TIMEOUT = 600
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e))

/** The system clock, except that time jumps forward when the node resumes from a pause (as a stopped process sees it). */
class PausableClock implements Clock {
  skew = 0
  now (): number { return systemClock.now() + this.skew }
  monotonic (): number { return systemClock.monotonic() + this.skew }
  setTimeout (fn: () => void, ms: number): ReturnType<Clock['setTimeout']> { return systemClock.setTimeout(fn, ms) }
  clearTimeout (timer: ReturnType<Clock['setTimeout']> | undefined): void { systemClock.clearTimeout(timer) }
  timeoutSignal (ms: number): AbortSignal { return systemClock.timeoutSignal(ms) }
}

describe('unit: compare-and-swap with a paused acceptor', function () {
  this.timeout(60_000)
  let net: MemoryNetwork
  let clock: PausableClock
  let paused: Toyrrent

  beforeEach(async () => {
    net = await createMemoryNetwork(8, { requestTimeout: REQUEST_TIMEOUT })
    clock = new PausableClock()
    paused = await net.add({ clock })
  })
  afterEach(async () => { await net?.stop() })

  /** A key whose replica set holds the paused node: {A, B, C = paused} (in any order), D the next nearest. */
  async function keyWithPausedReplica (): Promise<{ key: PrivateKey, id: Uint8Array, a: Toyrrent, b: Toyrrent, d: Toyrrent }> {
    for (let i = 0; i < 500; i++) {
      const key = await generateKeyPair('Ed25519')
      const id = publishId(key.publicKey.raw)
      const nearest = net.nearest(id, R + 1)
      if (!nearest.slice(0, R).includes(paused)) continue
      const [a, b] = nearest.slice(0, R).filter(n => n !== paused)
      return { key, id, a, b, d: nearest[R] }
    }
    throw new Error(`no key found with the paused node among the replicas (${net.nodes.length} nodes, paused among them: ${net.nodes.includes(paused)})`)
  }

  /** SIGSTOP: nobody reaches it; every peer timed out on it three times and dropped it. */
  function pause (node: Toyrrent): void {
    net.down(node)
    for (const other of net.nodes) if (other !== node) other[internals].table.remove(net.peerId(node))
  }

  /** SIGCONT after `ms`: reachable again, and for itself the time jumped. */
  function resume (node: Toyrrent, ms: number): void {
    clock.skew += ms
    net.up(node)
  }

  async function scenario (cAcceptedOldValue: boolean): Promise<void> {
    const { key, id, a, b, d } = await keyWithPausedReplica()
    const c = paused
    const others = net.nodes.filter(n => ![a, b, c, d].includes(n))
    const p1 = others[0]
    // 1. seq 1 everywhere
    await p1.publishRecord(await createPublishRecord({ privateKey: key, seq: 1n, value: text('v-1') }))
    await waitFor('seq 1 on A, B and C', async () => {
      await Promise.all(net.nodes.map(async n => n.repair()))
      return [a, b, c].every(n => n[internals].store.meta(id)?.seq === 1n)
    }, 5000)
    if (cAcceptedOldValue) {
      // an earlier proposer's ACCEPT reached C alone before the pause
      const old = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v-old') })
      const accepted = await (c as any).paxos.accept(id, 1n, { counter: 1n, proposer: new Uint8Array([1, 2, 3]) }, { record: encodePublishRecord(old), acceptors: [] })
      expect(accepted.accepted).to.equal(true)
    }
    // 2. C is paused; its peers drop it
    pause(c)
    // 3. P1 swaps v1 in at expected seq 1, A too slow for it to hear from the ACCEPT on (a slot under the view
    //    rule needs every one of the R nearest to promise, so A promises; its ACCEPT and STORE time out)
    const rpc = p1[internals].rpc
    const accept = rpc.accept
    rpc.accept = async (...args) => {
      net.setDelay((from, to) => from.equals(net.peerId(p1)) && to.equals(net.peerId(a)) ? REQUEST_TIMEOUT * 4 : 0)
      return accept.apply(rpc, args)
    }
    const v1 = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v1') })
    try {
      expect(await codeOf(p1.publishRecord(v1, { expectedSeq: 1n }))).to.equal('ok')
    } finally {
      rpc.accept = accept
    }
    expect(a[internals].store.meta(id)?.seq, 'A never heard of v1').to.equal(1n)
    // 4. C resumes after 20 s of silence and swaps at expected seq 1 itself, B slow to answer it
    resume(c, 20_000)
    net.setDelay((from, to) => from.equals(net.peerId(c)) && to.equals(net.peerId(b)) ? REQUEST_TIMEOUT / 2 : 0)
    const v2 = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v2') })
    const second = await codeOf(c.publishRecord(v2, { expectedSeq: 1n }))
    expect(second, 'a second acknowledgement for expected seq 1').to.not.equal('ok')
    // the acknowledged v1 stays what every reader sees, after repair too
    net.setDelay(0)
    for (const reader of [a, b, c, d, ...others]) {
      expect(str((await reader.resolve(id)).value), 'resolve after v1 was acknowledged').to.equal('v1')
    }
    await Promise.all(net.nodes.map(async n => n.repair()))
    for (const reader of [a, c, others[1]]) expect(str((await reader.resolve(id)).value)).to.equal('v1')
    for (const n of net.nodes) {
      const stored = await n[internals].store.get(id)
      if (stored != null && decodePublishRecord(stored.body).seq === 2n) expect(str(decodePublishRecord(stored.body).value), 'seq 2 stored anywhere').to.equal('v1')
    }
  }

  it('a resumed acceptor and a replica the winner never reached do not acknowledge a second write for the same expected seq', async () => {
    await scenario(false)
  })

  it('a resumed acceptor\'s old accepted value is never chosen over an acknowledged write', async () => {
    await scenario(true)
  })
})

describe('unit: PauseWatch', () => {
  it('tells a pause from ordinary ticks, at once when asked, once per pause', () => {
    let t = 0
    let fire: (() => void) | undefined
    const clock: Clock = { ...systemClock, monotonic: () => t, setTimeout: (fn: () => void) => { fire = fn; return {} }, clearTimeout: () => { fire = undefined } }
    const pauses: number[] = []
    const watch = new PauseWatch({ clock, tickMs: 1000, gapMs: 2500, onPause: ms => { pauses.push(ms) } })
    expect(watch.check(), 'not started').to.equal(false)
    watch.start()
    for (let i = 0; i < 5; i++) { t += 1000 + 300; fire?.() }
    expect(pauses, 'ticks a little late are no pause').to.deep.equal([])
    t += 20_000
    expect(watch.check(), 'a request read right after the resume').to.equal(true)
    expect(watch.check()).to.equal(false)
    fire?.()
    expect(pauses.length).to.equal(1)
    expect(pauses[0]).to.be.within(18_000, 20_000)
    watch.stop()
    t += 60_000
    expect(watch.check(), 'stopped').to.equal(false)
  })
})
