/** Dialling the peers a node remembers (peer store) or finds by mDNS. */
import { logger } from '@libp2p/logger'
import { peerIdOf } from './table.ts'
import { DIAL_TIMEOUT_MS, REMEMBERED_DIAL_TIMEOUT_MS } from '../constants.ts'
import type { ToyrrentLibp2p } from './types.ts'
import type { Connection, PeerId } from '@libp2p/interface'
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
 * Rejoin without flags: dial up to `count` of the `remembered` peers not
 * connected yet, each within a deadline, and stop dialling one as soon as it
 * connects to us by itself (a restarted node's neighbours often do, while
 * our own dial to an old address of theirs may hang). Resolves with how many
 * remembered peers are connected then, bootstrap peers aside.
 *
 * Only an inbound connection stops a dial: libp2p announces our own dial's
 * connection (connection:open, peer:connect) before the dial resolves, and
 * aborting the dial then destroys that connection (TCP keeps the dial's
 * signal on its socket), so the rejoin tore down every connection it made.
 */
export async function rejoin (libp2p: ToyrrentLibp2p, remembered: PeerId[], count: number, bootstrap: Multiaddr[] = []): Promise<number> {
  const bootstrapIds = new Set(bootstrap.map(peerIdOf))
  const candidates = remembered.filter(peer => !bootstrapIds.has(peer.toString()))
  const dials = new Map<string, AbortController>()
  const cameIn = (evt: CustomEvent<Connection>): void => {
    if (evt.detail.direction === 'inbound') dials.get(evt.detail.remotePeer.toString())?.abort()
  }
  libp2p.addEventListener('connection:open', cameIn)
  try {
    const toDial = candidates.filter(peer => libp2p.getConnections(peer).length === 0).slice(0, count)
    await Promise.allSettled(toDial.map(async peer => {
      const controller = new AbortController()
      dials.set(peer.toString(), controller)
      await libp2p.dial(peer, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(REMEMBERED_DIAL_TIMEOUT_MS)]) })
    }))
    const rejoined = candidates.filter(peer => libp2p.getConnections(peer).length > 0).length
    log('rejoined: %d of %d remembered peers connected (dialled %d)', rejoined, candidates.length, toDial.length)
    return rejoined
  } finally {
    libp2p.removeEventListener('connection:open', cameIn)
  }
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
