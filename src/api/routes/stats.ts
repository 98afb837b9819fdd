/** `GET /v1/stats`: what the node holds and sees — items, bytes, routing table, network size estimate, inbound queue. */
import type { ApiResult, RequestContext } from '../router.ts'
import type { Toyrrent } from '../../service/toyrrent.ts'

export interface StatsResponse {
  peerId: string
  connections: number
  items: number
  bytes: number
  /** Peers in the routing table, and how many distance bands they fill. */
  tablePeers: number
  bands: number
  /** Estimated number of nodes in the network (see docs: network size estimate) and the peers it rests on. */
  networkSize: { estimate: number, peers: number }
  inbound: { running: number, queued: number, waitingPeers: number, refused: number, done: number }
}

export async function getStats (ctx: RequestContext): Promise<ApiResult> {
  const service = ctx.node.toyrrent as Partial<Pick<Toyrrent, 'stats'>>
  if (typeof service.stats !== 'function') return { status: 501, json: { error: { code: 'not-supported', message: 'this node keeps no stats' } } }
  const stats = service.stats()
  const body: StatsResponse = {
    peerId: ctx.node.libp2p.peerId.toString(),
    connections: ctx.node.libp2p.getConnections().length,
    ...stats,
    networkSize: { estimate: Math.round(stats.networkSize.estimate), peers: stats.networkSize.peers }
  }
  return { status: 200, json: body }
}
