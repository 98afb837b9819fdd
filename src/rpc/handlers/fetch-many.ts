import { Status } from '../pb/rpc.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { isExpired, kindOf, toItem } from '../../store/item-store.ts'
import { hexKey, ownBytes } from '../../bytes.ts'
import { itemToWire } from '../wire.ts'
import { MAX_FETCH_MANY_BODY_BYTES, MAX_FETCH_MANY_KEYS } from '../fetch-many-limits.ts'
import { systemClock } from '../../clock.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame, Item } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { Clock } from '../../clock.ts'

/**
 * fetch_many: the hash items we hold of up to 16 keys, in request order; the
 * others named as missing (not held here as a hash item: the asker uses
 * FETCH, which also handles records and nearer peers) or omitted (past the
 * answer's byte budget). Every bound is checked before any item is read.
 */
export class FetchManyHandler implements RpcHandler {
  constructor (private readonly store: ItemStore, private readonly clock: Clock = systemClock) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const keys = request.fetchManyRequest?.keys ?? []
    if (keys.length === 0 || keys.length > MAX_FETCH_MANY_KEYS) {
      return { status: Status.BAD_REQUEST, message: `fetch_many takes 1 to ${MAX_FETCH_MANY_KEYS} keys, got ${keys.length}` }
    }
    const seen = new Set<string>()
    for (const key of keys) {
      if (key.byteLength !== POSITION_BYTES) return { status: Status.BAD_REQUEST, message: `fetch_many keys must be ${POSITION_BYTES} bytes` }
      const hex = hexKey(key)
      if (seen.has(hex)) return { status: Status.BAD_REQUEST, message: `fetch_many names key ${hex} twice` }
      seen.add(hex)
    }
    const items: Item[] = []
    const missing: Uint8Array[] = []
    const omitted: Uint8Array[] = []
    let bodies = 0
    for (const key of keys) {
      const now = this.clock.now()
      const meta = this.store.meta(key)
      if (meta == null || isExpired(meta, now) || meta.kind !== 'hash') {
        missing.push(key)
        continue
      }
      if (omitted.length > 0) {
        // once one is left out the rest are too: what the answer carries stays a prefix in request order
        omitted.push(key)
        continue
      }
      const stored = await this.store.get(key, { signal: context.signal })
      if (stored == null || isExpired(stored, now) || kindOf(stored.kind) !== 'hash') {
        missing.push(key)
        continue
      }
      if (bodies + stored.body.byteLength > MAX_FETCH_MANY_BODY_BYTES) {
        omitted.push(key)
        continue
      }
      bodies += stored.body.byteLength
      items.push(itemToWire(toItem(key, stored, now)))
    }
    return { status: Status.OK, fetchManyResponse: { items, missing: missing.map(ownBytes), omitted: omitted.map(ownBytes) } }
  }
}
