/**
 * The acceptor side of compare-and-swap (protocols/cas.md): single-decree
 * Paxos per slot (id, expectedSeq). For each slot an acceptor remembers the
 * highest ballot it promised and the last (ballot, record) it accepted, in the
 * node's datastore under its own prefix, so a promise survives a restart.
 *
 * Bounded: a slot whose expected seq is below the seq the item store holds
 * for the id is stale (the id moved past it; whatever it chose is stored) and
 * its state is dropped; the acceptor then refuses every prepare and accept
 * for it (answering with its stored seq), and remembers per id the highest
 * seq it dropped slots below (`floor`), so dropping never lets a slot come
 * back to life, even if the item itself is later dropped from the store. At
 * most MAX_OPEN_SLOTS slots per id are open at once.
 */
import { Key } from 'interface-datastore'
import { base32 } from 'multiformats/bases/base32'
import { KeyedLock } from './keyed-lock.ts'
import { compareBytes } from '../bytes.ts'
import { sha256 } from '../keyspace.ts'
import { MAX_OPEN_SLOTS, RETIRED_SLOTS } from '../constants.ts'
import type { Datastore } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'


const PREFIX = '/toyrrent/paxos/'

/** A ballot: ordered by counter, then by proposer bytes (peer id multihash ‖ nonce), unique per proposal. */
export interface Ballot {
  counter: bigint
  proposer: Uint8Array
}

export const ZERO_BALLOT: Ballot = { counter: 0n, proposer: new Uint8Array(0) }

export function compareBallots (a: Ballot, b: Ballot): number {
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1
  return compareBytes(a.proposer, b.proposer)
}

/** A value a slot may choose: a record and the acceptor set of the next slot (protocols/cas.md). */
export interface CasValue {
  record: Uint8Array
  acceptors: Uint8Array[]
}

export interface AcceptedValue extends CasValue {
  ballot: Ballot
}

export interface SlotState {
  promised: Ballot
  accepted?: AcceptedValue
}

/** What a closed slot last accepted: its ballot and the SHA-256 of the record (none when nothing was accepted). */
export interface RetiredSlot {
  e: bigint
  accepted?: { ballot: Ballot, hash: Uint8Array }
}

export interface PrepareVerdict {
  /** For a stale slot: what it last accepted, when still kept (undefined: forgotten). */
  retired?: RetiredSlot
  promised: boolean
  /** The highest ballot promised for the slot (ours when promised). */
  promisedBallot: Ballot
  accepted?: AcceptedValue
  storedSeq: bigint
  /** The slot is stale here: the id's stored seq moved past it (nothing promised). */
  stale: boolean
}

export interface AcceptVerdict {
  accepted: boolean
  promisedBallot: Ballot
  storedSeq: bigint
  stale: boolean
}

export class TooManySlotsError extends Error {
  static override name = 'TooManySlotsError'
  override name = 'TooManySlotsError'
  readonly code = 'busy'
}

interface IdState {
  /** Slots with expectedSeq below this are stale. */
  floor: bigint
  slots: Map<bigint, SlotState>
  /** The most recently closed slots (highest e first), at most RETIRED_SLOTS. */
  retired: RetiredSlot[]
}

export interface PaxosStateInit {
  /** The seq the item store holds for an id (0 = none). */
  storedSeq(id: Uint8Array): bigint
  prefix?: string
}

export class PaxosState {
  private readonly datastore: Datastore
  private readonly init: PaxosStateInit
  private readonly prefix: string
  private readonly lock = new KeyedLock()
  /** Ids with state kept (filled by open() and every save), so pruning an id without state costs no I/O. */
  private readonly held = new Set<string>()

  constructor (datastore: Datastore, init: PaxosStateInit) {
    this.datastore = datastore
    this.init = init
    this.prefix = init.prefix ?? PREFIX
  }

  /** Phase 1: promise `ballot` for the slot unless a higher one was promised. */
  async prepare (id: Uint8Array, expectedSeq: bigint, ballot: Ballot, options?: AbortOptions): Promise<PrepareVerdict> {
    return this.withState<PrepareVerdict>(id, options, async (state, storedSeq) => {
      if (expectedSeq < state.floor) return { verdict: { promised: false, promisedBallot: ZERO_BALLOT, storedSeq, stale: true, retired: state.retired.find(r => r.e === expectedSeq) }, dirty: false }
      const slot = openSlot(state, expectedSeq)
      if (compareBallots(ballot, slot.promised) < 0) {
        return { verdict: { promised: false, promisedBallot: slot.promised, accepted: slot.accepted, storedSeq, stale: false }, dirty: false }
      }
      const dirty = compareBallots(ballot, slot.promised) > 0
      slot.promised = ballot
      return { verdict: { promised: true, promisedBallot: ballot, accepted: slot.accepted, storedSeq, stale: false }, dirty }
    })
  }

  /** Phase 2: accept (ballot, value) for the slot unless a higher ballot was promised. */
  async accept (id: Uint8Array, expectedSeq: bigint, ballot: Ballot, value: CasValue, options?: AbortOptions): Promise<AcceptVerdict> {
    return this.withState<AcceptVerdict>(id, options, async (state, storedSeq) => {
      if (expectedSeq < state.floor) return { verdict: { accepted: false, promisedBallot: ZERO_BALLOT, storedSeq, stale: true }, dirty: false }
      const slot = openSlot(state, expectedSeq)
      if (compareBallots(ballot, slot.promised) < 0) {
        return { verdict: { accepted: false, promisedBallot: slot.promised, storedSeq, stale: false }, dirty: false }
      }
      slot.promised = ballot
      slot.accepted = { ballot, record: value.record.slice(), acceptors: value.acceptors.map(a => a.slice()) }
      return { verdict: { accepted: true, promisedBallot: ballot, storedSeq, stale: false }, dirty: true }
    })
  }

  /** The state of one slot (tests, inspection); undefined when none is kept. */
  async slot (id: Uint8Array, expectedSeq: bigint, options?: AbortOptions): Promise<SlotState | undefined> {
    return (await this.load(id, options)).slots.get(expectedSeq)
  }

  /** Learn which ids have state on disk; call once before pruning is relied on. */
  async open (options?: AbortOptions): Promise<void> {
    this.held.clear()
    for await (const key of this.datastore.queryKeys({ prefix: this.prefix }, options)) this.held.add(key.toString().slice(this.prefix.length))
  }

  /** Ids with slot state kept. */
  get size (): number { return this.held.size }

  /** Drop the stale slots of an id now (its stored seq moved); no I/O when the id has no state. */
  async prune (id: Uint8Array, options?: AbortOptions): Promise<void> {
    if (!this.held.has(base32.baseEncode(id))) return
    await this.withState(id, options, async () => ({ verdict: undefined, dirty: false }))
  }

  /**
   * Load the id's state, drop stale slots, run `work`, and write the state
   * back when it changed. One id at a time.
   */
  private async withState<T> (id: Uint8Array, options: AbortOptions | undefined, work: (state: IdState, storedSeq: bigint) => Promise<{ verdict: T, dirty: boolean }>): Promise<T> {
    return this.lock.run(base32.baseEncode(id), async () => {
      const state = await this.load(id, options)
      const storedSeq = this.init.storedSeq(id)
      let dirty = false
      if (storedSeq > state.floor) {
        state.floor = storedSeq
        dirty = true
      }
      for (const [e, slot] of [...state.slots]) {
        if (e < state.floor) {
          state.slots.delete(e)
          state.retired.push({ e, accepted: slot.accepted == null ? undefined : { ballot: slot.accepted.ballot, hash: sha256(slot.accepted.record) } })
          dirty = true
        }
      }
      if (dirty) state.retired = state.retired.sort((a, b) => a.e > b.e ? -1 : a.e < b.e ? 1 : 0).slice(0, RETIRED_SLOTS)
      const result = await work(state, storedSeq)
      if (dirty || result.dirty) await this.save(id, state, options)
      return result.verdict
    })
  }

  private async load (id: Uint8Array, options?: AbortOptions): Promise<IdState> {
    let bytes: Uint8Array
    try {
      bytes = await this.datastore.get(this.key(id), options)
    } catch (err: any) {
      if (err.name === 'NotFoundError') return { floor: 0n, slots: new Map(), retired: [] }
      throw err
    }
    const json = JSON.parse(new TextDecoder().decode(bytes)) as StoredIdState
    const slots = new Map<bigint, SlotState>()
    for (const s of json.slots) {
      slots.set(BigInt(s.e), {
        promised: ballotFromJson(s.promised),
        accepted: s.accepted == null ? undefined : { ballot: ballotFromJson(s.accepted.ballot), record: base32.baseDecode(s.accepted.record), acceptors: (s.accepted.acceptors ?? []).map(a => base32.baseDecode(a)) }
      })
    }
    const retired = (json.retired ?? []).map(r => ({ e: BigInt(r.e), accepted: r.accepted == null ? undefined : { ballot: ballotFromJson(r.accepted.ballot), hash: base32.baseDecode(r.accepted.hash) } }))
    return { floor: BigInt(json.floor), slots, retired }
  }

  private async save (id: Uint8Array, state: IdState, options?: AbortOptions): Promise<void> {
    const json: StoredIdState = {
      floor: state.floor.toString(),
      slots: [...state.slots].map(([e, s]) => ({
        e: e.toString(),
        promised: ballotToJson(s.promised),
        accepted: s.accepted == null ? undefined : { ballot: ballotToJson(s.accepted.ballot), record: base32.baseEncode(s.accepted.record), acceptors: s.accepted.acceptors.map(a => base32.baseEncode(a)) }
      })),
      retired: state.retired.map(r => ({ e: r.e.toString(), accepted: r.accepted == null ? undefined : { ballot: ballotToJson(r.accepted.ballot), hash: base32.baseEncode(r.accepted.hash) } }))
    }
    await this.datastore.put(this.key(id), new TextEncoder().encode(JSON.stringify(json)), options)
    this.held.add(base32.baseEncode(id))
  }

  private key (id: Uint8Array): Key {
    return new Key(this.prefix + base32.baseEncode(id), false)
  }
}

/** The slot for `expectedSeq`, opened (nothing promised yet) if new; refused past MAX_OPEN_SLOTS. */
function openSlot (state: IdState, expectedSeq: bigint): SlotState {
  let slot = state.slots.get(expectedSeq)
  if (slot == null) {
    if (state.slots.size >= MAX_OPEN_SLOTS) throw new TooManySlotsError(`${state.slots.size} compare-and-swap slots open for this id`)
    slot = { promised: ZERO_BALLOT }
    state.slots.set(expectedSeq, slot)
  }
  return slot
}

interface StoredBallot { counter: string, proposer: string }
interface StoredIdState {
  floor: string
  slots: Array<{ e: string, promised: StoredBallot, accepted?: { ballot: StoredBallot, record: string, acceptors?: string[] } }>
  retired?: Array<{ e: string, accepted?: { ballot: StoredBallot, hash: string } }>
}

function ballotToJson (b: Ballot): StoredBallot {
  return { counter: b.counter.toString(), proposer: base32.baseEncode(b.proposer) }
}

function ballotFromJson (b: StoredBallot): Ballot {
  return { counter: BigInt(b.counter), proposer: base32.baseDecode(b.proposer) }
}
