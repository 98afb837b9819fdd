import { Status } from '../pb/rpc.ts'
import { MAX_KEYS_PER_REQUEST } from '../../constants.ts'
import { isExpired } from '../../store/item-store.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'

/** sync_keys: which of the caller's keys do we lack, or hold at an older seq? */
export class SyncKeysHandler implements RpcHandler {
  constructor (private readonly store: ItemStore) {}

  async handle (request: Frame, _context: RequestContext): Promise<HandlerResult> {
    const keys = request.syncKeysRequest?.keys
    if (keys == null || keys.length > MAX_KEYS_PER_REQUEST) {
      return { status: Status.BAD_REQUEST, message: `sync_keys takes at most ${MAX_KEYS_PER_REQUEST} keys` }
    }
    const missing = keys.filter(({ key, seq }) => {
      const meta = this.store.meta(key)
      return meta == null || isExpired(meta) || meta.seq < seq
    }).map(k => k.key)
    return { status: Status.OK, syncKeysResponse: { missing } }
  }
}
