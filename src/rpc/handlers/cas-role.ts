/**
 * Whether this node acts as an acceptor of a compare-and-swap slot
 * (protocols/cas.md, "Who the acceptors of a slot are"). A slot whose record
 * carries an acceptor set has exactly that set, whatever anyone's table says;
 * a slot without one (the first write of an id, a record from a plain
 * publish or an old peer) falls back to the view rule: the R nearest by this
 * node's own table, and not catching up after a pause.
 */
import { inAcceptorSet, sameAcceptorSet } from '../../records/acceptor-set.ts'
import type { CasSlot } from '../peer-rpc.ts'
import type { CasAcceptor } from './cas-acceptor.ts'

export interface SlotRole {
  /** Acts as an acceptor of the slot (promises, accepts). */
  replica: boolean
  storedSeq: bigint
  /** The acceptor set the stored record carries (empty: none); a proposer learns the slot's set from it. */
  storedAcceptors: Uint8Array[]
}

export async function slotRole (cas: CasAcceptor, slot: CasSlot): Promise<SlotRole> {
  const stored = await cas.storedRecord(slot.id)
  const storedSeq = stored?.seq ?? 0n
  const storedAcceptors = stored?.acceptors ?? []
  const named = slot.acceptors ?? []
  let replica: boolean
  if (storedSeq === slot.expectedSeq && storedAcceptors.length > 0) {
    // the set this node's copy of record e carries is the slot's: a request naming another is refused
    replica = inAcceptorSet(storedAcceptors, cas.selfId) && (named.length === 0 || sameAcceptorSet(named, storedAcceptors))
  } else if (named.length > 0) {
    // record e not here (yet), or here without its set: the set the proposer learned from a copy that has it
    replica = inAcceptorSet(named, cas.selfId)
  } else {
    replica = cas.shareNearest(slot.id, cas.replicas).some(p => p.peerId.equals(cas.selfId)) && cas.acting()
  }
  return { replica, storedSeq, storedAcceptors }
}
