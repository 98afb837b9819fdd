/**
 * What a compare-and-swap proposer concludes from the answers it has
 * (protocols/cas.md, "The protocol" step 2 and "A loser that learns it
 * lost"): pure functions of the answers, so the rules read in one place.
 */
import { sha256 } from '../keyspace.ts'
import { equals as equalBytes } from 'uint8arrays/equals'
import { compareBallots } from '../store/paxos-state.ts'
import type { Ballot, CasValue } from '../store/paxos-state.ts'
import type { PrepareAnswer } from '../rpc/peer-rpc.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Answer } from './cas-fan-out.ts'

export type PrepareDecision =
  | { kind: 'propose', set: FoundPeer[], value?: CasValue }
  | { kind: 'preempted' }
  | { kind: 'insufficient', why: string }
  | { kind: 'mismatch', why: string, set: FoundPeer[], reports: PrepareAnswer[] }

/**
 * Phase 1's decision for slot expected seq `e` once the answers of `set` (the
 * R nearest as we now see them, or the slot's acceptor set) are as in
 * `answers`, `majority` promises being a phase-1 quorum (all R under the view
 * rule); undefined: wait for more.
 */
export function decidePrepare (set: FoundPeer[], answers: Map<string, Answer<PrepareAnswer>>, e: bigint, ballot: Ballot, majority: number): PrepareDecision | undefined {
  const settled = set.map(p => answers.get(p.peerId.toString())).filter(a => a != null)
  const pending = set.length - settled.length
  const values = settled.filter(a => a.ok).map(a => a.value)
  const promises = values.filter(v => v.promised && v.replica)
  const staleAt = settled.find(a => a.ok && a.value.storedSeq > e)
  // The refusals below stay right whatever the quorum size (a majority of a set, or all R under the view rule):
  // one answer above e proves the id moved past e (a signed record of a higher seq exists), and "none holds e"
  // is said only once `majority` promised or the whole set answered; either way no ACCEPT of ours was sent on it
  // (a caller that sent one earlier asks lostSlot before saying cas-mismatch), so the refused record is never visible.
  const mismatch = (why: string): PrepareDecision => ({ kind: 'mismatch', why, set, reports: values })
  const staleWhy = (): string => staleAt?.ok === true ? `${staleAt.peer.peerId} holds seq ${staleAt.value.storedSeq}` : 'no replica holds it'
  if (promises.length >= majority) {
    const accepted = promises.filter(p => p.accepted != null).map(p => p.accepted!)
    if (accepted.length > 0) {
      // Paxos: the value accepted at the highest ballot
      const highest = accepted.reduce((a, b) => compareBallots(a.ballot, b.ballot) >= 0 ? a : b)
      return { kind: 'propose', set, value: { record: highest.record, acceptors: highest.acceptors } }
    }
    if (staleAt != null) return mismatch(staleWhy())
    if (promises.some(p => p.storedSeq === e)) return { kind: 'propose', set }
    if (pending > 0) return undefined
    return mismatch(`the replicas hold seq ${promises.map(p => p.storedSeq).reduce((a, b) => a > b ? a : b, 0n)}`)
  }
  if (pending > 0) return undefined
  if (values.some(v => !v.promised && v.replica && compareBallots(v.promisedBallot, ballot) > 0)) return { kind: 'preempted' }
  if (staleAt != null) return mismatch(staleWhy())
  const failures = settled.filter(a => !a.ok).map(a => `${a.peer.peerId}: ${a.ok ? '' : a.error.message}`)
  const notReplicas = values.filter(v => !v.replica).length
  return {
    kind: 'insufficient',
    why: `${promises.length} of the ${majority} promises needed from the ${set.length} nearest` +
      (notReplicas > 0 ? ` (${notReplicas} did not count themselves replicas: views of the replica set disagree, or a node catches up after a pause)` : '') +
      (failures.length > 0 ? ` (${failures.join('; ')})` : '')
  }
}

/**
 * Whether the slot is closed for good without having chosen `ours`: enough
 * acceptors closed it (their stored seq moved past it: they accept nothing
 * more there) that nothing more can be chosen, and among the last accepted
 * values that enough acceptors still know, the one with the highest ballot
 * is not ours. Had ours been chosen at ballot b, every set of acceptors that
 * meets every phase-2 quorum holds one whose last accepted ballot is ≥ b, and
 * every proposal from b on carries ours.
 *
 * How many is enough depends on the slot's quorums (protocols/cas.md):
 * - `knowing` must meet every phase-2 quorum that could have chosen ours; a
 *   phase-1 quorum does (phase 1 relies on just that): a majority of the
 *   acceptor set, or under the view rule all R of our view set, since a
 *   majority of our view need not meet a majority of another proposer's.
 * - `closed` must meet every phase-1 quorum of a later proposal (a closed
 *   acceptor promises nothing, so such a proposal never gets past phase 1);
 *   a phase-2 quorum does: a majority of the set, or of our view set.
 * Both count answers of our own set (`reports`).
 */
export function lostSlot (ours: Uint8Array, reports: PrepareAnswer[], quorums: { closed: number, knowing: number }): boolean {
  const closed = reports.filter(r => r.stale).length
  const knowing = reports.filter(r => r.slotKnown)
  if (closed < quorums.closed || knowing.length < quorums.knowing) return false
  let best: { ballot: Ballot, hash: Uint8Array } | undefined
  for (const r of knowing) {
    const last = r.stale ? r.closedAccepted : (r.accepted == null ? undefined : { ballot: r.accepted.ballot, hash: sha256(r.accepted.record) })
    if (last != null && (best == null || compareBallots(last.ballot, best.ballot) > 0)) best = last
  }
  return best == null || !equalBytes(best.hash, sha256(ours))
}
