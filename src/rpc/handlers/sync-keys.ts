import { Status } from '../pb/rpc.ts'
import { MAX_KEYS_PER_REQUEST } from '../../constants.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { isExpired } from '../../store/item-store.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'

/**
 * sync_keys: which of the caller's keys do we lack, or hold at an older seq?
 * `bucket` is advisory: every key sent is answered for, whatever its bucket.
 */
export class SyncKeysHandler implements RpcHandler {
  constructor (private readonly store: ItemStore) {}

  async handle (request: Frame, _context: RequestContext): Promise<HandlerResult> {
    const keys = request.syncKeysRequest?.keys
    if (keys == null || keys.length > MAX_KEYS_PER_REQUEST) {
      return { status: Status.BAD_REQUEST, message: `sync_keys takes at most ${MAX_KEYS_PER_REQUEST} keys` }
    }
    // a key of another length would come back as missing, and the STORE that follows would be refused anyway
    if (keys.some(({ key }) => key.byteLength !== POSITION_BYTES)) {
      return { status: Status.BAD_REQUEST, message: `sync_keys keys must be ${POSITION_BYTES} bytes` }
    }
    const missing = keys.filter(({ key, seq }) => {
      const meta = this.store.meta(key)
      return meta == null || isExpired(meta) || meta.seq < seq
    }).map(k => k.key)
    return { status: Status.OK, syncKeysResponse: { missing } }
  }
}
