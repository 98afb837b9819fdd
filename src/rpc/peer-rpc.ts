/**
 * The typed RPC client as the service sees it: one method per request of
 * protocols/rpc.md, domain types in and out. `RpcClient` implements it over
 * libp2p streams (or any FrameTransport, such as the in-memory test network);
 * the service's `PeerRequests` wraps it with deadlines, BUSY retries and the
 * rule for when a peer leaves the table.
 *
 * Every method throws RemoteRejectedError (code from src/refusals.ts) when
 * the peer refuses, and TimeoutError / an AbortError / a transport error when
 * it cannot be asked. NOT_FOUND is an answer, not an error.
 */
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { FoundPeer } from '../found-peer.ts'
import type { Item } from '../records/item.ts'
import type { AcceptedValue, Ballot, CasValue } from '../store/paxos-state.ts'

export interface RequestOptions extends AbortOptions {
  /** Deadline of this one request in ms. */
  timeout: number
  /** Hears the bytes the exchange took on the wire (both frames as encoded). */
  onBytes?(bytes: number): void
  /** Hears that the answer came after all, after the request timed out or was abandoned (the peer is alive). */
  onLateAnswer?(): void
  /** Only over a direct connection already open: otherwise NotConnectedError (rpc/not-connected.ts), nothing sent. */
  noDial?: boolean
}

export interface KeyVersion {
  key: Uint8Array
  /** Publish items; 0 for hash items. */
  seq: bigint
}

export interface DigestSummary {
  count: number
  /** 16 bytes. */
  hash: Uint8Array
}

export interface BucketSummary extends DigestSummary {
  index: number
}

export interface FindBeforeNAnswer {
  /** The responder's nearest peers to the target, nearest first. */
  peers: FoundPeer[]
  /** The responder holds the item whose key is the target. */
  holds: boolean
}

/** A routed find's answer (protocols/rpc.md, "Routed find"): the peers the chain named, unverified. */
export interface RoutedFindAnswer extends FindBeforeNAnswer {
  /** Hops the request was passed on (0: the peer answered from its own table, or does not route). */
  routed: number
  /** The last hop's table holds every peer it knows of in the target's band (protocols/rpc.md, "Routed find"). */
  exhaustive: boolean
}

export interface FetchAnswer {
  /** The item, when held. */
  item?: Item
  /** The responder's nearest peers to the key. */
  closer: FoundPeer[]
}

/** A FETCH_MANY answer, as the responder gave it (not yet verified: the asker hashes each body). */
export interface FetchManyAnswer {
  /** Hash items it holds of the keys asked, in request order. */
  items: Item[]
  /** Keys it does not hold as a hash item. */
  missing: Uint8Array[]
  /** Keys it holds but left out of this answer (its byte budget). */
  omitted: Uint8Array[]
}

/** FORWARD: a get asks for the first copy, a resolve for every replica the forwarder reaches (protocols/rpc.md, "Forwarded reads"). */
export type ForwardMode = 'first-copy' | 'replica-set'

export interface ForwardAnswer {
  /** What each replica the forwarder asked answered, as the forwarder says: unverified until the requester checks each item. */
  answers: Array<{ peer: FoundPeer, item?: Item }>
  /** The forwarder's R nearest to the key, itself included. */
  closer: FoundPeer[]
  /** It answered at once, asking nobody: fewer than `enough` of its R nearest are reachable without a dial (`shortAtOnce`). */
  tooFewOpen?: boolean
  /** With tooFewOpen: how many of its R nearest it can reach without a dial, itself counted. */
  reachable?: number
}

/** Quorum hints of a forwarded resolve (protocols/rpc.md, "Quorum hints"). */
export interface ForwardHints {
  /** Answer once this many answers agree; 0 or absent: once all have answered. */
  enough?: number
  /** When fewer than `enough` are reachable without a dial, answer at once instead of asking those that are. */
  shortAtOnce?: boolean
  /** How many more times the forwarder may pass the read on when what it reaches is not enough ("A second hop"); 0 or absent: never. */
  hops?: number
}

export interface StoreAnswer {
  /** Publish items: the seq held after the request. */
  storedSeq: bigint
  /** With `closerCount`: the responder's nearest peers to the key, itself included. */
  closer: FoundPeer[]
  /** With `ackNonce`, when kept: its signed store acknowledgement (records/store-ack.ts), unverified. */
  ack?: Uint8Array
}

/** FORWARD_STORE (protocols/rpc.md, "Forwarded puts"): what the forwarder says, unverified until the origin checks each ack. */
export interface ForwardStoreAnswer {
  /** Acknowledgements as the replicas gave them: the signer (by the forwarder's word) and its signature. */
  acks: Array<{ peer: FoundPeer, signature: Uint8Array }>
  /** The forwarder's R nearest to the key, itself included. */
  closer: FoundPeer[]
  /** Peers the forwarder was still storing on when it answered (by its word: a copy on the way, not an ack). */
  storing: PeerId[]
}

export interface StoreParams {
  /** Compare-and-swap for publish items: the seq the writer expects the peer to hold. */
  expectedSeq?: bigint
  /** Also list this many of the responder's nearest peers to the key. */
  closerCount?: number
  /** A forwarded put's write nonce (16 bytes): ask the responder to sign a store acknowledgement over it. */
  ackNonce?: Uint8Array
}

export interface DigestAnswer {
  match: boolean
  /** The responder's buckets, on a mismatch. */
  buckets: BucketSummary[]
}

export interface HandoffBatch {
  items: Item[]
  /** Pass back to continue. */
  cursor: Uint8Array
  done: boolean
}

/** A compare-and-swap slot: the id and the seq the writer expects it to hold. */
export interface CasSlot {
  id: Uint8Array
  expectedSeq: bigint
  /** The slot's acceptor set, as learned from record expectedSeq (protocols/cas.md); empty or absent: not known (the view rule). */
  acceptors?: Uint8Array[]
}

export interface PrepareAnswer {
  /** The peer promised our ballot for the slot. */
  promised: boolean
  /** The highest ballot it promised for the slot (beats ours when not promised). */
  promisedBallot: Ballot
  /** The value it accepted in the slot, if any: an encoded PublishRecord and its ballot. */
  accepted?: AcceptedValue
  /** The seq its store holds for the id (0 = none). */
  storedSeq: bigint
  /** The acceptor set its stored record carries (empty: none). */
  storedAcceptors: Uint8Array[]
  /** The slot is closed at this peer (its stored seq moved past it): nothing promised, nothing accepted from now on. */
  stale: boolean
  /** The peer knows what it last accepted in the slot: a live slot, or a closed one it still remembers. */
  slotKnown: boolean
  /** A closed slot's last accepted value as SHA-256 of the record, with its ballot (absent: none accepted). */
  closedAccepted?: { ballot: Ballot, hash: Uint8Array }
  /** It counts itself among the R nearest to the id (only then does it act as an acceptor). */
  replica: boolean
  /** Its R nearest to the id, itself included. */
  closer: FoundPeer[]
}

export interface AcceptAnswer {
  accepted: boolean
  promisedBallot: Ballot
  storedSeq: bigint
}

export interface PeerRpc {
  findBeforeN(peer: FoundPeer, target: Uint8Array, n: number, options: RequestOptions): Promise<FindBeforeNAnswer>
  /** FIND_BEFORE_N with `route` (protocols/rpc.md, "Routed find"); absent on clients that cannot send it. */
  findRouted?(peer: FoundPeer, target: Uint8Array, n: number, route: number, options: RequestOptions): Promise<RoutedFindAnswer>
  fetch(peer: FoundPeer, key: Uint8Array, closerCount: number, options: RequestOptions): Promise<FetchAnswer>
  /** Up to MAX_FETCH_MANY_KEYS hash items in one exchange (protocols/rpc.md, "FETCH_MANY"); an older peer refuses with code 'unknown-type'. */
  fetchMany(peer: FoundPeer, keys: Uint8Array[], options: RequestOptions): Promise<FetchManyAnswer>
  store(peer: FoundPeer, item: Item, params: StoreParams, options: RequestOptions): Promise<StoreAnswer>
  /** A forwarded read: `peer` fetches `key` from the replicas it has open connections to, within `timeoutMs`. */
  forward(peer: FoundPeer, key: Uint8Array, mode: ForwardMode, timeoutMs: number, options: RequestOptions, hints?: ForwardHints): Promise<ForwardAnswer>
  /** A forwarded put: `peer` stores `item` on the replicas it has open connections to and returns their signed acks (older peers: 'unknown-type'); with `hops` > 0 it may pass the put on once ("A second hop for puts"). */
  forwardStore(peer: FoundPeer, item: Item, ackNonce: Uint8Array, timeoutMs: number, enough: number, options: RequestOptions, hops?: number): Promise<ForwardStoreAnswer>
  digest(peer: FoundPeer, digest: DigestSummary, options: RequestOptions): Promise<DigestAnswer>
  /** Of these keys and seqs, the ones the peer lacks or holds older. */
  syncKeys(peer: FoundPeer, bucket: number, keys: KeyVersion[], options: RequestOptions): Promise<Uint8Array[]>
  /** Of these keys, the ones the peer holds, with their seq. */
  holds(peer: FoundPeer, keys: Uint8Array[], options: RequestOptions): Promise<KeyVersion[]>
  /** The next batch of items the peer would hand us, acknowledging the last batch's keys. */
  handoff(peer: FoundPeer, cursor: Uint8Array, limit: number, acked: Uint8Array[], options: RequestOptions): Promise<HandoffBatch>
  /** Acknowledge kept handoff items without asking for more. */
  acknowledgeHandoff(peer: FoundPeer, acked: Uint8Array[], options: RequestOptions): Promise<void>
  /** Compare-and-swap phase 1: ask the peer to promise `ballot` for the slot (protocols/cas.md). */
  prepare(peer: FoundPeer, slot: CasSlot, ballot: Ballot, options: RequestOptions): Promise<PrepareAnswer>
  /** Compare-and-swap phase 2: ask the peer to accept `record` (encoded) at `ballot` for the slot. */
  accept(peer: FoundPeer, slot: CasSlot, ballot: Ballot, value: CasValue, options: RequestOptions): Promise<AcceptAnswer>
  /** Announce our own graceful leave to the peer (LEAVE, protocols/rpc.md); an older peer answers UNKNOWN_TYPE. */
  leave(peer: FoundPeer, options: RequestOptions): Promise<void>
  /** Drop every open channel (service stop). */
  close(): void
}
