import { Status } from '../pb/rpc.ts'
import { HANDOFF_BATCH_ITEMS, MAX_FRAME_BYTES, MAX_KEYS_PER_REQUEST } from '../../constants.ts'
import { toItem } from '../../store/item-store.ts'
import { itemToWire } from '../wire.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame, Item } from '../pb/rpc.ts'
import { systemClock } from '../../clock.ts'
import type { ItemMeta, ItemStore } from '../../store/item-store.ts'
import type { Clock } from '../../clock.ts'
import type { PeerId } from '@libp2p/interface'

/** Room left in a frame for the handoff envelope. */
const BATCH_BYTES = MAX_FRAME_BYTES - 8192

/** What the handoff handler needs of the service. */
export interface HandoffSource {
  /** The live items after `cursor` that `peer` is among the R nearest for (by our view with `peer` in it), in ascending key order. */
  dueFor(peer: PeerId, cursor: Uint8Array): ItemMeta[]
  /** `peer` acknowledged keeping these keys. */
  acknowledged(peer: string, keys: Uint8Array[]): void
  /** Items served in one batch (metrics). */
  served?(items: number): void
  /**
   * A peer that pulls its handoff from us is a server joining near us: learn
   * it now. Its identify (which adds it otherwise) can complete after its
   * join returned, and until then our repair would still count us
   * responsible for what it took over.
   */
  heardFrom?(peer: PeerId): void
}

/**
 * handoff: stream a newcomer, batch by batch in key order, the items it is
 * now among the R nearest for; record the keys it acknowledged, so this node
 * may drop them once it is no longer responsible itself. `limit = 0` only
 * acknowledges. Any handoff request makes the caller a member of our table.
 */
export class HandoffHandler implements RpcHandler {
  constructor (private readonly store: ItemStore, private readonly source: HandoffSource, private readonly clock: Clock = systemClock) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.handoffRequest
    if (body == null || body.acked.length > MAX_KEYS_PER_REQUEST) {
      return { status: Status.BAD_REQUEST, message: `handoff needs a request with at most ${MAX_KEYS_PER_REQUEST} acknowledgements` }
    }
    this.source.heardFrom?.(context.peer)
    const peer = context.peer.toString()
    if (body.acked.length > 0) this.source.acknowledged(peer, body.acked)
    if (body.limit === 0) return { status: Status.OK, handoffResponse: { items: [], cursor: body.cursor, done: true } }
    const limit = Math.min(body.limit, HANDOFF_BATCH_ITEMS)
    const now = this.clock.now()
    const due = this.source.dueFor(context.peer, body.cursor)
    const items: Item[] = []
    let bytes = 0
    let cursor = body.cursor
    for (const meta of due) {
      if (items.length >= limit || bytes + meta.bytes > BATCH_BYTES) break
      const stored = await this.store.get(meta.key, { signal: context.signal })
      if (stored == null) continue
      items.push(itemToWire(toItem(meta.key, stored, now)))
      bytes += meta.bytes
      cursor = meta.key as Uint8Array<ArrayBuffer>
    }
    this.source.served?.(items.length)
    return { status: Status.OK, handoffResponse: { items, cursor, done: items.length === due.length } }
  }
}
