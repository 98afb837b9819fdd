import { Status } from '../pb/rpc.ts'
import { MAX_FIND_N } from '../../constants.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame, PeerInfo } from '../pb/rpc.ts'
import type { Neighbourhood } from '../../service/neighbourhood.ts'
import type { ItemStore } from '../../store/item-store.ts'

/**
 * find_before_n: the n peers we know nearest to the target (ourselves
 * included when we qualify, never the target itself), nearest first, and
 * whether we hold the item with that key.
 */
export class FindBeforeNHandler implements RpcHandler {
  constructor (private readonly neighbourhood: Neighbourhood, private readonly store: ItemStore) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.findBeforeNRequest
    if (body == null || body.target.byteLength !== POSITION_BYTES) {
      return { status: Status.BAD_REQUEST, message: `find_before_n needs a ${POSITION_BYTES}-byte target` }
    }
    const n = Math.min(Math.max(body.n, 1), MAX_FIND_N)
    const peers: PeerInfo[] = this.neighbourhood.nearest(body.target, n)
    const holds = this.store.has(body.target)
    return { status: Status.OK, findBeforeNResponse: { peers, holds } }
  }
}
