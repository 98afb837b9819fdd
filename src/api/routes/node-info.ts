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

/** Connected peers, one entry per peer with the addresses of its open connections. */
export async function getPeers (ctx: RequestContext): Promise<ApiResult> {
  const peers = new Map<string, PeerJson>()
  for (const connection of ctx.node.libp2p.getConnections()) {
    const peerId = connection.remotePeer.toString()
    const peer = peers.get(peerId) ?? { peerId, multiaddrs: [], connections: [], relayed: true }
    const addr = connection.remoteAddr.toString()
    if (!peer.multiaddrs.includes(addr)) peer.multiaddrs.push(addr)
    const relayed = connection.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')
    peer.connections?.push({ remoteAddr: addr, relayed, direction: connection.direction })
    peer.relayed = peer.relayed === true && relayed
    peers.set(peerId, peer)
  }
  const body: PeersResponse = { peers: [...peers.values()] }
  return { status: 200, json: body }
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
