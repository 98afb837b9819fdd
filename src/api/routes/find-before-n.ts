/** `GET /v1/find-before-n/:id?n=N`: the N nodes nearest to a position, nearest first. */
import { DEFAULT_FIND_N, MAX_FIND_N } from '../../constants.ts'
import { InvalidInputError } from '../../errors.ts'
import { distance } from '../../keyspace.ts'
import { parseKey } from '../../records/hash-item.ts'
import { toHex } from '../types.ts'
import { withoutPeerId } from './node-info.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { FindBeforeNResponse } from '../types.ts'

export async function findBeforeN (ctx: RequestContext): Promise<ApiResult> {
  const target = parseKey(ctx.params.id)
  const n = parseCount(ctx.query.get('n'))
  const found = await ctx.node.toyrrent.findBeforeN(target, n, { signal: ctx.signal, timeout: ctx.timeout })
  const body: FindBeforeNResponse = {
    target: toHex(target),
    n,
    peers: found.map(peer => ({
      peerId: peer.peerId.toString(),
      // like GET /v1/peers: where it listens, the peer id in its own field
      multiaddrs: [...new Set(peer.multiaddrs.map(ma => withoutPeerId(ma.toString())))],
      position: toHex(peer.position),
      distance: toHex(distance(target, peer.position))
    }))
  }
  return { status: 200, json: body }
}

/** `n` from the query: an integer 1..MAX_FIND_N, DEFAULT_FIND_N when absent. */
export function parseCount (text: string | null): number {
  if (text == null || text === '') return DEFAULT_FIND_N
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_FIND_N) {
    throw new InvalidInputError(`n must be an integer from 1 to ${MAX_FIND_N}, got "${text}"`)
  }
  return n
}
