/**
 * Write fan-out: store an item on the R nearest peers and settle once W have
 * acknowledged. A peer that does not answer (or is busy, or full) is replaced
 * by the next nearest so W can still be reached; a peer that refuses the item
 * itself (stale seq, bad signature...) is not, since the next would be asked
 * to accept what the replica set has already refused.
 *
 * The copies taken by those next nearest peers (fallbacks) are hinted: they
 * stand in for a replica that did not answer, and repair moves them to the
 * replica set on its next round. Whether a fallback's acknowledgement counts
 * toward W is the caller's choice (`countFallbacks`); it is stored either way.
 * W is never lowered: fewer acknowledgements than W is InsufficientPeersError,
 * whatever the size of the network.
 *
 * Hinted copies never stand in for a replica that merely has not answered
 * yet: a fallback is asked only once a replica failed. (Connected stand-ins
 * asked beside replicas behind a dial made puts one round trip, but their
 * acknowledgements ended writes that a read quorum of the replica set then
 * did not meet: reads answered not found at 200 nodes.)
 *
 * `awaitAnswer`: stores the write waits for beyond W (the replica set's
 * over open connections), so that every answer naming a nearer peer is
 * heard before the caller decides its view was the replica set; for at
 * most `awaitMs` once W is reached (a paused replica must not hold every
 * write back until its request times out).
 */
import { InsufficientPeersError, RemoteRejectedError } from '../errors.ts'
import { isFinal } from '../refusals.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Clock, ClockTimer } from '../clock.ts'

export interface ReplicateInit {
  /** Candidates nearest first; the first `replicas` are the replica set, the rest stand by. */
  peers: FoundPeer[]
  replicas: number
  quorum: number
  /** Count acknowledgements from candidates beyond the first `replicas` (fallbacks) toward `quorum`. @default true */
  countFallbacks?: boolean
  /** Replicas (of the first `replicas`) whose store must settle, answered or failed, before the write does, W or not. */
  awaitAnswer?(peer: FoundPeer): boolean
  /** How long the write waits for those once W acknowledged (with `clock`); unbounded without. */
  awaitMs?: number
  clock?: Clock
  storeOn(peer: FoundPeer): Promise<void>
}

export interface ReplicateResult {
  /** Every peer that acknowledged when the write settled, fallbacks included. */
  acked: FoundPeer[]
  /** Of `acked`, those beyond the first `replicas` candidates (hinted copies). */
  fallbacks: FoundPeer[]
}

export async function replicate (init: ReplicateInit): Promise<ReplicateResult> {
  const { peers, replicas, quorum } = init
  const countFallbacks = init.countFallbacks ?? true
  const acked: FoundPeer[] = []
  const refusals: RemoteRejectedError[] = []
  const failures: Error[] = []
  const { promise, resolve, reject } = Promise.withResolvers<ReplicateResult>()
  const isFallback = (peer: FoundPeer): boolean => peers.indexOf(peer) >= replicas
  const counted = (): number => countFallbacks ? acked.length : acked.filter(p => !isFallback(p)).length
  let next = 0
  let running = 0
  const asked = new Set<FoundPeer>()

  const awaited = new Set(init.awaitAnswer == null ? [] : peers.slice(0, replicas).filter(p => init.awaitAnswer!(p)))
  let waited: ClockTimer | undefined
  const done = (): void => {
    init.clock?.clearTimeout(waited)
    resolve({ acked: [...acked], fallbacks: acked.filter(isFallback) })
  }
  const settle = (): void => {
    if (counted() >= quorum) {
      if (awaited.size === 0) done()
      else if (waited == null && init.clock != null && init.awaitMs != null) waited = init.clock.setTimeout(done, init.awaitMs)
    } else if (running === 0) {
      if (refusals.length > 0) {
        const first = refusals[0]
        reject(new RemoteRejectedError(`refused by ${refusals.length} replica(s): ${first.message}`, first.code))
      } else {
        reject(new InsufficientPeersError(shortOf(acked.length, counted(), quorum, peers.length, countFallbacks, failures)))
      }
    }
  }

  const start = (peer: FoundPeer): void => {
    asked.add(peer)
    running++
    void init.storeOn(peer).then(() => { acked.push(peer) }, (err: Error) => {
      if (err instanceof RemoteRejectedError && isFinal(err.code)) refusals.push(err)
      else failures.push(err)
    }).finally(() => {
      awaited.delete(peer)
      running--
      launch()
      settle()
    })
  }
  const launch = (): void => {
    while (running + acked.length + refusals.length < replicas && next < peers.length) {
      const peer = peers[next++]
      if (!asked.has(peer)) start(peer)
    }
  }
  launch()
  settle()
  return promise
}
/** Why a write fell short of W, in one sentence. */
function shortOf (acked: number, counted: number, quorum: number, candidates: number, countFallbacks: boolean, failures: Error[]): string {
  const reasons = failures.map(e => e.message).join('; ')
  const hinted = acked - counted
  const stored = countFallbacks || hinted === 0
    ? `stored on ${acked} of the ${quorum} nodes needed`
    : `stored on ${counted} of the ${quorum} replicas needed (and ${hinted} fallback node(s), which do not count for this kind of item)`
  if (reasons !== '') return `${stored} (${reasons})`
  if (candidates === 0) return `${stored}: no peers`
  if (candidates < quorum) {
    return `${stored}: only ${candidates} node(s) reachable, this one included; a network this small needs a lower --replicas (--replicas 1 on a single node)`
  }
  return stored
}
