/**
 * `GET /v1/table`: the routing table (servers only: clients are never
 * admitted), each peer with its band, and the bands the dashboard draws
 * (band i: XOR distance in [2^i, 2^(i+1)), farthest first).
 */
import { toHex } from '../types.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { TableResponse } from '../types.ts'
import type { FoundPeer } from '../../service/types.ts'

export async function getTable (ctx: RequestContext): Promise<ApiResult> {
  const bands: Map<number, FoundPeer[]> = ctx.node.toyrrent.tableBands?.() ?? new Map()
  const sorted = [...bands.entries()].sort(([a], [b]) => b - a)
  const body: TableResponse = {
    size: sorted.reduce((n, [, peers]) => n + peers.length, 0),
    peers: sorted.flatMap(([band, peers]) => peers.map(p => ({ peerId: p.peerId.toString(), multiaddrs: p.multiaddrs.map(String), band, position: toHex(p.position) }))),
    bands: sorted.map(([band, peers]) => ({ band, peers: peers.map(p => ({ peerId: p.peerId.toString(), position: toHex(p.position) })) }))
  }
  return { status: 200, json: body }
}
