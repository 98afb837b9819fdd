/** `GET /v1/table`: the peers in this node's routing table (servers only: clients are never admitted). */
import type { ApiResult, RequestContext } from '../router.ts'
import type { FoundPeer } from '../../found-peer.ts'

/** A Toyrrent service has it; other ToyrrentApi implementations may not. */
type WithTable = { tableBands?: () => Map<number, FoundPeer[]> }

export async function getTable (ctx: RequestContext): Promise<ApiResult> {
  const peers = []
  for (const band of ((ctx.node.toyrrent as WithTable).tableBands?.() ?? new Map<number, FoundPeer[]>()).values()) {
    for (const peer of band) peers.push({ peerId: peer.peerId.toString(), multiaddrs: peer.multiaddrs.map(String) })
  }
  return { status: 200, json: { peers } }
}
