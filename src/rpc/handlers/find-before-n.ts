import { Status } from '../pb/rpc.ts'
import { MAX_FIND_N } from '../../constants.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { peerToWire } from '../wire.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { NearestPeers } from './nearest-peers.ts'

/**
 * find_before_n: the n peers we know nearest to the target (ourselves
 * included when we qualify, never the target itself), nearest first, and
 * whether we hold the item with that key.
 */
export class FindBeforeNHandler implements RpcHandler {
  constructor (private readonly nearest: NearestPeers, private readonly store: ItemStore) {}

  async handle (request: Frame, _context: RequestContext): Promise<HandlerResult> {
    const body = request.findBeforeNRequest
    if (body == null || body.target.byteLength !== POSITION_BYTES) {
      return { status: Status.BAD_REQUEST, message: `find_before_n needs a ${POSITION_BYTES}-byte target` }
    }
    // out of range is clamped, not refused (rpc.md): 0 asks for one peer, over 64 for 64
    const n = Math.min(Math.max(body.n, 1), MAX_FIND_N)
    const peers = this.nearest.shareNearest(body.target, n).map(peerToWire)
    const holds = this.store.has(body.target)
    return { status: Status.OK, findBeforeNResponse: { peers, holds } }
  }
}
