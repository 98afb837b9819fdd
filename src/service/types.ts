import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A peer found by find_before_n: who it is, where it listens, where it sits. */
export interface FoundPeer {
  peerId: PeerId
  multiaddrs: Multiaddr[]
  /** 32-byte position in the key space (SHA-256 of the peer id multihash). */
  position: Uint8Array
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
}

/** What the toyrrent service offers to applications. */
export interface ToyrrentApi {
  /** Store an immutable value (at most 65,536 bytes) on the R nearest nodes; needs W acknowledgements. */
  put(value: Uint8Array, options?: ToyrrentOperationOptions): Promise<PutResult>
  /** Fetch and verify the value stored under a 32-byte key. Throws NotFoundError / InsufficientPeersError. */
  get(key: Uint8Array, options?: ToyrrentOperationOptions): Promise<Uint8Array>
  /** The n nodes of the network nearest to a 32-byte position (this node included when it qualifies), nearest first. */
  findBeforeN(target: Uint8Array, n?: number, options?: ToyrrentOperationOptions): Promise<FoundPeer[]>
}
