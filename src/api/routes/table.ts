/** `GET /v1/table`: the routing table by distance band, for the dashboard (band i: XOR distance in [2^i, 2^(i+1))). */
import { toHex } from '../types.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { TableResponse } from '../types.ts'
import type { FoundPeer } from '../../service/types.ts'

export async function getTable (ctx: RequestContext): Promise<ApiResult> {
  const bands: Map<number, FoundPeer[]> = ctx.node.toyrrent.tableBands?.() ?? new Map()
  const body: TableResponse = {
    peers: [...bands.values()].reduce((n, peers) => n + peers.length, 0),
    bands: [...bands.entries()]
      .sort(([a], [b]) => b - a)
      .map(([band, peers]) => ({
        band,
        peers: peers.map(p => ({ peerId: p.peerId.toString(), position: toHex(p.position) }))
      }))
  }
  return { status: 200, json: body }
}
