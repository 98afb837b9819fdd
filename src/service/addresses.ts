/**
 * Which of a peer's addresses to pass on. On a LAN or one machine, loopback
 * and private addresses are the useful ones (kad-dht's default mapper drops
 * them); on the public internet they only waste dials.
 */
import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerInfo } from '@libp2p/interface'

export function keepAddrs (addrs: Multiaddr[], allowPrivate: boolean): Multiaddr[] {
  return allowPrivate ? addrs : addrs.filter(a => !isPrivate(a))
}

/** A kad-dht peer-info mapper with the same rule. */
export function peerInfoMapper (allowPrivate: boolean): (peer: PeerInfo) => PeerInfo {
  return peer => ({ ...peer, multiaddrs: keepAddrs(peer.multiaddrs, allowPrivate) })
}
