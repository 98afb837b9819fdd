/**
 * This node as a compare-and-swap acceptor (protocols/cas.md): the object the
 * CAS_PREPARE / CAS_ACCEPT handlers serve and a local proposer asks directly,
 * and the rule that a node resuming from a pause acts as no acceptor until it
 * caught up (rejoined: self lookup, then the handoff pull of what it is
 * responsible for). While it was silent its peers may have dropped it and
 * formed quorums with the next nearest node; back with its old table and old
 * promises it could otherwise join a replica those quorums never reached in a
 * quorum disjoint from theirs.
 */
import { decodePublishRecord } from '../records/publish-record.ts'
import { RemoteRejectedError } from '../errors.ts'
import { PauseWatch } from './pause-watch.ts'
import type { VerifiedCache } from '../records/verified-cache.ts'
import { slotRole } from '../rpc/handlers/cas-role.ts'
import type { PaxosState, Ballot, CasValue } from '../store/paxos-state.ts'
import type { StoredRecord } from '../rpc/handlers/cas-acceptor.ts'
import type { AcceptAnswer, CasSlot, PrepareAnswer } from '../rpc/peer-rpc.ts'
import type { CasAcceptor } from '../rpc/handlers/cas-acceptor.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '@libp2p/interface'

const NO_BALLOT: Ballot = { counter: 0n, proposer: new Uint8Array(0) }
/** How often the pause watch ticks. */
const PAUSE_TICK_MS = 1000

/** Our own acceptor, as the CAS_PREPARE handler answers for it. */
export async function localPrepare (cas: CasAcceptor, slot: CasSlot, ballot: Ballot, signal?: AbortSignal): Promise<PrepareAnswer> {
  const closer = cas.shareNearest(slot.id, cas.replicas)
  const role = await slotRole(cas, slot)
  if (!role.replica) {
    return { promised: false, promisedBallot: NO_BALLOT, storedSeq: role.storedSeq, storedAcceptors: role.storedAcceptors, stale: false, slotKnown: false, replica: false, closer }
  }
  const verdict = await cas.state.prepare(slot.id, slot.expectedSeq, ballot, { signal })
  return {
    storedAcceptors: role.storedAcceptors,
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
export async function localAccept (cas: CasAcceptor, slot: CasSlot, ballot: Ballot, value: CasValue, signal?: AbortSignal): Promise<AcceptAnswer> {
  const refused = await cas.check(slot.id, slot.expectedSeq, value.record)
  if (refused != null) throw new RemoteRejectedError(`local acceptor refused: ${refused.message}`, refused.code)
  const role = await slotRole(cas, slot)
  if (!role.replica) return { accepted: false, promisedBallot: NO_BALLOT, storedSeq: role.storedSeq }
  const verdict = await cas.state.accept(slot.id, slot.expectedSeq, ballot, value, { signal })
  return { accepted: verdict.accepted, promisedBallot: verdict.promisedBallot, storedSeq: verdict.storedSeq }
}

export interface LocalAcceptorInit {
  state: PaxosState
  neighbourhood: Neighbourhood
  replicas: number
  storedSeq(id: Uint8Array): bigint
  /** The record the item store holds for an id (body, seq, acceptor set). */
  storedRecord(id: Uint8Array): Promise<StoredRecord | undefined>
  verified: VerifiedCache
  clock: Clock
  /** A silence this long counts as a pause (half the request deadline: peers start timing out on us after one). */
  pauseMs: number
  /** Catch up after a pause: the node's join (self lookup, handoff pull). */
  rejoin(): Promise<unknown>
  log: Logger
}

/** The node's acceptor, with start/stop for its pause watch. */
export interface LocalAcceptor extends CasAcceptor {
  start(): void
  stop(): void
}

/** The node's acceptor as the CAS handlers and a local proposer see it. */
export function casAcceptor (init: LocalAcceptorInit): LocalAcceptor {
  const { neighbourhood, verified } = init
  const catchUp = new CatchUp(init.rejoin, init.log)
  const watch = new PauseWatch({ clock: init.clock, tickMs: PAUSE_TICK_MS, gapMs: init.pauseMs, onPause: ms => { catchUp.paused(ms) } })
  return {
    storedBody: async id => (await init.storedRecord(id))?.body,
    storedRecord: init.storedRecord,
    state: init.state,
    selfId: neighbourhood.selfId,
    replicas: init.replicas,
    shareNearest: (target, n) => neighbourhood.shareNearest(target, n),
    storedSeq: init.storedSeq,
    acting: () => {
      watch.check()
      return catchUp.caughtUp()
    },
    start: () => { watch.start() },
    stop: () => { watch.stop() },
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

/** Behind after a pause until a rejoin that started after it succeeded. */
class CatchUp {
  private behind = false
  /** Bumped per pause: a rejoin clears `behind` only if no pause came while it ran. */
  private pauses = 0
  private running?: Promise<void>

  constructor (private readonly rejoin: () => Promise<unknown>, private readonly log: Logger) {}

  paused (ms: number): void {
    this.log('silent for %d ms (paused?): acting as no compare-and-swap acceptor until rejoined', Math.round(ms))
    this.behind = true
    this.pauses++
    this.start()
  }

  /** Whether we act as an acceptor; while behind, (re)starts the rejoin if none runs. */
  caughtUp (): boolean {
    if (this.behind) this.start()
    return !this.behind
  }

  private start (): void {
    if (this.running != null) return
    const pauses = this.pauses
    this.running = this.rejoin().then(() => {
      if (this.pauses === pauses) {
        this.behind = false
        this.log('rejoined after a pause: acting as an acceptor again')
      }
    }, (err: Error) => { this.log('rejoin after a pause failed: %s', err.message) })
      .finally(() => { this.running = undefined })
  }
}
