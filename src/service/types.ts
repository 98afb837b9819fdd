import type { AbortOptions, ComponentLogger, Metrics, PeerId, PeerStore, PrivateKey } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'
import type { PublishRecord } from '../records/publish-record.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ItemKind } from '../records/item.ts'
import type { SizeEstimate } from './size-estimate.ts'
import type { InboundQueueStats } from '../rpc/inbound-queue.ts'
import type { LocalPins } from '../store/local-pins.ts'
import type { BlockBatchSource } from './block-batches.ts'

export type { FoundPeer, LocalPins }

/** The libp2p components the service uses. */
export interface ToyrrentComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  datastore: Datastore
  logger: ComponentLogger
  metrics?: Metrics
  /** The node's libp2p key: signs store acknowledgements (records/store-ack.ts); without it no FORWARD_STORE is served and STORE signs no acks. */
  privateKey?: PrivateKey
}

export interface PutResult {
  /** 32-byte key (SHA-256 of the value). */
  key: Uint8Array
  /** The key as people see it: CIDv1, raw codec, base32. */
  cid: string
  /** Peers that acknowledged storing the item. */
  stored: PeerId[]
}

export interface ToyrrentOperationOptions extends AbortOptions {
  /** Give up after this many milliseconds (default DEFAULT_OPERATION_TIMEOUT_MS). */
  timeout?: number
  /**
   * get: ms to wait for the nearest holder before asking more at once
   * (default READ_HEDGE_MS). A caller with many gets in flight (a file's
   * fetch window) waits on its own queue too and passes a longer one, so
   * a busy moment does not become every block fetched several times.
   * get and resolve: also how long a forwarded read (forwarded-read.ts)
   * waits before the direct path starts beside it (default: a few of the
   * forwarder's round trips); put: the same for a forwarded put (forwarded-put.ts).
   */
  hedgeMs?: number
}

export interface PublishResult {
  /** 32-byte id: SHA-256(public key ‖ salt). */
  id: Uint8Array
  seq: bigint
  /** Peers that acknowledged storing the record. */
  stored: PeerId[]
}

export interface ResolveResult {
  id: Uint8Array
  /** The newest valid record the replica set holds. */
  record: PublishRecord
  seq: bigint
  value: Uint8Array
  /** The newest record is a tombstone: the id was deleted. */
  deleted: boolean
}

export interface PublishOptions extends ToyrrentOperationOptions {
  /** Salt (0-64 bytes) so one key can own many ids. */
  salt?: Uint8Array
  /** Sequence number; default one more than the newest the network holds. */
  seq?: bigint
  /** Compare-and-swap: only replace when replicas hold exactly this seq (0 = nothing yet). */
  expectedSeq?: bigint
}

export interface HoldersResult {
  /** The R nearest live nodes to the key, nearest first, and whether each holds it. */
  replicaSet: Array<{ peerId: PeerId, holds: boolean }>
  /** Other nodes the lookup met that hold it (peer id strings). */
  otherHolders: string[]
}

/** Replica health as of the last repair round, and repair's totals (part of `stats()`). */
export interface RepairStats {
  /** Unix ms the last round finished; 0 before the first. */
  lastRoundAt: number
  lastRoundMs: number
  /** Bytes of repair requests and responses in the last round (frames as encoded). */
  lastRoundBytes: number
  rounds: number
  /** Items pushed to peers that lacked them, in total. */
  pushed: number
  /** Items dropped because others hold them where they belong, in total. */
  dropped: number
  /** Our own (pinned) items stored afresh on their replica sets, an interval after they were last placed, in total. */
  republished: number
  /** Held items this node is among the R nearest for. */
  responsible: number
  /** Items with fewer than R confirmed holders among the R nearest, at the last round. */
  underReplicated: number
  /** Items held here though this node is not among the R nearest (pinned own data, or on its way out). */
  overReplicated: number
}

export interface ToyrrentStats {
  items: number
  bytes: number
  pinned: number
  /** Bytes of the pinned items (this node's own users' data, never expiring here). */
  pinnedBytes: number
  /** Peers in the routing table. */
  peers: number
  replicas: number
  /** W: acknowledgements a write needs. */
  writeQuorum: number
  /** Whether hash puts reach replicas behind a dial through a connected peer (ToyrrentInit.forwardPuts). */
  forwardPuts: boolean
  repair: RepairStats
  /** Items dropped since start because their bodies could not be read back from disk (garbled, torn, segment gone). */
  unreadable: UnreadableStats
  network: NetworkStats
}

/**
 * A dropped item is fetched again by repair when this node is among its R
 * nearest; a pinned one is fetched again at once (restore-pinned.ts).
 */
export interface UnreadableStats {
  dropped: number
  /** Pinned items among them fetched again from the network and kept pinned. */
  restored: number
  /** Pinned items among them that could not be fetched again (the pin is lost). */
  failed: number
}

/** The network as one node sees it (part of `stats()`). */
export interface NetworkStats {
  /** Distance bands with at least one peer in the routing table. */
  tableBands: number
  /** Estimated number of nodes, from the distances to the nearest peers. */
  networkSize: SizeEstimate
  inbound: InboundQueueStats
  /** Peers that announced their graceful leave and are kept out of the table and lookups until they connect anew or 10 minutes pass (departed-peers.ts). */
  departed: string[]
}

/** What the toyrrent service offers to applications. */
export interface ToyrrentApi {
  /** Store an immutable value (at most 65,536 bytes) on the R nearest nodes; needs W acknowledgements. */
  put(value: Uint8Array, options?: ToyrrentOperationOptions): Promise<PutResult>
  /** Fetch and verify the value stored under a 32-byte key. Throws NotFoundError / InsufficientPeersError. */
  get(key: Uint8Array, options?: ToyrrentOperationOptions): Promise<Uint8Array>
  /** The n nodes of the network nearest to a 32-byte position (this node included when it qualifies), nearest first. */
  findBeforeN(target: Uint8Array, n?: number, options?: ToyrrentOperationOptions): Promise<FoundPeer[]>
  /** Sign in-process and publish a value under SHA-256(public key ‖ salt). */
  publish(privateKey: PrivateKey, value: Uint8Array, options?: PublishOptions): Promise<PublishResult>
  /** Publish a record signed elsewhere (the daemon relays what clients signed). */
  publishRecord(record: PublishRecord, options?: PublishOptions): Promise<PublishResult>
  /** The newest valid record under an id, repairing replicas that hold an older one. */
  resolve(id: Uint8Array, options?: ToyrrentOperationOptions): Promise<ResolveResult>
  /** Publish a signed tombstone with a higher seq. */
  del(privateKey: PrivateKey, options?: PublishOptions): Promise<PublishResult>
  /** Which of a key's R nearest live nodes hold it, and which other holders the lookup met. */
  holders(key: Uint8Array, options?: ToyrrentOperationOptions): Promise<HoldersResult>
  /** Items held, peers known, and replica health as of the last repair round. */
  stats(): ToyrrentStats
  /** What this node holds itself (no network). */
  heldItems(): HeldItem[]
  /** Store a libp2p routing record (`/ipns/...`) on the R nearest of SHA-256(key); see protocols/routing-record.md. */
  putRoutingRecord?(key: Uint8Array, value: Uint8Array, options?: ToyrrentOperationOptions): Promise<PeerId[]>
  /** The valid routing record under `key` its namespace's selector prefers, from a read quorum. */
  getRoutingRecord?(key: Uint8Array, options?: ToyrrentOperationOptions): Promise<Uint8Array>
  /** Pin state of the hash items held here (files' pins: src/files/pins.ts). */
  readonly localPins: LocalPins
  /** Several blocks from one holder per request (FETCH_MANY), for the files layer's reads; absent: one get per block. */
  readonly blockBatches?: BlockBatchSource
}

export interface HeldItem {
  key: Uint8Array
  kind: ItemKind
  seq: bigint
  pinned: boolean
  /** Unix ms; 0 = never. */
  expiresAt: number
  /** Among the R nearest by this node's view. */
  responsible: boolean
}
