/** What the node reads off the service's routing table, and which peer an address names. */
import type { ToyrrentLibp2p } from './types.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Peers in the service's routing table. */
export function tableSize (libp2p: ToyrrentLibp2p): number {
  let n = 0
  for (const peers of libp2p.services.toyrrent.tableBands().values()) n += peers.length
  return n
}

export function inTable (libp2p: ToyrrentLibp2p, peerId: PeerId): boolean {
  for (const peers of libp2p.services.toyrrent.tableBands().values()) {
    if (peers.some(p => p.peerId.equals(peerId))) return true
  }
  return false
}

/** The peer an address leads to: its last /p2p/ (a relayed address names the relay first). */
export function peerIdOf (addr: Multiaddr): string | undefined {
  return addr.getComponents().findLast(c => c.name === 'p2p')?.value
}
