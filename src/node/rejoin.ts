/** Dialling the peers a node remembers (peer store) or finds by mDNS. */
import { logger } from '@libp2p/logger'
import { DIAL_TIMEOUT_MS, REMEMBERED_DIAL_TIMEOUT_MS } from '../constants.ts'
import type { ToyrrentLibp2p } from '../node.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('toyrrent:node')

/**
 * Up to `count` peers from the (persistent) peer store that spoke toyrrent's
 * RPC protocol, as the peer store orders them, that we are not connected to
 * (nor listed in `skip`).
 */
export async function rememberedPeers (libp2p: ToyrrentLibp2p, protocol: string, count: number, skip = new Set<string>()): Promise<PeerId[]> {
  if (count <= 0) return []
  const connected = new Set(libp2p.getConnections().map(c => c.remotePeer.toString()))
  return (await libp2p.peerStore.all({ filters: [peer => peer.protocols.includes(protocol) && peer.addresses.length > 0] }))
    .filter(peer => !peer.id.equals(libp2p.peerId) && !connected.has(peer.id.toString()) && !skip.has(peer.id.toString()))
    .slice(0, count)
    .map(peer => peer.id)
}

/**
 * Rejoin without flags: dial up to `count` remembered peers, each within a
 * deadline. Resolves with the number of remembered peers now connected:
 * those reached, and those that reconnected to us first (a restarted node's
 * neighbours often do), bootstrap peers aside.
 */
export async function dialRemembered (libp2p: ToyrrentLibp2p, protocol: string, count: number, bootstrap: Multiaddr[] = []): Promise<number> {
  const peers = await rememberedPeers(libp2p, protocol, count)
  const results = await Promise.allSettled(peers.map(async peer => libp2p.dial(peer, { signal: AbortSignal.timeout(REMEMBERED_DIAL_TIMEOUT_MS) })))
  const reached = results.filter(r => r.status === 'fulfilled').length
  const dialled = new Set([...peers.map(p => p.toString()), ...bootstrap.map(ma => ma.getComponents().find(c => c.name === 'p2p')?.value).filter(id => id != null)])
  const connected = new Set(libp2p.getConnections().map(c => c.remotePeer.toString()))
  const camefirst = (await libp2p.peerStore.all({ filters: [peer => peer.protocols.includes(protocol)] }))
    .filter(peer => connected.has(peer.id.toString()) && !dialled.has(peer.id.toString())).length
  log('rejoined %d of %d remembered peers; %d more had reconnected first', reached, peers.length, camefirst)
  return Math.min(count, reached + camefirst)
}

/** mDNS only reports peers; connect to each one found (libp2p 3 does not auto-dial). */
export function dialDiscovered (libp2p: ToyrrentLibp2p): void {
  libp2p.addEventListener('peer:discovery', (evt) => {
    const { id, multiaddrs } = evt.detail
    if (id.equals(libp2p.peerId) || libp2p.getConnections(id).length > 0) return
    libp2p.dial(multiaddrs.length > 0 ? multiaddrs : id, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }).then(() => {
      log('connected to %p found on the local network', id)
    }, (err: Error) => {
      log('could not dial %p found on the local network: %s', id, err.message)
    })
  })
}
