/**
 * The iterative lookup behind find_before_n, get and put: ask the nearest
 * peers not yet asked (alpha at a time) for peers nearer to the target, until
 * the n nearest known peers have all answered. A peer that fails or times out
 * drops out and the next nearest takes its place; one dead peer never fails
 * the lookup.
 */
import { compareDistance } from '../keyspace.ts'
import type { FoundPeer } from './types.ts'

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
  /** This node: a candidate that needs no query. */
  self: FoundPeer
  /** Where to start: the peers we already know nearest to the target. */
  seeds: FoundPeer[]
  query(peer: FoundPeer, signal: AbortSignal): Promise<QueryOutcome>
  signal: AbortSignal
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

interface Candidate { peer: FoundPeer, state: State, hop: number }

export async function lookup (init: LookupInit): Promise<LookupResult> {
  const { target, n, alpha } = init
  const candidates = new Map<string, Candidate>()
  const selfKey = init.self.peerId.toString()
  candidates.set(selfKey, { peer: init.self, state: 'answered', hop: 0 })
  const consider = (peer: FoundPeer, hop: number): void => {
    const key = peer.peerId.toString()
    if (!candidates.has(key)) candidates.set(key, { peer, state: 'new', hop })
  }
  init.seeds.forEach(peer => { consider(peer, 1) })

  // queries still running are abandoned (not awaited) once the lookup ends
  const controller = new AbortController()
  const signal = AbortSignal.any([init.signal, controller.signal])
  let inflight = 0
  let answered = 0
  let failed = 0
  let queried = 0
  let stopped = false
  let wake: () => void = () => {}

  const nearest = (): Candidate[] => [...candidates.values()]
    .filter(c => c.state !== 'failed')
    .sort((a, b) => compareDistance(target, a.peer.position, b.peer.position))
    .slice(0, n)

  const launch = (candidate: Candidate): void => {
    candidate.state = 'pending'
    inflight++
    queried++
    init.query(candidate.peer, signal).then(outcome => {
      candidate.state = 'answered'
      answered++
      outcome.closer.forEach(peer => { consider(peer, candidate.hop + 1) })
      if (outcome.stop === true) stopped = true
      else if (outcome.staysNarrow !== true) widen()
    }, () => {
      candidate.state = 'failed'
      failed++
      widen()
    }).finally(() => {
      inflight--
      wake()
    })
  }

  let width = init.initialAlpha ?? alpha
  const narrow = (): boolean => width < alpha
  const widen = (): void => {
    if (width === alpha) return
    width = alpha
    wake()
  }
  const hedge = width < alpha && init.hedgeMs != null ? setTimeout(widen, init.hedgeMs) : undefined
  let rejectWait: (err: unknown) => void = () => {}
  const onAbort = (): void => { rejectWait(signal.reason) }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    while (!stopped) {
      signal.throwIfAborted()
      const top = nearest()
      if (top.every(c => c.state === 'answered')) break
      for (const candidate of top) {
        if (inflight >= width || (narrow() && queried >= width)) break
        if (candidate.state === 'new') launch(candidate)
      }
      if (inflight === 0) {
        // the narrow start is spent without settling the lookup: go wide
        if (narrow() && top.some(c => c.state === 'new')) {
          widen()
          continue
        }
        break
      }
      // wait for any query to settle or the caller to give up
      await new Promise<void>((resolve, reject) => {
        wake = resolve
        rejectWait = reject
      })
    }
  } finally {
    clearTimeout(hedge)
    signal.removeEventListener('abort', onAbort)
    // only queries still in flight need telling (an abort costs an exception object and an event)
    if (inflight > 0) controller.abort()
  }
  const found = nearest().filter(c => c.state === 'answered')
  const peers = found.map(c => c.peer)
  const hops = found.reduce((max, c) => Math.max(max, c.hop), 0)
  return { peers, answered, failed, queried, stopped, hops }
}
