/**
 * The iterative lookup behind find_before_n, get and put: ask the nearest
 * peers not yet asked (alpha at a time) for peers nearer to the target, until
 * the n nearest known peers have all answered. A peer that fails or times out
 * drops out and the next nearest takes its place; one dead peer never fails
 * the lookup.
 */
import { nearestN } from '../keyspace.ts'
import type { FoundPeer } from '../found-peer.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'

export interface QueryOutcome {
  /** Peers the queried peer says are near the target. */
  closer: FoundPeer[]
  /** End the lookup now (a get found its value, a read has its quorum). */
  stop?: boolean
  /** While the lookup is still narrow, this answer is no reason to widen it (a quorum read waits for its other first answers). */
  staysNarrow?: boolean
}

export interface LookupInit {
  target: Uint8Array
  n: number
  alpha: number
  /**
   * Send only this many queries at first and widen to `alpha` at a time once
   * one of them fails or comes back without ending the lookup (unless it
   * `staysNarrow`), or after `hedgeMs`: a get that the nearest peer answers
   * costs one request, a read that its first quorum settles costs a quorum.
   */
  initialAlpha?: number
  hedgeMs?: number
  /** Asked when the hedge timer fires: false keeps the lookup narrow (a hedge budget spent). @default always */
  mayHedge?(): boolean
  /** This node: a candidate that needs no query. */
  self: FoundPeer
  /** False for a client node: it is never among the results (nor queried). @default true */
  selfServes?: boolean
  /** Where to start: the peers we already know nearest to the target. */
  seeds: FoundPeer[]
  /**
   * Peers named for this target from elsewhere while the lookup runs (the
   * join's routed find): candidates when they come; the `urgent` nearest of
   * them are asked at once, beyond `alpha` (their connections are being
   * opened already).
   */
  more?: Promise<{ peers: FoundPeer[], urgent: number }>
  query(peer: FoundPeer, signal: AbortSignal): Promise<QueryOutcome>
  signal: AbortSignal
  clock?: Clock
  /**
   * Watch the nearest `count` candidates before the lookup ends (the join
   * pulls its handoff from them): `onNear` hears each peer that answers
   * while it is among them (it may drop out later), `onSettled` once, the
   * first time all of them have answered, or at the end. The lookup goes on
   * to its `n` either way.
   */
  near?: NearWatch
}

export interface NearWatch {
  count: number
  onNear?(peer: FoundPeer): void
  onSettled(peers: FoundPeer[]): void
}

export interface LookupResult {
  /** The n nearest peers that answered (and ourselves if we qualify), nearest first. */
  peers: FoundPeer[]
  /** Peers that answered. */
  answered: number
  /** Peers that failed to answer. */
  failed: number
  /** Requests sent. */
  queried: number
  /** True when a query asked to stop early. */
  stopped: boolean
  /** Longest chain of referrals (seed = 1 hop) that led to one of `peers`. */
  hops: number
}

type State = 'new' | 'pending' | 'answered' | 'failed'

interface Candidate { peer: FoundPeer, state: State, hop: number, urgent?: boolean }

export async function lookup (init: LookupInit): Promise<LookupResult> {
  return new Lookup(init).run()
}

/** One lookup's state: the candidates met so far and the queries in flight. */
class Lookup {
  private readonly init: LookupInit
  private readonly candidates = new Map<string, Candidate>()
  // queries still running are abandoned (not awaited) once the lookup ends
  private readonly controller = new AbortController()
  private readonly signal: AbortSignal
  private inflight = 0
  private answered = 0
  private failed = 0
  private queried = 0
  private stopped = false
  private width: number
  private nearSettled = false
  private wake: () => void = () => {}

  constructor (init: LookupInit) {
    this.init = init
    this.signal = AbortSignal.any([init.signal, this.controller.signal])
    this.width = init.initialAlpha ?? init.alpha
    // a client is kept as a candidate only so that nobody queries it
    this.candidates.set(init.self.peerId.toString(), { peer: init.self, state: init.selfServes === false ? 'failed' : 'answered', hop: 0 })
    init.seeds.forEach(peer => { this.consider(peer, 1) })
    init.more?.then(more => { this.named(more.peers, more.urgent) }, () => {})
  }

  async run (): Promise<LookupResult> {
    const clock = this.init.clock ?? systemClock
    const hedge = this.narrow() && this.init.hedgeMs != null ? clock.setTimeout(() => { if (this.init.mayHedge?.() !== false) this.widen() }, this.init.hedgeMs) : undefined
    let rejectWait: (err: unknown) => void = () => {}
    const onAbort = (): void => { rejectWait(this.signal.reason) }
    this.signal.addEventListener('abort', onAbort, { once: true })
    try {
      while (!this.stopped && this.step()) {
        // wait for any query to settle or the caller to give up
        await new Promise<void>((resolve, reject) => {
          this.wake = resolve
          rejectWait = reject
        })
      }
    } finally {
      clock.clearTimeout(hedge)
      this.signal.removeEventListener('abort', onAbort)
      // only queries still in flight need telling (an abort costs an exception object and an event)
      if (this.inflight > 0) this.controller.abort()
    }
    this.settleNear(true)
    const found = this.nearest().filter(c => c.state === 'answered')
    const hops = found.reduce((max, c) => Math.max(max, c.hop), 0)
    return { peers: found.map(c => c.peer), answered: this.answered, failed: this.failed, queried: this.queried, stopped: this.stopped, hops }
  }

  /** Launch what the width allows; false when the lookup is settled (nothing to wait for). */
  private step (): boolean {
    while (true) {
      this.signal.throwIfAborted()
      this.settleNear(false)
      const top = this.nearest()
      if (top.every(c => c.state === 'answered')) return false
      for (const candidate of top) {
        if (candidate.urgent === true && candidate.state === 'new') this.launch(candidate)
      }
      for (const candidate of top) {
        if (this.inflight >= this.width || (this.narrow() && this.queried >= this.width)) break
        if (candidate.state === 'new') this.launch(candidate)
      }
      if (this.inflight > 0) return true
      // the narrow start is spent without settling the lookup: go wide
      if (!this.narrow() || !top.some(c => c.state === 'new')) return false
      this.widen()
    }
  }

  private launch (candidate: Candidate): void {
    candidate.state = 'pending'
    this.inflight++
    this.queried++
    this.init.query(candidate.peer, this.signal).then(outcome => {
      candidate.state = 'answered'
      this.answered++
      outcome.closer.forEach(peer => { this.consider(peer, candidate.hop + 1) })
      const near = this.init.near
      if (near?.onNear != null && !this.nearSettled && this.nearest(near.count).includes(candidate)) near.onNear(candidate.peer)
      if (outcome.stop === true) this.stopped = true
      else if (outcome.staysNarrow !== true) this.widen()
    }, () => {
      candidate.state = 'failed'
      this.failed++
      this.widen()
    }).finally(() => {
      this.inflight--
      this.wake()
    })
  }

  /** Peers named from elsewhere (LookupInit.more): candidates; the `urgent` nearest of them asked at once while among the lookup's nearest. */
  private named (peers: FoundPeer[], urgent: number): void {
    if (this.signal.aborted) return
    for (const peer of peers) this.consider(peer, 2)
    for (const peer of nearestN(this.init.target, peers, urgent, p => p.position)) {
      const candidate = this.candidates.get(peer.peerId.toString())
      if (candidate?.state === 'new') candidate.urgent = true
    }
    this.wake()
  }

  private consider (peer: FoundPeer, hop: number): void {
    const key = peer.peerId.toString()
    if (!this.candidates.has(key)) this.candidates.set(key, { peer, state: 'new', hop })
  }

  /** The n nearest candidates that have not failed. */
  private nearest (n = this.init.n): Candidate[] {
    return nearestN(this.init.target, [...this.candidates.values()].filter(c => c.state !== 'failed'), n, c => c.peer.position)
  }

  /** Tell the near watch once its candidates have all answered (or the lookup is over: `end`). */
  private settleNear (end: boolean): void {
    const near = this.init.near
    if (near == null || this.nearSettled) return
    const top = this.nearest(near.count)
    if (!end && !top.every(c => c.state === 'answered')) return
    this.nearSettled = true
    near.onSettled(top.filter(c => c.state === 'answered').map(c => c.peer))
  }

  private narrow (): boolean {
    return this.width < this.init.alpha
  }

  private widen (): void {
    if (this.width === this.init.alpha) return
    this.width = this.init.alpha
    this.wake()
  }
}
