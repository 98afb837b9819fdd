/**
 * Which of a peer's addresses to pass on. On a LAN or one machine, loopback
 * and private addresses are the useful ones; on the public internet they
 * only waste dials.
 */
import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

export function keepAddrs (addrs: Multiaddr[], allowPrivate: boolean): Multiaddr[] {
  return allowPrivate ? addrs : addrs.filter(a => !isPrivate(a))
}
