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
import { compareDistance, nearestPositioned, sha256 } from '../keyspace.ts'
import { equals as equalBytes } from 'uint8arrays/equals'
import { decodePublishRecord } from '../records/publish-record.ts'
import type { VerifiedCache } from '../records/verified-cache.ts'
import type { PaxosState } from '../store/paxos-state.ts'
import { InsufficientPeersError, InvalidInputError, OutcomeUnknownError, PublishRejectedError, RemoteRejectedError, ToyrrentError } from '../errors.ts'
import { hexKey } from '../bytes.ts'
import { sleep } from '../signals.ts'
import { compareBallots } from '../store/paxos-state.ts'
import type { Ballot } from '../store/paxos-state.ts'
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

type Answer<T> = { peer: FoundPeer, ok: true, value: T } | { peer: FoundPeer, ok: false, error: Error }

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
  async swap (item: Item, seq: bigint, expectedSeq: bigint, signal: AbortSignal): Promise<PeerId[]> {
    const { replicas, writeQuorum } = this.init.settings
    if (writeQuorum < this.majority) {
      throw new InvalidInputError(`compare-and-swap needs a write quorum that is a majority of the replicas (W ≥ ${this.majority} for R = ${replicas}); this node runs W = ${writeQuorum}`)
    }
    if (seq <= expectedSeq) throw new PublishRejectedError('stale-seq', `seq ${seq} is not above the expected seq ${expectedSeq}`)
    const slot: CasSlot = { id: item.key, expectedSeq }
    const proposer = new Uint8Array([...this.init.neighbourhood.selfId.toMultihash().bytes, ...randomBytes(8)])
    const candidates = new Map<string, FoundPeer>()
    for (const p of await this.startingSet(item.key, signal)) candidates.set(p.peerId.toString(), p)
    let sentOurs = false
    const unknown = (why: string): OutcomeUnknownError => new OutcomeUnknownError(`compare-and-swap of ${hexKey(item.key)} seq ${seq}: ${why}; the write may or may not take effect (read before retrying)`)
    try {
      for (let round = 0; round < CAS_MAX_ROUNDS; round++) {
        this.stats.rounds++
        if (round > 0) await sleep(CAS_BACKOFF_MS * 2 ** round * (0.5 + Math.random()), signal, this.init.settings.clock)
        const ballot: Ballot = { counter: ++this.counter, proposer }
        const p1 = await this.phase1(slot, ballot, candidates, signal)
        if (p1.kind === 'preempted') continue
        if (p1.kind === 'insufficient') {
          if (sentOurs) throw unknown(p1.why)
          throw new InsufficientPeersError(`compare-and-swap of ${hexKey(item.key)}: ${p1.why}`)
        }
        if (p1.kind === 'mismatch') {
          // a retry of a write that already took effect: byte-identical records are a no-op success
          // (publish-record.md), so look before calling it refused
          const holders = await this.holdersOf(item, p1.set, signal)
          if (holders.length >= writeQuorum) return holders.map(p => p.peerId)
          // ours went out in an ACCEPT earlier: refused for sure only if the slot is closed and did not choose it
          if (holders.length === 0 && sentOurs && this.lost(item.body, p1.reports)) {
            throw new RemoteRejectedError(`expected seq ${expectedSeq}, but another record took the slot first (${p1.why})`, 'cas-mismatch')
          }
          if (holders.length > 0 || sentOurs) throw unknown(`the id moved past seq ${expectedSeq} (${p1.why}); our record is stored on ${holders.length} replica(s)`)
          throw new RemoteRejectedError(`expected seq ${expectedSeq} but ${p1.why}`, 'cas-mismatch')
        }
        // propose: the slot's highest accepted value (Paxos), else ours
        const value = p1.value ?? item.body
        const ours = equalBytes(value, item.body)
        if (ours) sentOurs = true
        const p2 = await this.phase2(slot, ballot, value, p1.set, signal)
        if (p2.kind === 'preempted') continue
        if (p2.kind === 'insufficient') {
          if (sentOurs) throw unknown(p2.why)
          throw new RemoteRejectedError(`another record holds the slot of seq ${expectedSeq} (${p2.why})`, 'cas-mismatch')
        }
        // chosen: commit it on the replica set
        const chosen: Item = { ...item, body: value }
        const stored = await this.commit(chosen, p1.set, signal)
        if (!ours) {
          // another writer's record won the slot; ours was never chosen and never will be
          throw new RemoteRejectedError(`expected seq ${expectedSeq}, but another record (seq ${decodePublishRecord(value).seq}) took it first`, 'cas-mismatch')
        }
        if (stored.length < writeQuorum) throw unknown(`chosen, but stored on only ${stored.length} of the ${writeQuorum} replicas needed`)
        return stored.map(p => p.peerId)
      }
      if (sentOurs) throw unknown(`pre-empted by other writers ${CAS_MAX_ROUNDS} times`)
      throw new InsufficientPeersError(`compare-and-swap of ${hexKey(item.key)}: pre-empted by other writers ${CAS_MAX_ROUNDS} times; nothing was written`)
    } catch (err: any) {
      if (sentOurs && !(err instanceof ToyrrentError && (err.code === 'outcome-unknown' || err.code === 'cas-mismatch'))) {
        throw unknown(err.message ?? String(err))
      }
      throw err
    }
  }

  /** The R nearest by our view (the table when it knows the neighbourhood, else a lookup), with R more standing by. */
  private async startingSet (id: Uint8Array, signal: AbortSignal): Promise<FoundPeer[]> {
    const { replicas } = this.init.settings
    if (this.init.table.size >= replicas * 2) return this.init.neighbourhood.nearestPeers(id, replicas)
    const { peers } = await this.init.lookups.nearest(id, replicas * 2, signal, this.init.lookups.replicaShape())
    return peers.slice(0, replicas)
  }

  /**
   * Phase 1 to the R nearest of `candidates`. Answers name each acceptor's
   * own R nearest: a nearer peer we did not know joins the set (and is asked),
   * and members it pushes out no longer count.
   */
  private async phase1 (slot: CasSlot, ballot: Ballot, candidates: Map<string, FoundPeer>, signal: AbortSignal): Promise<
  { kind: 'propose', set: FoundPeer[], value?: Uint8Array } | { kind: 'preempted' } | { kind: 'insufficient', why: string } | { kind: 'mismatch', why: string, set: FoundPeer[], reports: PrepareAnswer[] }> {
    const { replicas } = this.init.settings
    const answers = new Map<string, Answer<PrepareAnswer>>()
    const launched = new Set<string>()
    const e = slot.expectedSeq
    return this.fanOut<PrepareAnswer, any>(signal, launch => {
      const set = nearestPositioned(slot.id, candidates.values(), replicas)
      for (const p of set) {
        const key = p.peerId.toString()
        if (!launched.has(key)) {
          launched.add(key)
          launch(p, async s => this.prepareOn(p, slot, ballot, s))
        }
      }
      return set
    }, (answer, relaunch) => {
      answers.set(answer.peer.peerId.toString(), answer)
      if (answer.ok) {
        this.seeBallot(answer.value.promisedBallot)
        const set = nearestPositioned(slot.id, candidates.values(), replicas)
        const farthest = set[set.length - 1]
        let changed = false
        for (const p of answer.value.closer) {
          const key = p.peerId.toString()
          if (candidates.has(key)) continue
          if (set.length < replicas || compareDistance(slot.id, p.position, farthest.position) < 0) {
            candidates.set(key, p)
            changed = true
          }
        }
        if (changed) relaunch()
      }
      const set = nearestPositioned(slot.id, candidates.values(), replicas)
      const inSet = set.map(p => answers.get(p.peerId.toString()))
      const settled = inSet.filter(a => a != null)
      const pending = set.length - settled.length
      const promises = settled.filter(a => a.ok && a.value.promised && a.value.replica).map(a => (a as { value: PrepareAnswer }).value)
      const stale = settled.find(a => a.ok && a.value.storedSeq > e) as { peer: FoundPeer, value: PrepareAnswer } | undefined
      const settledValues = (): PrepareAnswer[] => settled.filter(a => a.ok).map(a => (a as { value: PrepareAnswer }).value)
      const why = (): string => stale == null ? 'no replica holds it' : `${stale.peer.peerId} holds seq ${stale.value.storedSeq}`
      if (promises.length >= this.majority) {
        const accepted = promises.filter(p => p.accepted != null).map(p => p.accepted!)
        if (accepted.length > 0) {
          const highest = accepted.reduce((a, b) => compareBallots(a.ballot, b.ballot) >= 0 ? a : b)
          return { kind: 'propose', set, value: highest.record }
        }
        if (stale != null) return { kind: 'mismatch', why: why(), set, reports: settledValues() }
        if (promises.some(p => p.storedSeq === e)) return { kind: 'propose', set }
        if (pending > 0) return undefined
        const held = promises.map(p => p.storedSeq).reduce((a, b) => a > b ? a : b, 0n)
        return { kind: 'mismatch', why: `the replicas hold seq ${held}`, set, reports: settledValues() }
      }
      if (pending > 0) return undefined
      if (settled.some(a => a.ok && !a.value.promised && a.value.replica && compareBallots(a.value.promisedBallot, ballot) > 0)) return { kind: 'preempted' }
      if (stale != null) return { kind: 'mismatch', why: why(), set, reports: settledValues() }
      const failures = settled.filter(a => !a.ok).map(a => `${a.peer.peerId}: ${(a as { error: Error }).error.message}`)
      const notReplicas = settled.filter(a => a.ok && !a.value.replica).length
      return { kind: 'insufficient', why: `${promises.length} of the ${this.majority} promises needed from the ${set.length} nearest${notReplicas > 0 ? ` (${notReplicas} did not count themselves replicas: views of the replica set disagree)` : ''}${failures.length > 0 ? ` (${failures.join('; ')})` : ''}` }
    })
  }

  /** Phase 2: ask the set to accept `value` at `ballot`; chosen once a majority did. */
  private async phase2 (slot: CasSlot, ballot: Ballot, value: Uint8Array, set: FoundPeer[], signal: AbortSignal): Promise<{ kind: 'chosen' } | { kind: 'preempted' } | { kind: 'insufficient', why: string }> {
    const answers: Array<Answer<AcceptAnswer>> = []
    return this.fanOut<AcceptAnswer, any>(signal, launch => {
      for (const p of set) launch(p, async s => this.acceptOn(p, slot, ballot, value, s))
      return set
    }, answer => {
      answers.push(answer)
      if (answer.ok) this.seeBallot(answer.value.promisedBallot)
      const accepted = answers.filter(a => a.ok && a.value.accepted).length
      if (accepted >= this.majority) return { kind: 'chosen' }
      if (answers.length < set.length) return undefined
      if (answers.some(a => a.ok && !a.value.accepted && compareBallots(a.value.promisedBallot, ballot) > 0)) return { kind: 'preempted' }
      const failures = answers.filter(a => !a.ok).map(a => `${a.peer.peerId}: ${(a as { error: Error }).error.message}`)
      return { kind: 'insufficient', why: `accepted by ${accepted} of the ${this.majority} needed${failures.length > 0 ? ` (${failures.join('; ')})` : ''}` }
    })
  }

  /** Store the chosen record on the replica set; the peers that acknowledged once W did (or all answered). */
  private async commit (item: Item, set: FoundPeer[], signal: AbortSignal): Promise<FoundPeer[]> {
    const stored: FoundPeer[] = []
    let settled = 0
    const { writeQuorum } = this.init.settings
    return this.fanOut<unknown, FoundPeer[]>(signal, launch => {
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

  /**
   * Whether the slot is closed for good without having chosen `ours`: a
   * majority of the set closed it (their stored seq moved past it: they accept
   * nothing more there, so nothing more can be chosen), and among the last
   * accepted values that a majority of the set still knows, the one with the
   * highest ballot is not ours. Had ours been chosen at ballot b, every
   * majority would hold an acceptor whose last accepted ballot is ≥ b, and
   * every proposal from b on carries ours.
   */
  private lost (ours: Uint8Array, reports: PrepareAnswer[]): boolean {
    const closed = reports.filter(r => r.stale).length
    const knowing = reports.filter(r => r.slotKnown)
    if (closed < this.majority || knowing.length < this.majority) return false
    let best: { ballot: Ballot, hash: Uint8Array } | undefined
    for (const r of knowing) {
      const last = r.stale ? r.closedAccepted : (r.accepted == null ? undefined : { ballot: r.accepted.ballot, hash: sha256(r.accepted.record) })
      if (last != null && (best == null || compareBallots(last.ballot, best.ballot) > 0)) best = last
    }
    return best == null || !equalBytes(best.hash, sha256(ours))
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

  private async acceptOn (peer: FoundPeer, slot: CasSlot, ballot: Ballot, record: Uint8Array, signal: AbortSignal): Promise<AcceptAnswer> {
    this.stats.requests++
    if (peer.peerId.equals(this.init.neighbourhood.selfId)) return localAccept(this.init.local, slot, ballot, record, signal)
    return this.init.requests.ask(peer, { signal }, async (rpc, options) => rpc.accept(peer, slot, ballot, record, options))
  }

  private seeBallot (ballot: Ballot): void {
    if (ballot.counter > this.counter) this.counter = ballot.counter
  }

  /**
   * Send requests and settle as soon as `decide` returns something. `start`
   * launches the first requests (and again when `relaunch` is called);
   * requests still running are abandoned once decided.
   */
  private async fanOut<T, R> (
    signal: AbortSignal,
    start: (launch: (peer: FoundPeer, call: (signal: AbortSignal) => Promise<T>) => void) => FoundPeer[],
    decide: (answer: Answer<T>, relaunch: () => void) => R | undefined
  ): Promise<R> {
    const controller = new AbortController()
    const inner = AbortSignal.any([signal, controller.signal])
    const { promise, resolve, reject } = Promise.withResolvers<R>()
    let done = false
    let running = 0
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    const launch = (peer: FoundPeer, call: (signal: AbortSignal) => Promise<T>): void => {
      running++
      call(inner).then(value => ({ peer, ok: true as const, value }), (error: Error) => ({ peer, ok: false as const, error })).then(answer => {
        running--
        if (done) return
        let decision: R | undefined
        try {
          decision = decide(answer, () => { start(launch) })
        } catch (err) {
          done = true
          reject(err)
          return
        }
        if (decision !== undefined) {
          done = true
          resolve(decision)
        } else if (running === 0) {
          done = true
          reject(new Error('compare-and-swap: no decision with every answer in (a bug)'))
        }
      }, () => {})
    }
    try {
      const set = start(launch)
      if (set.length === 0) throw new InsufficientPeersError('no peers to ask')
      return await promise
    } finally {
      done = true
      signal.removeEventListener('abort', onAbort)
      controller.abort()
    }
  }
}

/** Our own acceptor, as the CAS_PREPARE handler answers for it. */
export async function localPrepare (cas: CasAcceptor, slot: CasSlot, ballot: Ballot, signal?: AbortSignal): Promise<PrepareAnswer> {
  const closer = cas.shareNearest(slot.id, cas.replicas)
  if (!closer.some(p => p.peerId.equals(cas.selfId))) {
    return { promised: false, promisedBallot: { counter: 0n, proposer: new Uint8Array(0) }, storedSeq: cas.storedSeq(slot.id), stale: false, slotKnown: false, replica: false, closer }
  }
  const verdict = await cas.state.prepare(slot.id, slot.expectedSeq, ballot, { signal })
  return {
    promised: verdict.promised,
    promisedBallot: verdict.promisedBallot,
    accepted: verdict.accepted,
    storedSeq: verdict.storedSeq,
    stale: verdict.stale,
    slotKnown: !verdict.stale || verdict.retired != null,
    closedAccepted: verdict.retired?.accepted,
    replica: true,
    closer
  }
}

/** Our own acceptor, as the CAS_ACCEPT handler answers for it. */
export async function localAccept (cas: CasAcceptor, slot: CasSlot, ballot: Ballot, record: Uint8Array, signal?: AbortSignal): Promise<AcceptAnswer> {
  const refused = await cas.check(slot.id, slot.expectedSeq, record)
  if (refused != null) throw new RemoteRejectedError(`local acceptor refused: ${refused.message}`, refused.code)
  if (!cas.shareNearest(slot.id, cas.replicas).some(p => p.peerId.equals(cas.selfId))) {
    return { accepted: false, promisedBallot: { counter: 0n, proposer: new Uint8Array(0) }, storedSeq: cas.storedSeq(slot.id) }
  }
  const verdict = await cas.state.accept(slot.id, slot.expectedSeq, ballot, record, { signal })
  return { accepted: verdict.accepted, promisedBallot: verdict.promisedBallot, storedSeq: verdict.storedSeq }
}

/** The node's acceptor as the CAS handlers and a local proposer see it. */
export function casAcceptor (init: { state: PaxosState, neighbourhood: Neighbourhood, replicas: number, storedSeq(id: Uint8Array): bigint, storedBody(id: Uint8Array): Promise<Uint8Array | undefined>, verified: VerifiedCache }): CasAcceptor {
  const { neighbourhood, verified } = init
  return {
    storedBody: init.storedBody,
    state: init.state,
    selfId: neighbourhood.selfId,
    replicas: init.replicas,
    shareNearest: (target, n) => neighbourhood.shareNearest(target, n),
    storedSeq: init.storedSeq,
    check: async (id, expectedSeq, bytes) => {
      let record
      try {
        record = decodePublishRecord(bytes)
      } catch (err: any) {
        return { code: err.code ?? 'bad-request', message: err.message }
      }
      const verdict = await verified.verify(id, bytes, record)
      if (verdict !== 'ok') return { code: verdict, message: `record refused: ${verdict}` }
      if (record.seq <= expectedSeq) return { code: 'bad-request', message: `seq ${record.seq} is not above the slot's expected seq ${expectedSeq}` }
      return undefined
    }
  }
}
