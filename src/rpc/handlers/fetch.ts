import { Status } from '../pb/rpc.ts'
import { DEFAULT_FIND_N, MAX_FIND_N } from '../../constants.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { isExpired, toItem } from '../../store/item-store.ts'
import { itemToWire, peerToWire } from '../wire.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import { systemClock } from '../../clock.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { Clock } from '../../clock.ts'
import type { NearestPeers } from './nearest-peers.ts'

/** fetch: the item if we hold it, else the peers we know nearer to its key. */
export class FetchHandler implements RpcHandler {
  constructor (private readonly nearest: NearestPeers, private readonly store: ItemStore, private readonly clock: Clock = systemClock) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const key = request.fetchRequest?.key
    if (key?.byteLength !== POSITION_BYTES) {
      return { status: Status.BAD_REQUEST, message: `fetch needs a ${POSITION_BYTES}-byte key` }
    }
    const count = Math.min(request.fetchRequest?.closerCount ?? 0, MAX_FIND_N)
    const stored = await this.store.get(key, { signal: context.signal })
    const now = this.clock.now()
    if (stored != null && !isExpired(stored, now)) {
      const closer = count > 0 ? this.nearest.shareNearest(key, count).map(peerToWire) : []
      return { status: Status.OK, fetchResponse: { item: itemToWire(toItem(key, stored, now)), closer } }
    }
    return { status: Status.NOT_FOUND, fetchResponse: { closer: this.nearest.shareNearest(key, count > 0 ? count : DEFAULT_FIND_N).map(peerToWire) } }
  }
}
