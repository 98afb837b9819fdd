import { Status } from '../pb/rpc.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemAcceptor } from '../../store/accept.ts'

/** store: verify an item and keep it; refusals carry a typed status. */
export class StoreHandler implements RpcHandler {
  constructor (private readonly acceptor: ItemAcceptor) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.storeRequest
    if (body?.item == null) {
      return { status: Status.BAD_REQUEST, message: 'store needs an item' }
    }
    const result = await this.acceptor.accept(body.item, { signal: context.signal, expectedSeq: body.expectedSeq })
    return { status: result.status, message: result.message ?? '', storeResponse: { storedSeq: result.storedSeq ?? 0n } }
  }
}
