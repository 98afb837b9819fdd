import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A peer as lookups and the routing table know it: who it is, where it listens, where it sits. */
export interface FoundPeer {
  peerId: PeerId
  multiaddrs: Multiaddr[]
  /** 32-byte position in the key space (SHA-256 of the peer id multihash). */
  position: Uint8Array
}

/**
 * `peers` with each peer once, in order of first appearance: its first
 * entry, or a later one that carries more addresses (a forwarded answer
 * names its replica by id alone, a `closer` entry with its addresses; a
 * dial without them starts with a peer lookup).
 */
export function uniquePeers (peers: Iterable<FoundPeer>): FoundPeer[] {
  const seen = new Map<string, FoundPeer>()
  for (const p of peers) {
    const key = p.peerId.toString()
    const had = seen.get(key)
    if (had == null || had.multiaddrs.length < p.multiaddrs.length) seen.set(key, p)
  }
  return [...seen.values()]
}
