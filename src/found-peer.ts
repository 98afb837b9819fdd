import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A peer as lookups and the routing table know it: who it is, where it listens, where it sits. */
export interface FoundPeer {
  peerId: PeerId
  multiaddrs: Multiaddr[]
  /** 32-byte position in the key space (SHA-256 of the peer id multihash). */
  position: Uint8Array
}

/** `peers` with each peer once (its first entry kept), in order. */
export function uniquePeers (peers: Iterable<FoundPeer>): FoundPeer[] {
  const seen = new Map<string, FoundPeer>()
  for (const p of peers) if (!seen.has(p.peerId.toString())) seen.set(p.peerId.toString(), p)
  return [...seen.values()]
}
