/**
 * The one place an item enters a store, from the network or from a local
 * user: verify it, then keep it. Returns the wire status so the store handler
 * can answer the writer with a typed reason; a rejected item changes nothing.
 */
import { base32 } from 'multiformats/bases/base32'
import { ItemKind, Status } from '../rpc/pb/rpc.ts'
import { MAX_VALUE_BYTES } from '../constants.ts'
import { POSITION_BYTES } from '../keyspace.ts'
import { verifyHashItem } from '../records/hash-item.ts'
import { KeyedLock } from './keyed-lock.ts'
import { kindNumber } from './item-store.ts'
import type { ItemStore, StoredItem } from './item-store.ts'
import type { Item } from '../rpc/pb/rpc.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface AcceptOptions extends AbortOptions {
  /** Compare-and-swap: the seq the writer expects the store to hold (publish items). */
  expectedSeq?: bigint
  /** Put or published by this node's own user: never evicted. */
  pinned?: boolean
  /** Unix ms after which holders may drop the item; 0 = never. */
  expiresAt?: number
}

export interface AcceptResult {
  status: Status
  message?: string
  /** Publish items: the seq held after the call. */
  storedSeq?: bigint
}

export class ItemAcceptor {
  private readonly store: ItemStore
  private readonly lock = new KeyedLock()

  constructor (store: ItemStore) {
    this.store = store
  }

  async accept (item: Item, options: AcceptOptions = {}): Promise<AcceptResult> {
    if (item.key.byteLength !== POSITION_BYTES) {
      return { status: Status.BAD_REQUEST, message: `key must be ${POSITION_BYTES} bytes` }
    }
    return this.lock.run(base32.baseEncode(item.key), async () => {
      switch (item.kind) {
        case ItemKind.HASH: return this.acceptHashItem(item, options)
        default: return { status: Status.BAD_REQUEST, message: `unsupported item kind ${item.kind}` }
      }
    })
  }

  private async acceptHashItem (item: Item, options: AcceptOptions): Promise<AcceptResult> {
    if (item.body.byteLength > MAX_VALUE_BYTES) {
      return { status: Status.TOO_LARGE, message: `value is ${item.body.byteLength} bytes; the limit is ${MAX_VALUE_BYTES}` }
    }
    if (!verifyHashItem(item.key, item.body)) {
      return { status: Status.HASH_MISMATCH, message: 'value does not hash to key' }
    }
    const existing = await this.store.get(item.key, options)
    await this.store.put(item.key, merge(existing, item, options), options)
    return { status: Status.OK }
  }
}

/** A re-stored item keeps its pin and the later of the two expiries. */
function merge (existing: StoredItem | undefined, item: Item, options: AcceptOptions): StoredItem {
  const expiresAt = BigInt(options.expiresAt ?? 0)
  return {
    kind: kindNumber(item.kind),
    body: item.body,
    pinned: (existing?.pinned ?? false) || (options.pinned ?? false),
    expiresAt: existing == null ? expiresAt : maxExpiry(existing.expiresAt, expiresAt),
    storedAt: existing?.storedAt ?? BigInt(Date.now())
  }
}

/** 0 means never expires, so it wins. */
function maxExpiry (a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n
  return a > b ? a : b
}
