/**
 * The items a node holds, in any interface-datastore (LevelDB on disk, memory
 * in tests). Keeps a running count of items and bytes so quota checks and
 * stats never scan the store.
 */
import { Key } from 'interface-datastore'
import { base32 } from 'multiformats/bases/base32'
import { StoredItem } from './pb/store.ts'
import { ItemKind } from '../rpc/pb/rpc.ts'
import { ownBytes } from '../bytes.ts'
import type { Item } from '../rpc/pb/rpc.ts'
import type { Datastore } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'

export { StoredItem }

const KINDS = [ItemKind.HASH, ItemKind.PUBLISH]

/** ItemKind as the number kept on disk. */
export function kindNumber (kind: ItemKind): number {
  return KINDS.indexOf(kind)
}

/** True once an item's expiry has passed; holders stop serving it then. */
export function isExpired (stored: StoredItem, now = Date.now()): boolean {
  return stored.expiresAt !== 0n && stored.expiresAt < BigInt(now)
}

/** The wire form of a stored item. */
export function toItem (key: Uint8Array, stored: StoredItem): Item {
  return { kind: KINDS[stored.kind] ?? ItemKind.HASH, key: ownBytes(key), body: stored.body }
}

const PREFIX = '/toyrrent/items/'

export interface ItemStoreInit {
  /** Datastore key prefix; lets several services share one datastore. */
  prefix?: string
}

export class ItemStore {
  private readonly datastore: Datastore
  private readonly prefix: string
  private itemCount = 0
  private byteCount = 0

  constructor (datastore: Datastore, init: ItemStoreInit = {}) {
    this.datastore = datastore
    this.prefix = init.prefix ?? PREFIX
  }

  /** Count what is already on disk; call once before use. */
  async open (options?: AbortOptions): Promise<void> {
    this.itemCount = 0
    this.byteCount = 0
    for await (const { value } of this.datastore.query({ prefix: this.prefix }, options)) {
      this.itemCount++
      this.byteCount += value.byteLength
    }
  }

  get size (): number { return this.itemCount }
  get bytes (): number { return this.byteCount }

  async get (key: Uint8Array, options?: AbortOptions): Promise<StoredItem | undefined> {
    try {
      return StoredItem.decode(await this.datastore.get(this.dsKey(key), options))
    } catch (err: any) {
      if (err.name === 'NotFoundError') return undefined
      throw err
    }
  }

  async has (key: Uint8Array, options?: AbortOptions): Promise<boolean> {
    return this.datastore.has(this.dsKey(key), options)
  }

  async put (key: Uint8Array, item: StoredItem, options?: AbortOptions): Promise<void> {
    const dsKey = this.dsKey(key)
    const bytes = StoredItem.encode(item)
    const previous = await this.rawSize(dsKey, options)
    await this.datastore.put(dsKey, bytes, options)
    if (previous == null) this.itemCount++
    this.byteCount += bytes.byteLength - (previous ?? 0)
  }

  async delete (key: Uint8Array, options?: AbortOptions): Promise<void> {
    const dsKey = this.dsKey(key)
    const previous = await this.rawSize(dsKey, options)
    if (previous == null) return
    await this.datastore.delete(dsKey, options)
    this.itemCount--
    this.byteCount -= previous
  }

  /** Every held item with its 32-byte key. */
  async * entries (options?: AbortOptions): AsyncGenerator<{ key: Uint8Array, item: StoredItem }> {
    for await (const { key, value } of this.datastore.query({ prefix: this.prefix }, options)) {
      yield { key: this.itemKey(key), item: StoredItem.decode(value) }
    }
  }

  private async rawSize (dsKey: Key, options?: AbortOptions): Promise<number | undefined> {
    try {
      return (await this.datastore.get(dsKey, options)).byteLength
    } catch (err: any) {
      if (err.name === 'NotFoundError') return undefined
      throw err
    }
  }

  private dsKey (key: Uint8Array): Key {
    return new Key(this.prefix + base32.baseEncode(key), false)
  }

  private itemKey (dsKey: Key): Uint8Array {
    return base32.baseDecode(dsKey.toString().slice(this.prefix.length))
  }
}
