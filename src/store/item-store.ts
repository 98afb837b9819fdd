/**
 * The items a node holds, in any interface-datastore (LevelDB on disk, memory
 * in tests), with an in-memory index of what is held (key, kind, seq, pin,
 * expiry, size — never values) so placement, repair and stats never scan the
 * datastore and a miss never touches it. The index is packed (packed-index.ts:
 * 65–130 bytes an item, not a JS object each), so it stays small next to what a
 * node stores: 16,384 items for a 1 GiB file.
 */
import { Key } from 'interface-datastore'
import { base32 } from 'multiformats/bases/base32'
import { StoredItem } from './pb/store.ts'
import { PackedIndex, INDEX_KEY_BYTES } from './packed-index.ts'
import type { PackedMeta } from './packed-index.ts'
import type { Item, ItemKind } from '../records/item.ts'
import type { Datastore } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'

export { StoredItem }

const PREFIX = '/toyrrent/items/'
/** Kinds by the number kept on disk (protocols/store.proto). */
const KINDS: ItemKind[] = ['hash', 'publish', 'routing']

/** What the index keeps of each held item (a fresh object, key a copy, on every read). */
export type ItemMeta = PackedMeta

/** ItemKind as the number kept on disk. */
export function kindNumber (kind: ItemKind): number {
  return KINDS.indexOf(kind)
}

/** ItemKind from the number kept on disk. */
export function kindOf (kind: number): ItemKind {
  return KINDS[kind] ?? 'hash'
}

/**
 * True once an item's expiry has passed; holders stop serving it then.
 * `now` may have a fraction (an injected clock's reading): it is floored, as
 * BigInt of a fraction throws, and a throw here would end every repair round.
 */
export function isExpired (stored: { expiresAt: bigint }, now = Date.now()): boolean {
  return stored.expiresAt !== 0n && stored.expiresAt < wholeMs(now)
}

/** Milliseconds as a bigint, the fraction dropped. */
function wholeMs (ms: number): bigint {
  return BigInt(Math.floor(ms))
}

/**
 * An item with less than a second to live is not passed on: lifetimes travel
 * in whole seconds, and rounding up on every hop would keep it alive forever.
 */
export function worthPassingOn (stored: { expiresAt: bigint }, now = Date.now()): boolean {
  return !isExpired(stored, now + 1000)
}

/**
 * A stored item as it travels, with the lifetime it has left (0 for a
 * pinned item: the receiver then gives it a full lifetime).
 */
export function toItem (key: Uint8Array, stored: Omit<StoredItem, 'acceptors'> & { acceptors?: Uint8Array[] }, now = Date.now()): Item {
  const ttlSeconds = stored.expiresAt === 0n ? 0 : Math.max(1, Math.floor(Number(stored.expiresAt - wholeMs(now)) / 1000))
  return { kind: kindOf(stored.kind), key, body: stored.body, ttlSeconds, ...(stored.acceptors != null && stored.acceptors.length > 0 ? { acceptors: stored.acceptors } : {}) }
}

export interface ItemStoreInit {
  /** Datastore key prefix; lets several services share one datastore. */
  prefix?: string
}

export class ItemStore {
  private readonly datastore: Datastore
  private readonly prefix: string
  private readonly index = new PackedIndex()
  private byteCount = 0
  /** Changes whenever an item is added, replaced or removed (placement caches on it). */
  version = 0

  constructor (datastore: Datastore, init: ItemStoreInit = {}) {
    this.datastore = datastore
    this.prefix = init.prefix ?? PREFIX
  }

  /** Build the index from what is already on disk; call once before use. */
  async open (options?: AbortOptions): Promise<void> {
    this.index.clear()
    this.byteCount = 0
    for await (const { key, value } of this.datastore.query({ prefix: this.prefix }, options)) {
      const itemKey = this.itemKey(key)
      // put never stores another length; one left by an older version stays on disk, unserved
      if (itemKey.byteLength !== INDEX_KEY_BYTES) continue
      this.remember(itemKey, StoredItem.decode(value), value.byteLength)
    }
  }

  get size (): number { return this.index.size }
  get bytes (): number { return this.byteCount }

  async get (key: Uint8Array, options?: AbortOptions): Promise<StoredItem | undefined> {
    if (!this.index.has(key)) return undefined
    try {
      return StoredItem.decode(await this.datastore.get(this.dsKey(key), options))
    } catch (err: any) {
      if (err.name === 'NotFoundError') return undefined
      throw err
    }
  }

  has (key: Uint8Array): boolean {
    return this.index.has(key)
  }

  meta (key: Uint8Array): ItemMeta | undefined {
    return this.index.get(key)
  }

  /** Index entries of every held item; no I/O. Remove while iterating only over a spread copy. */
  metas (): IterableIterator<ItemMeta> {
    return this.index.values()
  }

  /** Keep `item` under `key` (no acceptor set when none is given). */
  async put (key: Uint8Array, init: Omit<StoredItem, 'acceptors'> & { acceptors?: StoredItem['acceptors'] }, options?: AbortOptions): Promise<void> {
    // checked before the write: an item the index cannot hold is not stored either
    if (key.byteLength !== INDEX_KEY_BYTES) throw new RangeError(`item keys are ${INDEX_KEY_BYTES} bytes; got ${key.byteLength}`)
    const item: StoredItem = { ...init, acceptors: init.acceptors ?? [] }
    const bytes = StoredItem.encode(item)
    await this.datastore.put(this.dsKey(key), bytes, options)
    this.remember(key, item, bytes.byteLength)
  }

  async delete (key: Uint8Array, options?: AbortOptions): Promise<void> {
    if (!this.index.has(key)) return
    await this.datastore.delete(this.dsKey(key), options)
    this.forget(key)
  }

  /** Add or replace the index entry. */
  private remember (key: Uint8Array, item: StoredItem, bytes: number): void {
    this.version++
    const previous = this.index.set({ key, kind: kindOf(item.kind), seq: item.seq, pinned: item.pinned, expiresAt: item.expiresAt, bytes })
    this.byteCount += bytes - (previous?.bytes ?? 0)
  }

  private forget (key: Uint8Array): void {
    const previous = this.index.delete(key)
    if (previous == null) return
    this.version++
    this.byteCount -= previous.bytes
  }

  private dsKey (key: Uint8Array): Key {
    return new Key(this.prefix + base32.baseEncode(key), false)
  }

  private itemKey (dsKey: Key): Uint8Array {
    return base32.baseDecode(dsKey.toString().slice(this.prefix.length))
  }
}
