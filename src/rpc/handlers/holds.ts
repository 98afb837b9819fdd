import { Status } from '../pb/rpc.ts'
import { MAX_KEYS_PER_REQUEST } from '../../constants.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { isExpired } from '../../store/item-store.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import { systemClock } from '../../clock.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { Clock } from '../../clock.ts'

/** holds: which of these keys do we hold, at which seq? */
export class HoldsHandler implements RpcHandler {
  constructor (private readonly store: ItemStore, private readonly clock: Clock = systemClock) {}

  async handle (request: Frame, _context: RequestContext): Promise<HandlerResult> {
    const keys = request.holdsRequest?.keys
    if (keys == null || keys.length > MAX_KEYS_PER_REQUEST) {
      return { status: Status.BAD_REQUEST, message: `holds takes at most ${MAX_KEYS_PER_REQUEST} keys` }
    }
    // a key of another length cannot be held: the sender is broken, so say so rather than "not held"
    if (keys.some(key => key.byteLength !== POSITION_BYTES)) {
      return { status: Status.BAD_REQUEST, message: `holds keys must be ${POSITION_BYTES} bytes` }
    }
    const held = []
    const now = this.clock.now()
    for (const key of keys) {
      const meta = this.store.meta(key)
      if (meta != null && !isExpired(meta, now)) held.push({ key, seq: meta.seq })
    }
    return { status: Status.OK, holdsResponse: { held } }
  }
}
