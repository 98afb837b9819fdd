import { Status } from '../pb/rpc.ts'
import { HANDOFF_BATCH_ITEMS, MAX_FRAME_BYTES, MAX_KEYS_PER_REQUEST } from '../../constants.ts'
import { worthPassingOn, toItem } from '../../store/item-store.ts'
import { compareBytes } from '../../bytes.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame, Item } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { Placement } from '../../service/placement.ts'

/** Room left in a frame for the handoff envelope. */
const BATCH_BYTES = MAX_FRAME_BYTES - 8192

/**
 * handoff: stream a newcomer, batch by batch in key order, the items it is
 * now among the R nearest for; record the keys it acknowledged, so this node
 * may drop them once it is no longer responsible itself.
 */
export class HandoffHandler implements RpcHandler {
  constructor (
    private readonly store: ItemStore,
    private readonly placement: Placement,
    private readonly onAcked: (peer: string, keys: Uint8Array[]) => void,
    private readonly onServed: (items: number) => void = () => {}
  ) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.handoffRequest
    if (body == null || body.acked.length > MAX_KEYS_PER_REQUEST) {
      return { status: Status.BAD_REQUEST, message: `handoff needs a request with at most ${MAX_KEYS_PER_REQUEST} acknowledgements` }
    }
    const peer = context.peer.toString()
    if (body.acked.length > 0) this.onAcked(peer, body.acked)
    const limit = Math.min(Math.max(body.limit, 1), HANDOFF_BATCH_ITEMS)
    const now = Date.now()
    const due = this.placement.assignments()
      .filter(({ meta, replicaSet }) => worthPassingOn(meta, now) && compareBytes(meta.key, body.cursor) > 0 && replicaSet.includes(peer))
      .map(a => a.meta)
      .sort((a, b) => compareBytes(a.key, b.key))
    const items: Item[] = []
    let bytes = 0
    let cursor = body.cursor
    for (const meta of due) {
      if (items.length >= limit || bytes + meta.bytes > BATCH_BYTES) break
      const stored = await this.store.get(meta.key, { signal: context.signal })
      if (stored == null) continue
      items.push(toItem(meta.key, stored, now))
      bytes += meta.bytes
      cursor = meta.key as Uint8Array<ArrayBuffer>
    }
    this.onServed(items.length)
    return { status: Status.OK, handoffResponse: { items, cursor, done: items.length === due.length } }
  }
}
