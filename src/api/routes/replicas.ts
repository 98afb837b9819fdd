/**
 * Replica health: `GET /v1/holders/:key` asks the key's replica set;
 * `GET /v1/local/items` lists what this node holds itself;
 * `GET /v1/stats` sums up items, peers and the last repair round.
 */
import { parseKey, keyToCid } from '../../records/hash-item.ts'
import { toHex } from '../types.ts'
import type { ApiResult, RequestContext } from '../router.ts'

export async function getHolders (ctx: RequestContext): Promise<ApiResult> {
  const key = parseKey(ctx.params.key)
  const result = await ctx.node.toyrrent.holders(key, { signal: ctx.signal, timeout: ctx.timeout })
  const holding = result.replicaSet.filter(h => h.holds).length
  return {
    status: 200,
    json: {
      key: keyToCid(key),
      hex: toHex(key),
      replicas: result.replicaSet.length,
      holding,
      replicaSet: result.replicaSet.map(h => ({ peerId: h.peerId.toString(), holds: h.holds })),
      otherHolders: result.otherHolders
    }
  }
}

export async function getLocalItems (ctx: RequestContext): Promise<ApiResult> {
  const items = ctx.node.toyrrent.heldItems().map(item => ({
    key: toHex(item.key),
    kind: item.kind,
    seq: item.seq.toString(),
    pinned: item.pinned,
    expiresAt: item.expiresAt,
    responsible: item.responsible
  }))
  return { status: 200, json: { items } }
}

export async function getStats (ctx: RequestContext): Promise<ApiResult> {
  const modes = { reachability: ctx.node.modes?.reachability ?? 'unknown', mode: ctx.node.modes?.mode ?? 'server' }
  return { status: 200, json: { ...ctx.node.toyrrent.stats(), ...modes } }
}
