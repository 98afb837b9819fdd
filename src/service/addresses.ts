/**
 * Which of a peer's addresses to pass on. On a LAN or one machine, loopback
 * and private addresses are the useful ones; on the public internet they
 * only waste dials.
 */
import { circuitRelayAddressesLast, isLoopback, isPrivate, loopbackAddressLast, publicAddressesFirst, reliableTransportsFirst } from '@libp2p/utils'
import { isPublicAddr } from '../reachability/reachability.ts'
import type { Address } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export function keepAddrs (addrs: Multiaddr[], allowPrivate: boolean): Multiaddr[] {
  return allowPrivate ? addrs : addrs.filter(a => !isPrivate(a))
}

/**
 * What a node offers its peers (libp2p's announce filter): a node with an
 * address on the internet offers only such addresses (its LAN and loopback
 * addresses mean nothing to peers elsewhere), a node with LAN addresses does
 * not offer loopback; a node on loopback alone (one machine) keeps it.
 * Relayed (/p2p-circuit) addresses always stay.
 */
export function offeredAddrs (addrs: Multiaddr[]): Multiaddr[] {
  const relayed = (a: Multiaddr): boolean => a.getComponents().some(c => c.name === 'p2p-circuit')
  const direct = addrs.filter(a => !relayed(a))
  const internet = direct.filter(a => isPublicAddr(a))
  const lan = direct.filter(a => !isLoopback(a))
  const keep = internet.length > 0 ? internet : lan.length > 0 ? lan : direct
  return [...keep, ...addrs.filter(relayed)]
}

function isQuic (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'quic-v1')
}

/**
 * libp2p's dial order (public before private, loopback and relayed last)
 * with QUIC before TCP: a new QUIC connection costs one round trip where TCP
 * with Noise and two protocol negotiations costs four.
 */
export function quicFirstSorter (a: Address, b: Address): -1 | 0 | 1 {
  return loopbackAddressLast(a.multiaddr, b.multiaddr) ||
    publicAddressesFirst(a.multiaddr, b.multiaddr) ||
    circuitRelayAddressesLast(a.multiaddr, b.multiaddr) ||
    quicFirst(a.multiaddr, b.multiaddr) ||
    reliableTransportsFirst(a.multiaddr, b.multiaddr)
}

function quicFirst (a: Multiaddr, b: Multiaddr): -1 | 0 | 1 {
  return isQuic(a) === isQuic(b) ? 0 : isQuic(a) ? -1 : 1
}
