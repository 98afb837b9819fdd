/** What the node says about itself: `GET /v1/id`, `GET /v1/peers`, `GET /v1/health`. */
import { peerPosition } from '../../keyspace.ts'
import { toHex } from '../types.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { HealthResponse, IdResponse, PeerJson, PeersResponse } from '../types.ts'

export async function getId (ctx: RequestContext): Promise<ApiResult> {
  const { libp2p } = ctx.node
  const body: IdResponse = {
    peerId: libp2p.peerId.toString(),
    position: toHex(peerPosition(libp2p.peerId)),
    multiaddrs: libp2p.getMultiaddrs().map(ma => ma.toString()),
    reachability: ctx.node.modes?.reachability ?? 'unknown',
    mode: ctx.node.modes?.mode ?? 'server'
  }
  return { status: 200, json: body }
}

/**
 * Connected peers, one entry each: where it listens (the routing table's
 * addresses, learned through identify), else the address of our connection
 * (an inbound one has an ephemeral port), never with `/p2p/...` (the peer id
 * is its own field); and the connection's round-trip time.
 */
export async function getPeers (ctx: RequestContext): Promise<ApiResult> {
  const known = new Map<string, string[]>()
  for (const peers of ctx.node.toyrrent.tableBands?.().values() ?? []) {
    for (const p of peers) known.set(p.peerId.toString(), p.multiaddrs.map(ma => withoutPeerId(ma.toString())))
  }
  const peers = new Map<string, PeerJson>()
  for (const connection of ctx.node.libp2p.getConnections()) {
    const peerId = connection.remotePeer.toString()
    const peer = peers.get(peerId) ?? { peerId, multiaddrs: [...new Set(known.get(peerId) ?? [])], connections: [], relayed: true }
    const remoteAddr = connection.remoteAddr.toString()
    if (!known.has(peerId)) {
      const addr = withoutPeerId(remoteAddr)
      if (!peer.multiaddrs.includes(addr)) peer.multiaddrs.push(addr)
    }
    const relayed = connection.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')
    peer.connections?.push({ remoteAddr, relayed, direction: connection.direction })
    peer.relayed = peer.relayed === true && relayed
    if (connection.rtt != null && (peer.latencyMs == null || connection.rtt < peer.latencyMs)) peer.latencyMs = connection.rtt
    peers.set(peerId, peer)
  }
  const body: PeersResponse = { peers: [...peers.values()] }
  return { status: 200, json: body }
}

/** `/ip4/1.2.3.4/tcp/4001/p2p/12D3...` → `/ip4/1.2.3.4/tcp/4001`. */
export function withoutPeerId (addr: string): string {
  return addr.replace(/\/p2p\/[^/]+$/, '')
}

export async function getHealth (ctx: RequestContext): Promise<ApiResult> {
  const { libp2p } = ctx.node
  const body: HealthResponse = {
    ok: true,
    peerId: libp2p.peerId.toString(),
    connections: libp2p.getConnections().length
  }
  return { status: 200, json: body }
}
