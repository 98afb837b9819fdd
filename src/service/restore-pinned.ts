/**
 * A pinned item whose body could not be read back from disk is dropped by
 * the store (item-store.ts). Repair fetches again what this node holds as one
 * of an item's R nearest; a pin is this node's own promise, kept wherever the
 * item's replicas are, so a pinned item is fetched again from the network
 * (verified as any read is) and kept pinned. One restore at a time, in the
 * background; one that fails is logged, and the pin stays lost until the
 * item is pinned again.
 */
import { base32 } from 'multiformats/bases/base32'
import { encodePublishRecord } from '../records/publish-record.ts'
import type { ItemMeta } from '../store/item-store.ts'
import type { Item } from '../records/item.ts'
import type { AcceptResult } from '../store/accept.ts'
import type { ResolveResult } from './types.ts'
import type { Logger } from '@libp2p/interface'

export interface PinnedRestorerInit {
  /** A hash item's value from the network, verified (the service's get: its shutdown ends it too). */
  get: (key: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>
  /** The newest record under a publish id from the network, verified. */
  resolve: (id: Uint8Array, signal: AbortSignal) => Promise<ResolveResult>
  /** Keep an item here, pinned (the acceptor: the store's one way in). */
  keep: (item: Item) => Promise<AcceptResult>
  /** How long one restore may take. */
  timeoutMs: number
  log: Logger
}

export class PinnedRestorer {
  /** Pinned items dropped unreadable and fetched again, and those that could not be. */
  readonly counts = { restored: 0, failed: 0 }
  private chain: Promise<void> = Promise.resolve()

  constructor (private readonly init: PinnedRestorerInit) {}

  /** A dropped item (the store's onUnreadable): fetched again when it was pinned here. */
  dropped (meta: ItemMeta): void {
    if (!meta.pinned) return
    const key = meta.key
    this.chain = this.chain.then(async () => this.restore(key, meta.kind)).catch((err: Error) => {
      this.counts.failed++
      this.init.log.error('pinned item %s dropped unreadable, not fetched again: %s', base32.baseEncode(key), err.message)
    })
  }

  private async restore (key: Uint8Array, kind: ItemMeta['kind']): Promise<void> {
    const { init } = this
    const signal = AbortSignal.timeout(init.timeoutMs)
    let item: Item
    if (kind === 'hash') {
      item = { kind, key, body: await init.get(key, signal), ttlSeconds: 0 }
    } else if (kind === 'publish') {
      item = { kind, key, body: encodePublishRecord((await init.resolve(key, signal)).record), ttlSeconds: 0 }
    } else {
      throw new Error(`a pinned ${kind} item is not fetched again`)
    }
    const result = await init.keep(item)
    if (result.refused != null) throw new Error(`refused: ${result.message ?? result.refused}`)
    this.counts.restored++
  }
}
