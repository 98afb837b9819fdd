/**
 * What the files layer needs to fetch several blocks from one holder in one
 * exchange (FETCH_MANY, protocols/rpc.md): whether this node holds a key,
 * the peers a key's get would ask (the R nearest in the routing table,
 * nearest first, as a get's lookup starts), and the request itself under
 * PeerRequests' deadline, BUSY retries and failure rule. Verifying the
 * blocks is the caller's (src/files/batch-loader.ts); a get is the fallback
 * for anything a batch does not bring.
 */
import { isExpired } from '../store/item-store.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { FetchManyAnswer } from '../rpc/peer-rpc.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Clock } from '../clock.ts'

export interface BlockBatchSource {
  /** This node holds `key` as a live hash item (a get answers it without the network). */
  holdsHere(key: Uint8Array): boolean
  /** The peers a get of `key` would ask first: its R nearest in the routing table, nearest first. */
  holdersOf(key: Uint8Array): FoundPeer[]
  /** One FETCH_MANY to `peer`; throws RemoteRejectedError code 'unknown-type' when the peer predates it. */
  fetchMany(peer: FoundPeer, keys: Uint8Array[], signal?: AbortSignal): Promise<FetchManyAnswer>
  /** Deadline of one request, BUSY retries included (ms): the batch loader gives a batch up after it. */
  readonly requestTimeoutMs?: number
  /** Deadline of one get (ms): the batch loader's bound on a block's single get. */
  readonly operationTimeoutMs?: number
}

export interface BlockBatchesInit {
  store: ItemStore
  table: PeerTable
  requests: PeerRequests
  replicas: number
  clock: Clock
  /** The requests' deadline (ms). @default DEFAULT_REQUEST_TIMEOUT_MS */
  requestTimeout?: number
  /** A get's deadline (ms). @default DEFAULT_OPERATION_TIMEOUT_MS */
  operationTimeout?: number
}

export class BlockBatches implements BlockBatchSource {
  private readonly init: BlockBatchesInit
  readonly requestTimeoutMs?: number
  readonly operationTimeoutMs?: number

  constructor (init: BlockBatchesInit) {
    this.init = init
    this.requestTimeoutMs = init.requestTimeout
    this.operationTimeoutMs = init.operationTimeout
  }

  holdsHere (key: Uint8Array): boolean {
    const meta = this.init.store.meta(key)
    return meta != null && meta.kind === 'hash' && !isExpired(meta, this.init.clock.now())
  }

  holdersOf (key: Uint8Array): FoundPeer[] {
    return this.init.table.closest(key, this.init.replicas).map(p => ({ peerId: p.peerId, multiaddrs: p.multiaddrs, position: p.position }))
  }

  async fetchMany (peer: FoundPeer, keys: Uint8Array[], signal?: AbortSignal): Promise<FetchManyAnswer> {
    return this.init.requests.ask(peer, { signal: signal ?? new AbortController().signal }, async (rpc, options) => rpc.fetchMany(peer, keys, options))
  }
}
