import { Status } from '../pb/rpc.ts'
import { DEFAULT_FIND_N, MAX_FIND_N } from '../../constants.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { isExpired, toItem } from '../../store/item-store.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { Neighbourhood } from '../../service/neighbourhood.ts'
import type { ItemStore } from '../../store/item-store.ts'

/** fetch: the item if we hold it, else the peers we know nearer to its key. */
export class FetchHandler implements RpcHandler {
  constructor (private readonly neighbourhood: Neighbourhood, private readonly store: ItemStore) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const key = request.fetchRequest?.key
    if (key?.byteLength !== POSITION_BYTES) {
      return { status: Status.BAD_REQUEST, message: `fetch needs a ${POSITION_BYTES}-byte key` }
    }
    const count = Math.min(request.fetchRequest?.closerCount ?? 0, MAX_FIND_N)
    const stored = await this.store.get(key, { signal: context.signal })
    if (stored != null && !isExpired(stored)) {
      const closer = count > 0 ? this.neighbourhood.nearest(key, count) : []
      return { status: Status.OK, fetchResponse: { item: toItem(key, stored), closer } }
    }
    return { status: Status.NOT_FOUND, fetchResponse: { closer: this.neighbourhood.nearest(key, count > 0 ? count : DEFAULT_FIND_N) } }
  }
}
