/**
 * Compare-and-swap, the proposer side (protocols/cas.md): single-decree Paxos
 * per slot (id, expectedSeq) among the R nearest to the id, a majority of R
 * being the quorum. PREPARE learns what the slot may already have accepted
 * and the seq each acceptor's store holds; ACCEPT asks a majority to accept
 * one record; once a majority accepted it, it is chosen and committed: stored
 * on the replica set by ordinary STOREs, W of them acknowledged.
 *
 * What the caller learns:
 * - success: our record was chosen and W replicas of the set stored it;
 * - `cas-mismatch`: our record was never sent in an ACCEPT (or another record
 *   was chosen for the slot), so it can never become visible;
 * - `insufficient-peers` / `timeout` before any ACCEPT of ours was sent:
 *   nothing happened, retry;
 * - `outcome-unknown` once an ACCEPT of ours was sent and we could not see it
 *   chosen and committed (nor another record chosen): it may or may not take
 *   effect; read before retrying.
 */
import { CAS_BACKOFF_MS, CAS_MAX_ROUNDS } from '../constants.ts'
import { randomBytes } from '@libp2p/crypto'
import { compareDistance, nearestPositioned, peerPosition } from '../keyspace.ts'
import { acceptorSetOf, MAX_ACCEPTORS, quorumOf } from '../records/acceptor-set.ts'
import { equals as equalBytes } from 'uint8arrays/equals'
import { decodePublishRecord } from '../records/publish-record.ts'
import { InsufficientPeersError, InvalidInputError, OutcomeUnknownError, PublishRejectedError, RemoteRejectedError, ToyrrentError } from '../errors.ts'
import { hexKey } from '../bytes.ts'
import { sleep } from '../signals.ts'
import { fanOut } from './cas-fan-out.ts'
import { lostSlot } from './cas-decide.ts'
import { phaseOne, viewPrepareQuorum } from './cas-phase1.ts'
import type { PhaseOneResult } from './cas-phase1.ts'
import { localAccept, localPrepare } from './cas-local.ts'
import type { Answer } from './cas-fan-out.ts'
import { compareBallots } from '../store/paxos-state.ts'
import type { Ballot, CasValue } from '../store/paxos-state.ts'
import type { AcceptAnswer, CasSlot, PrepareAnswer } from '../rpc/peer-rpc.ts'
import type { CasAcceptor } from '../rpc/handlers/cas-acceptor.ts'
import type { Lookups } from './lookups.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { Writer } from './writer.ts'
import type { Settings } from './options.ts'
import type { Item } from '../records/item.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Logger, PeerId } from '@libp2p/interface'

/** What a successful swap reports: the peers that stored the record, and the item as committed (with its acceptor set). */
export interface SwapResult {
  stored: PeerId[]
  item: Item
}

export { casAcceptor, localAccept, localPrepare } from './cas-local.ts'

export interface CasInit {
  settings: Settings
  requests: PeerRequests
  lookups: Lookups
  table: PeerTable
  neighbourhood: Neighbourhood
  writer: Writer
  /** This node's own acceptor (the one its CAS handlers serve). */
  local: CasAcceptor
  log: Logger
}

/** Counts of one swap, for the benchmark. */
export interface CasStats {
  rounds: number
  requests: number
}

/** One swap's fixed parts. */
interface SwapRun {
  item: Item
  seq: bigint
  slot: CasSlot
  proposer: Uint8Array
  candidates: Map<string, FoundPeer>
  /** An ACCEPT carrying our record went out: from then on failures are outcome-unknown. */
  sentOurs: boolean
  signal: AbortSignal
}

export class CompareAndSwap {
  private readonly init: CasInit
  /** Highest ballot counter this node has seen or used, so each new ballot beats what it knows of. */
  private counter = 0n
  readonly stats: CasStats = { rounds: 0, requests: 0 }

  constructor (init: CasInit) {
    this.init = init
  }

  /** Quorum of acceptors: a majority of R. */
  get majority (): number {
    return Math.floor(this.init.settings.replicas / 2) + 1
  }

  /**
   * Swap `item` (an encoded, verified publish record with seq > expectedSeq)
   * into the id if it holds `expectedSeq`; resolves with the peers that stored it.
   */
  async swap (item: Item, seq: bigint, expectedSeq: bigint, signal: AbortSignal): Promise<SwapResult> {
    const { replicas, writeQuorum } = this.init.settings
    if (replicas > MAX_ACCEPTORS) throw new InvalidInputError(`compare-and-swap works with at most ${MAX_ACCEPTORS} replicas (an acceptor set's limit); this node runs R = ${replicas}`)
    if (writeQuorum < this.majority) {
      throw new InvalidInputError(`compare-and-swap needs a write quorum that is a majority of the replicas (W ≥ ${this.majority} for R = ${replicas}); this node runs W = ${writeQuorum}`)
    }
    if (seq <= expectedSeq) throw new PublishRejectedError('stale-seq', `seq ${seq} is not above the expected seq ${expectedSeq}`)
    const run: SwapRun = {
      item,
      seq,
      slot: { id: item.key, expectedSeq },
      proposer: new Uint8Array([...this.init.neighbourhood.selfId.toMultihash().bytes, ...randomBytes(8)]),
      candidates: new Map(),
      sentOurs: false,
      signal
    }
    for (const p of await this.startingSet(item.key, signal)) run.candidates.set(p.peerId.toString(), p)
    try {
      for (let round = 0; round < CAS_MAX_ROUNDS; round++) {
        this.stats.rounds++
        if (round > 0) await sleep(CAS_BACKOFF_MS * 2 ** round * (0.5 + Math.random()), signal, this.init.settings.clock)
        const stored = await this.round(run)
        if (stored != null) return stored
      }
      if (run.sentOurs) throw this.unknown(run, `pre-empted by other writers ${CAS_MAX_ROUNDS} times`)
      throw new InsufficientPeersError(`compare-and-swap of ${hexKey(item.key)}: pre-empted by other writers ${CAS_MAX_ROUNDS} times; nothing was written`)
    } catch (err: any) {
      if (run.sentOurs && !(err instanceof ToyrrentError && (err.code === 'outcome-unknown' || err.code === 'cas-mismatch'))) {
        throw this.unknown(run, err.message ?? String(err))
      }
      throw err
    }
  }

  /** One ballot: prepare, accept, commit. What was stored, undefined when pre-empted (try again), or throws the outcome. */
  private async round (run: SwapRun): Promise<SwapResult | undefined> {
    const { item, slot, signal } = run
    const ballot: Ballot = { counter: ++this.counter, proposer: run.proposer }
    const p1 = await this.phase1(slot, ballot, run.candidates, signal)
    if (p1.kind === 'preempted') return undefined
    if (p1.kind === 'insufficient') {
      if (run.sentOurs) throw this.unknown(run, p1.why)
      throw new InsufficientPeersError(`compare-and-swap of ${hexKey(item.key)}: ${p1.why}`)
    }
    if (p1.kind === 'mismatch') return this.mismatched(run, p1)
    // propose: the slot's highest accepted value (Paxos), else ours with the next slot's acceptors: the R nearest we now know
    const replicaSet = this.replicaSet(run)
    const value: CasValue = p1.value ?? { record: item.body, acceptors: acceptorSetOf(replicaSet.map(p => p.peerId)) }
    const ours = equalBytes(value.record, item.body)
    if (ours) run.sentOurs = true
    const named: CasSlot = p1.acceptors == null ? slot : { ...slot, acceptors: p1.acceptors }
    const p2 = await this.phase2(named, ballot, value, p1.set, this.quorum(p1), signal)
    if (p2.kind === 'preempted') return undefined
    if (p2.kind === 'insufficient') {
      if (run.sentOurs) throw this.unknown(run, p2.why)
      throw new RemoteRejectedError(`another record holds the slot of seq ${slot.expectedSeq} (${p2.why})`, 'cas-mismatch')
    }
    // chosen: commit it, with its acceptor set, on the replica set as we now know it
    const committed: Item = { ...item, body: value.record, acceptors: value.acceptors }
    const stored = await this.commit(committed, replicaSet, signal)
    if (!ours) {
      // another writer's record won the slot; ours was never chosen and never will be
      throw new RemoteRejectedError(`expected seq ${slot.expectedSeq}, but another record (seq ${decodePublishRecord(value.record).seq}) took it first`, 'cas-mismatch')
    }
    if (stored.length < this.init.settings.writeQuorum) throw this.unknown(run, `chosen, but stored on only ${stored.length} of the ${this.init.settings.writeQuorum} replicas needed`)
    return { stored: stored.map(p => p.peerId), item: committed }
  }

  /** A phase-2 quorum of the slot: a majority of its acceptor set, or of R under the view rule (never of a view that knows fewer). */
  private quorum (p1: { acceptors?: Uint8Array[] }): number {
    return p1.acceptors == null ? this.majority : quorumOf(p1.acceptors)
  }

  /** A phase-1 quorum of the slot: a majority of its acceptor set, or under the view rule our whole view set (cas-phase1.ts). */
  private prepareQuorum (p1: { acceptors?: Uint8Array[], set: FoundPeer[] }): number {
    return p1.acceptors == null ? viewPrepareQuorum(p1.set.length, this.init.settings.replicas) : quorumOf(p1.acceptors)
  }

  /** The R nearest to the id by everything we know now: where a chosen record is stored, and the next slot's acceptors. */
  private replicaSet (run: SwapRun): FoundPeer[] {
    return nearestPositioned(run.slot.id, run.candidates.values(), this.init.settings.replicas)
  }

  /**
   * The id moved past the expected seq. A retry of a write that already took
   * effect (byte-identical records are a no-op success, publish-record.md) is
   * a success; ours sent in an ACCEPT earlier is refused for sure only if the
   * slot is closed and did not choose it.
   */
  private async mismatched (run: SwapRun, p1: Extract<PhaseOneResult, { kind: 'mismatch' }>): Promise<SwapResult> {
    const { item, slot } = run
    const holders = await this.holdersOf(item, this.replicaSet(run), run.signal)
    if (holders.length >= this.init.settings.writeQuorum) return { stored: holders.map(p => p.peerId), item }
    // closed by a phase-2 quorum, known by a phase-1 quorum: why, in lostSlot (cas-decide.ts)
    if (holders.length === 0 && run.sentOurs && lostSlot(item.body, p1.reports, { closed: this.quorum(p1), knowing: this.prepareQuorum(p1) })) {
      throw new RemoteRejectedError(`expected seq ${slot.expectedSeq}, but another record took the slot first (${p1.why})`, 'cas-mismatch')
    }
    if (holders.length > 0 || run.sentOurs) throw this.unknown(run, `the id moved past seq ${slot.expectedSeq} (${p1.why}); our record is stored on ${holders.length} replica(s)`)
    throw new RemoteRejectedError(`expected seq ${slot.expectedSeq} but ${p1.why}`, 'cas-mismatch')
  }

  private unknown (run: SwapRun, why: string): OutcomeUnknownError {
    return new OutcomeUnknownError(`compare-and-swap of ${hexKey(run.item.key)} seq ${run.seq}: ${why}; the write may or may not take effect (read before retrying)`)
  }

  /** The R nearest by our view (the table when it knows the neighbourhood, else a lookup), with R more standing by. */
  private async startingSet (id: Uint8Array, signal: AbortSignal): Promise<FoundPeer[]> {
    const { replicas } = this.init.settings
    if (this.init.table.size >= replicas * 2) return this.init.neighbourhood.nearestPeers(id, replicas)
    const { peers } = await this.init.lookups.nearest(id, replicas * 2, signal, this.init.lookups.replicaShape())
    return peers.slice(0, replicas)
  }

  /** Phase 1 (cas-phase1.ts): promises from a quorum of the slot's acceptors, or why not. */
  private async phase1 (slot: CasSlot, ballot: Ballot, candidates: Map<string, FoundPeer>, signal: AbortSignal): Promise<PhaseOneResult> {
    return phaseOne({
      slot,
      ballot,
      replicas: this.init.settings.replicas,
      candidates,
      prepareOn: async (peer, named, s) => this.prepareOn(peer, named, ballot, s),
      peerOf: peerId => this.peerOf(peerId, candidates),
      learnNearer: named => this.learnNearer(slot.id, named, candidates),
      seeBallot: b => { this.seeBallot(b) },
      log: this.init.log
    }, signal)
  }

  /** A member of an acceptor set as a peer to ask: with the addresses our view or table has for it. */
  private peerOf (peerId: PeerId, candidates: Map<string, FoundPeer>): FoundPeer {
    if (peerId.equals(this.init.neighbourhood.selfId)) return this.init.neighbourhood.selfPeer()
    const known = candidates.get(peerId.toString()) ?? this.init.table.get(peerId)
    if (known != null) return { peerId: known.peerId, multiaddrs: known.multiaddrs, position: known.position }
    return { peerId, multiaddrs: [], position: peerPosition(peerId) }
  }

  /** Add the peers an acceptor names that are nearer than our set's farthest; true when the set changed. */
  private learnNearer (id: Uint8Array, named: FoundPeer[], candidates: Map<string, FoundPeer>): boolean {
    const { replicas } = this.init.settings
    const set = nearestPositioned(id, candidates.values(), replicas)
    const farthest = set[set.length - 1]
    let changed = false
    for (const p of named) {
      const key = p.peerId.toString()
      if (candidates.has(key)) continue
      if (set.length < replicas || compareDistance(id, p.position, farthest.position) < 0) {
        candidates.set(key, p)
        changed = true
      }
    }
    return changed
  }

  /** Phase 2: ask the set to accept `value` at `ballot`; chosen once a majority did. */
  private async phase2 (slot: CasSlot, ballot: Ballot, value: CasValue, set: FoundPeer[], quorum: number, signal: AbortSignal): Promise<{ kind: 'chosen' } | { kind: 'preempted' } | { kind: 'insufficient', why: string }> {
    const answers: Array<Answer<AcceptAnswer>> = []
    return fanOut<AcceptAnswer, any>(signal, launch => {
      for (const p of set) launch(p, async s => this.acceptOn(p, slot, ballot, value, s))
      return set
    }, answer => {
      answers.push(answer)
      if (answer.ok) this.seeBallot(answer.value.promisedBallot)
      const accepted = answers.filter(a => a.ok && a.value.accepted).length
      if (accepted >= quorum) return { kind: 'chosen' }
      if (answers.length < set.length) return undefined
      if (answers.some(a => a.ok && !a.value.accepted && compareBallots(a.value.promisedBallot, ballot) > 0)) return { kind: 'preempted' }
      const failures = answers.filter(a => !a.ok).map(a => `${a.peer.peerId}: ${(a as { error: Error }).error.message}`)
      return { kind: 'insufficient', why: `accepted by ${accepted} of the ${quorum} needed${failures.length > 0 ? ` (${failures.join('; ')})` : ''}` }
    })
  }

  /** Store the chosen record on the replica set; the peers that acknowledged once W did (or all answered). */
  private async commit (item: Item, set: FoundPeer[], signal: AbortSignal): Promise<FoundPeer[]> {
    const stored: FoundPeer[] = []
    let settled = 0
    const { writeQuorum } = this.init.settings
    return fanOut<unknown, FoundPeer[]>(signal, launch => {
      for (const p of set) launch(p, async s => this.init.writer.storeOn(p, item, s))
      return set
    }, answer => {
      settled++
      if (answer.ok) stored.push(answer.peer)
      else this.init.log('commit of %s on %p failed: %s', hexKey(item.key), answer.peer.peerId, answer.error.message)
      if (stored.length >= writeQuorum || settled === set.length) return [...stored]
      return undefined
    })
  }

  /** The members of `set` whose store holds exactly `item` (a write that already took effect). */
  private async holdersOf (item: Item, set: FoundPeer[], signal: AbortSignal): Promise<FoundPeer[]> {
    const holders: FoundPeer[] = []
    await Promise.all(set.map(async peer => {
      try {
        let body: Uint8Array | undefined
        if (peer.peerId.equals(this.init.neighbourhood.selfId)) {
          body = (await this.init.local.storedBody(item.key))
        } else {
          this.stats.requests++
          body = (await this.init.requests.ask(peer, { signal }, async (rpc, options) => rpc.fetch(peer, item.key, 0, options))).item?.body
        }
        if (body != null && equalBytes(body, item.body)) holders.push(peer)
      } catch {}
    }))
    return holders
  }

  private async prepareOn (peer: FoundPeer, slot: CasSlot, ballot: Ballot, signal: AbortSignal): Promise<PrepareAnswer> {
    this.stats.requests++
    if (peer.peerId.equals(this.init.neighbourhood.selfId)) return localPrepare(this.init.local, slot, ballot, signal)
    return this.init.requests.ask(peer, { signal }, async (rpc, options) => rpc.prepare(peer, slot, ballot, options))
  }

  private async acceptOn (peer: FoundPeer, slot: CasSlot, ballot: Ballot, value: CasValue, signal: AbortSignal): Promise<AcceptAnswer> {
    this.stats.requests++
    if (peer.peerId.equals(this.init.neighbourhood.selfId)) return localAccept(this.init.local, slot, ballot, value, signal)
    return this.init.requests.ask(peer, { signal }, async (rpc, options) => rpc.accept(peer, slot, ballot, value, options))
  }

  private seeBallot (ballot: Ballot): void {
    if (ballot.counter > this.counter) this.counter = ballot.counter
  }
}
