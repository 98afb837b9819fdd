/**
 * Phase 1 of a compare-and-swap round (protocols/cas.md, "The protocol" and
 * "Who the acceptors of a slot are"). PREPARE goes first to the R nearest by
 * our view. The first answer from a holder of record e whose copy carries an
 * acceptor set S fixes the slot's acceptors: from then on only members of S
 * count, a quorum is a majority of S, and members not yet heard as
 * acceptors are asked again with S named. Without such an answer the view
 * rule applies (slots whose record has no set): phase 1 then needs a promise
 * from every one of the R nearest as we finally see them (after adding the
 * nearer nodes answers name), while phase 2 keeps a majority (flexible
 * Paxos: a full view set misses a majority of another proposer's view set
 * only if the two share at most a minority; protocols/cas.md, "Quorums under
 * the view rule"). No value is proposed until some answer shows record e
 * without a set: a proposer that never reached a copy of record e does not
 * know the slot's acceptors.
 */
import { nearestPositioned } from '../keyspace.ts'
import { acceptorPeers, acceptorSetProblem, quorumOf, sameAcceptorSet } from '../records/acceptor-set.ts'
import { fanOut } from './cas-fan-out.ts'
import { decidePrepare } from './cas-decide.ts'
import type { Answer, Launch } from './cas-fan-out.ts'
import type { PrepareDecision } from './cas-decide.ts'
import type { Ballot } from '../store/paxos-state.ts'
import type { CasSlot, PrepareAnswer } from '../rpc/peer-rpc.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { PeerId } from '@libp2p/interface'

export interface PhaseOneInit {
  slot: CasSlot
  ballot: Ballot
  replicas: number
  /** Our view: every peer we know near the id (grows with what answers name). */
  candidates: Map<string, FoundPeer>
  prepareOn(peer: FoundPeer, slot: CasSlot, signal: AbortSignal): Promise<PrepareAnswer>
  /** A peer of a set, with its addresses where anyone told us. */
  peerOf(peerId: PeerId): FoundPeer
  /** Add peers an answer names nearer than our set's farthest; true when the view changed. */
  learnNearer(named: FoundPeer[]): boolean
  seeBallot(ballot: Ballot): void
  log(format: string, ...args: unknown[]): void
}

/** The decision, and the slot's acceptor set when one was learned (phase 2 names it). */
export type PhaseOneResult = PrepareDecision & { acceptors?: Uint8Array[] }

export async function phaseOne (init: PhaseOneInit, signal: AbortSignal): Promise<PhaseOneResult> {
  const run = new PhaseOne(init)
  return fanOut<PrepareAnswer, PhaseOneResult>(signal, launch => run.start(launch), (answer, relaunch) => run.hear(answer, relaunch))
}

class PhaseOne {
  private readonly viewAnswers = new Map<string, Answer<PrepareAnswer>>()
  private readonly setAnswers = new Map<string, Answer<PrepareAnswer>>()
  private readonly askedView = new Set<string>()
  private readonly askedSet = new Set<string>()
  private readonly namedRequests = new WeakSet<FoundPeer>()
  /** The slot's acceptors, once a copy of record e told us. */
  private fixed?: { acceptors: Uint8Array[], peers: FoundPeer[] }
  /** Some answer holds record e without a set: the view rule is the slot's. */
  private viewRuleKnown: boolean

  constructor (private readonly init: PhaseOneInit) {
    // slot (id, 0): no record, no set; the view rule is the slot's
    this.viewRuleKnown = init.slot.expectedSeq === 0n
  }

  private viewSet (): FoundPeer[] {
    return nearestPositioned(this.init.slot.id, this.init.candidates.values(), this.init.replicas)
  }

  start (launch: Launch<PrepareAnswer>): FoundPeer[] {
    const { slot } = this.init
    if (this.fixed == null) {
      const set = this.viewSet()
      for (const p of set) {
        const key = p.peerId.toString()
        if (this.askedView.has(key)) continue
        this.askedView.add(key)
        launch(p, async s => this.init.prepareOn(p, { id: slot.id, expectedSeq: slot.expectedSeq }, s))
      }
      return set
    }
    const named = { ...slot, acceptors: this.fixed.acceptors }
    for (const p of this.fixed.peers) {
      const key = p.peerId.toString()
      // asked already without the set: its answer may be a promise (it counts); asked again only if not
      const pendingView = this.askedView.has(key) && !this.viewAnswers.has(key)
      if (this.askedSet.has(key) || pendingView || isPromise(this.viewAnswers.get(key))) continue
      this.askedSet.add(key)
      // its own object, so its answer is told from one to a request that named no set
      const tagged = { ...p }
      this.namedRequests.add(tagged)
      launch(tagged, async s => this.init.prepareOn(p, named, s))
    }
    return this.fixed.peers
  }

  hear (answer: Answer<PrepareAnswer>, relaunch: () => void): PhaseOneResult | undefined {
    const key = answer.peer.peerId.toString()
    // an answer to a request naming the set is kept apart from one to a request that did not
    if (this.namedRequests.has(answer.peer)) this.setAnswers.set(key, answer)
    else this.viewAnswers.set(key, answer)
    // a member of the set that answered a request naming no set, and made no promise: ask it again naming the set (not one that did not answer)
    const member = this.fixed?.peers.some(p => p.peerId.equals(answer.peer.peerId)) === true
    let again = member && answer.ok && !this.namedRequests.has(answer.peer) && !isPromise(answer)
    if (answer.ok) {
      this.init.seeBallot(answer.value.promisedBallot)
      if (this.learn(answer)) again = true
      if (this.init.learnNearer(answer.value.closer)) again = true
    }
    if (again) relaunch()
    return this.decide()
  }

  /** What an answer tells of the slot's acceptors; true when the set became known just now. */
  private learn (answer: Extract<Answer<PrepareAnswer>, { ok: true }>): boolean {
    const { storedSeq, storedAcceptors } = answer.value
    if (storedSeq !== this.init.slot.expectedSeq) return false
    if (storedAcceptors.length === 0) {
      this.viewRuleKnown = true
      return false
    }
    const problem = acceptorSetProblem(storedAcceptors)
    if (problem != null) {
      this.init.log('%p named a malformed acceptor set: %s', answer.peer.peerId, problem)
      return false
    }
    if (this.fixed != null) {
      if (!sameAcceptorSet(this.fixed.acceptors, storedAcceptors)) this.init.log('%p names another acceptor set for the slot; kept the first', answer.peer.peerId)
      return false
    }
    this.fixed = { acceptors: storedAcceptors, peers: acceptorPeers(storedAcceptors).map(id => this.init.peerOf(id)) }
    return true
  }

  private decide (): PhaseOneResult | undefined {
    const { slot, ballot } = this.init
    if (this.fixed != null) {
      const effective = new Map<string, Answer<PrepareAnswer>>()
      for (const p of this.fixed.peers) {
        const key = p.peerId.toString()
        const view = this.viewAnswers.get(key)
        const chosen = isPromise(view) ? view : (this.setAnswers.get(key) ?? (this.askedSet.has(key) ? undefined : view))
        if (chosen != null) effective.set(key, chosen)
      }
      const decision = decidePrepare(this.fixed.peers, effective, slot.expectedSeq, ballot, quorumOf(this.fixed.peers))
      return decision == null ? undefined : { ...decision, acceptors: this.fixed.acceptors }
    }
    // view rule: a promise from every one of the R nearest as we finally see them (flexible Paxos; protocols/cas.md);
    // a view of fewer than R holds every node any member named, and still needs a majority of R (phase 2 does)
    const set = this.viewSet()
    const decision = decidePrepare(set, this.viewAnswers, slot.expectedSeq, ballot, viewPrepareQuorum(set.length, this.init.replicas))
    if (decision?.kind !== 'propose' || this.viewRuleKnown) return decision
    // promises, but no copy of record e answered: the slot's acceptors are unknown
    if (set.some(p => !this.viewAnswers.has(p.peerId.toString()))) return undefined
    return { kind: 'insufficient', why: `no replica that answered holds seq ${slot.expectedSeq}, so the slot's acceptor set is unknown` }
  }
}

/** Phase 1's quorum under the view rule: the whole view set (R, or fewer when we know fewer), never below a majority of R. */
export function viewPrepareQuorum (viewSize: number, replicas: number): number {
  return Math.max(Math.min(viewSize, replicas), Math.floor(replicas / 2) + 1)
}

function isPromise (answer: Answer<PrepareAnswer> | undefined): answer is Extract<Answer<PrepareAnswer>, { ok: true }> {
  return answer?.ok === true && answer.value.promised && answer.value.replica
}
