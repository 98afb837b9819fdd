import { Status } from '../pb/rpc.ts'
import { MAX_FIND_N } from '../../constants.ts'
import { itemFromWire, peerToWire, statusOf } from '../wire.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemAcceptor } from '../../store/accept.ts'
import type { NearestPeers } from './nearest-peers.ts'

/**
 * store: verify an item and keep it; refusals carry a typed status. On
 * request the answer also names the responder's nearest peers to the key, so
 * a writer that went straight to the replica set it knew learns in the same
 * round trip whether it knew the right one.
 */
export class StoreHandler implements RpcHandler {
  constructor (
    private readonly acceptor: ItemAcceptor,
    private readonly nearest: NearestPeers,
    private readonly onStored: (key: Uint8Array) => void = () => {}
  ) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.storeRequest
    if (body?.item == null) {
      return { status: Status.BAD_REQUEST, message: 'store needs an item' }
    }
    const result = await this.acceptor.accept(itemFromWire(body.item), { signal: context.signal, expectedSeq: body.expectedSeq })
    if (result.refused == null) this.onStored(body.item.key)
    const closer = body.closerCount > 0 && result.refused == null ? this.nearest.shareNearest(body.item.key, Math.min(body.closerCount, MAX_FIND_N)).map(peerToWire) : []
    return { status: statusOf(result.refused ?? 'ok'), message: result.message ?? '', storeResponse: { storedSeq: result.storedSeq ?? 0n, closer } }
  }
}
