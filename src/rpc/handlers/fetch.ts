import { Status } from '../pb/rpc.ts'
import { DEFAULT_FIND_N } from '../../constants.ts'
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
    const stored = await this.store.get(key, { signal: context.signal })
    if (stored != null && !isExpired(stored)) {
      const closer = request.fetchRequest?.withCloser === true ? this.neighbourhood.nearest(key, DEFAULT_FIND_N) : []
      return { status: Status.OK, fetchResponse: { item: toItem(key, stored), closer } }
    }
    return { status: Status.NOT_FOUND, fetchResponse: { closer: this.neighbourhood.nearest(key, DEFAULT_FIND_N) } }
  }
}
