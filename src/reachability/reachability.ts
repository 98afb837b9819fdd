/**
 * Whether others on the internet can dial this node, judged from its own
 * addresses as libp2p's address manager holds them: an address outside the
 * private ranges that is verified (AutoNAT confirmed it by a dial-back, a
 * UPnP mapping was confirmed, or the operator announced it) makes the node
 * public. Private, loopback and relayed addresses never do.
 */
import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

export type Reachability = 'public' | 'private' | 'unknown'

/** The parts of libp2p's address metadata (AddressManager.getAddressesWithMetadata) we read. */
export interface AddressInfo {
  multiaddr: Multiaddr
  verified: boolean
  /** 'transport' (a listen address), 'announce', 'observed', 'ip-mapping', 'dns-mapping'. */
  type: string
}

/** An address on the public internet: not private, loopback or link-local, and not through a relay. */
export function isPublicAddr (ma: Multiaddr): boolean {
  if (ma.getComponents().some(c => c.name === 'p2p-circuit')) return false
  const host = ma.getComponents()[0]
  if (host == null || !['ip4', 'ip6', 'dns4', 'dns6', 'dns', 'dnsaddr'].includes(host.name)) return false
  if (host.name === 'ip6' && host.value != null && /^fe[89ab]/i.test(host.value)) return false
  return !isPrivate(ma)
}

/**
 * - public: an address of ours on the internet is verified;
 * - unknown: an interface (listen) address of ours is on the internet but not
 *   verified yet (AutoNAT has not answered), or an address of ours on the internet
 *   was just announced/mapped and is waiting for its check;
 * - private: none of our own interface addresses is on the internet and none of
 *   our addresses is verified: we sit behind a NAT (an observed address, the NAT's
 *   outside, is no evidence that anyone can dial in).
 */
export function reachabilityOf (addrs: AddressInfo[]): Reachability {
  const internet = addrs.filter(a => isPublicAddr(a.multiaddr))
  if (internet.some(a => a.verified)) return 'public'
  if (internet.some(a => a.type !== 'observed')) return 'unknown'
  return 'private'
}
