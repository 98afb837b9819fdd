import { Status } from '../pb/rpc.ts'
import { MAX_KEYS_PER_REQUEST } from '../../constants.ts'
import { isExpired } from '../../store/item-store.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'

/** holds: which of these keys do we hold, at which seq? */
export class HoldsHandler implements RpcHandler {
  constructor (private readonly store: ItemStore) {}

  async handle (request: Frame, _context: RequestContext): Promise<HandlerResult> {
    const keys = request.holdsRequest?.keys
    if (keys == null || keys.length > MAX_KEYS_PER_REQUEST) {
      return { status: Status.BAD_REQUEST, message: `holds takes at most ${MAX_KEYS_PER_REQUEST} keys` }
    }
    const held = []
    for (const key of keys) {
      const meta = this.store.meta(key)
      if (meta != null && !isExpired(meta)) held.push({ key, seq: meta.seq })
    }
    return { status: Status.OK, holdsResponse: { held } }
  }
}
