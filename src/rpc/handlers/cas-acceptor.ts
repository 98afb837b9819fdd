import type { PaxosState } from '../../store/paxos-state.ts'
import type { NearestPeers } from './nearest-peers.ts'
import type { PeerId } from '@libp2p/interface'

/** What the store holds for an id, as an acceptor needs it. */
export interface StoredRecord {
  seq: bigint
  body: Uint8Array
  /** The acceptor set the record carries (empty: none). */
  acceptors: Uint8Array[]
}

/** What the compare-and-swap handlers need of the node: its acceptor state, its view of the replica set, its store. */
export interface CasAcceptor extends NearestPeers {
  state: PaxosState
  selfId: PeerId
  replicas: number
  /**
   * False while this node catches up after a pause (protocols/cas.md): its
   * peers may have replaced it meanwhile, so it answers as no replica.
   */
  acting(): boolean
  /** The seq the item store holds for an id (0 = none). */
  storedSeq(id: Uint8Array): bigint
  /** The encoded record the item store holds for an id, if any. */
  storedBody(id: Uint8Array): Promise<Uint8Array | undefined>
  /** The record the item store holds for an id, with its acceptor set, if any. */
  storedRecord(id: Uint8Array): Promise<StoredRecord | undefined>
  /** Why a record may not be accepted for this id and slot (bad signature, seq not above the slot...), or undefined. */
  check(id: Uint8Array, expectedSeq: bigint, record: Uint8Array): Promise<{ code: string, message: string } | undefined>
}
