/**
 * The items a node holds, in any interface-datastore (LevelDB on disk, memory
 * in tests), with an in-memory index of what is held (key, kind, seq, pin,
 * expiry, size — never values) so placement, repair and stats never scan the
 * datastore and a miss never touches it. The index is packed (packed-index.ts:
 * 65–130 bytes an item, not a JS object each), so it stays small next to what a
 * node stores: 16,384 items for a 1 GiB file.
 *
 * Bodies: given a directory (`valueLogDir`, a daemon's `<data>/values`), in
 * a value log (value-log.ts), the datastore keeping only each item's
 * metadata and a pointer, so opening reads no body and LevelDB's
 * compactions never move (or map) one; without, inline in each record.
 * Records written inline before the log existed are read as they are, and
 * their bodies moved to the log in the background after open.
 * Changes of one item (put, delete, a compaction's move) run one at a time
 * (a per-key lock); reads take no lock.
 *
 * A body that cannot be read back (its record garbled or torn, its segment
 * gone) is dropped with its item: kept, the item would count as a replica in
 * every digest and holds answer while no read could be served from it, and a
 * repair's STORE of a good copy would fail on reading the old one. Dropped,
 * the node lacks it, and repair (or, pinned, `onUnreadable`) fetches it again.
 */
import { Key } from 'interface-datastore'
import { base32 } from 'multiformats/bases/base32'
import { StoredItem } from './pb/store.ts'
import { PackedIndex, INDEX_KEY_BYTES } from './packed-index.ts'
import { InlineBodies, LoggedBodies } from './body-store.ts'
import { KeyedLock } from './keyed-lock.ts'
import { LogCompactor } from './log-compactor.ts'
import { ValueLog, ValueLogError } from './value-log.ts'
import type { BodyStore } from './body-store.ts'
import type { BodyAt } from './pb/store.ts'
import type { ValueLogInit } from './value-log.ts'
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
export function toItem (key: Uint8Array, stored: Pick<StoredItem, 'kind' | 'body' | 'expiresAt'> & { acceptors?: Uint8Array[] }, now = Date.now()): Item {
  const ttlSeconds = stored.expiresAt === 0n ? 0 : Math.max(1, Math.floor(Number(stored.expiresAt - wholeMs(now)) / 1000))
  return { kind: kindOf(stored.kind), key, body: stored.body, ttlSeconds, ...(stored.acceptors != null && stored.acceptors.length > 0 ? { acceptors: stored.acceptors } : {}) }
}

/** What put() keeps: a StoredItem whose acceptor set and republish time may be left out (none). */
export type StoredItemInit = Omit<StoredItem, 'acceptors' | 'republishedAt'> & Partial<Pick<StoredItem, 'acceptors' | 'republishedAt'>>

export interface ItemStoreInit {
  /** Datastore key prefix; lets several services share one datastore. */
  prefix?: string
  /** Keep bodies in a value log in this directory (value-log.ts) instead of inside the datastore's records. */
  valueLogDir?: string
  /** The value log's segment size and handle cache (tests use small segments). */
  valueLog?: Omit<ValueLogInit, 'onGarbage'>
  /** Hears what goes wrong in the background (a compaction that cannot copy a record, a body dropped unreadable). */
  onError?: (err: Error) => void
  /** An item was dropped because its body could not be read back (called once it is gone). */
  onUnreadable?: (meta: ItemMeta, err: ValueLogError) => void
}

/** Reads of one item that may meet a compaction's move before one is taken as unreadable. */
const READ_ATTEMPTS = 3

const EMPTY = new Uint8Array(0)

function sameAt (a: BodyAt, b: BodyAt): boolean {
  return a.segment === b.segment && a.offset === b.offset && a.length === b.length
}

export class ItemStore {
  private readonly datastore: Datastore
  private readonly prefix: string
  private readonly index = new PackedIndex()
  private byteCount = 0
  private readonly bodies: BodyStore
  /** The value log and its compactor, when bodies are kept in one. */
  readonly valueLog: ValueLog | undefined
  readonly compactor: LogCompactor | undefined
  private readonly lock = new KeyedLock()
  private readonly onError: (err: Error) => void
  private readonly onUnreadable: (meta: ItemMeta, err: ValueLogError) => void
  /** Items dropped since open because their bodies could not be read back. */
  unreadableDropped = 0
  /** moving inline bodies to the value log (moveInlineBodies) */
  private moving: Promise<void> | undefined
  private closing = false
  /** Changes whenever an item is added, replaced or removed (placement caches on it). */
  version = 0

  constructor (datastore: Datastore, init: ItemStoreInit = {}) {
    this.datastore = datastore
    this.prefix = init.prefix ?? PREFIX
    this.onError = init.onError ?? (() => {})
    this.onUnreadable = init.onUnreadable ?? (() => {})
    if (init.valueLogDir == null) {
      this.bodies = new InlineBodies()
      return
    }
    const log = this.valueLog = new ValueLog(init.valueLogDir, { ...init.valueLog, onGarbage: id => { this.compactor?.schedule(id) } })
    this.bodies = new LoggedBodies(log)
    this.compactor = new LogCompactor(log, { keysIn: segment => this.index.keysIn(segment), relocate: async (key, segment) => this.relocate(key, segment) }, this.onError)
  }

  /**
   * Build the index from what is already on disk (metadata records only:
   * bodies in the value log are not read) and count each value log
   * segment's live bytes; call before use (again after close()).
   */
  async open (options?: AbortOptions): Promise<void> {
    this.closing = true
    await this.moving
    await this.compactor?.stop()
    await this.bodies.open()
    this.index.clear()
    this.byteCount = 0
    for await (const { key, value } of this.datastore.query({ prefix: this.prefix }, options)) {
      const itemKey = this.itemKey(key)
      // put never stores another length; one left by an older version stays on disk, unserved
      if (itemKey.byteLength !== INDEX_KEY_BYTES) continue
      const record = StoredItem.decode(value)
      // a pointer to a missing segment stays indexed: reading it gives the error naming the file
      if (record.bodyAt != null) this.bodies.retain(record.bodyAt)
      this.remember(itemKey, record, value.byteLength + (record.bodyAt?.length ?? 0))
    }
    this.closing = false
    this.compactor?.start()
    if (this.valueLog != null) this.moving = this.moveInlineBodies()
  }

  /** Resolves once the background work begun so far (inline bodies moving, compactions) is done (tests). */
  async backgroundIdle (): Promise<void> {
    await this.moving
    await this.compactor?.idle()
  }

  /** Stops compaction and closes the value log's files (open() again to use the store). */
  async close (): Promise<void> {
    this.closing = true
    await this.moving
    await this.compactor?.stop()
    await this.bodies.close()
  }

  get size (): number { return this.index.size }
  get bytes (): number { return this.byteCount }

  /**
   * The stored item with its body (read from the value log when it is
   * there). A body that cannot be read back drops the item: undefined, as
   * for one never held (see the top of this file).
   */
  async get (key: Uint8Array, options?: AbortOptions): Promise<StoredItem | undefined> {
    for (let attempt = 1; ; attempt++) {
      if (!this.index.has(key)) return undefined
      let record: StoredItem
      try {
        record = StoredItem.decode(await this.datastore.get(this.dsKey(key), options))
      } catch (err: any) {
        if (err.name === 'NotFoundError') return undefined
        throw err
      }
      if (record.bodyAt == null) return record
      try {
        return { ...record, body: await this.bodies.read(key, record.bodyAt) }
      } catch (err) {
        if (!(err instanceof ValueLogError)) throw err
        // dropped only while the pointer that failed is still the item's: a compaction may have moved the body meanwhile
        if (await this.dropUnreadable(key, record.bodyAt, err)) return undefined
        if (attempt >= READ_ATTEMPTS) throw err
      }
    }
  }

  /** The stored record without its body (never read from the value log); undefined when not held. */
  async header (key: Uint8Array, options?: AbortOptions): Promise<Omit<StoredItem, 'body'> | undefined> {
    if (!this.index.has(key)) return undefined
    try {
      const { body, ...header } = StoredItem.decode(await this.datastore.get(this.dsKey(key), options))
      return header
    } catch (err: any) {
      if (err.name === 'NotFoundError') return undefined
      throw err
    }
  }

  /**
   * Remember on disk that `key` was republished at `at` (repair.ts), so a
   * restart knows what is due. The record only: the body stays where it is.
   */
  async markRepublished (key: Uint8Array, at: number): Promise<void> {
    await this.lock.run(base32.baseEncode(key), async () => {
      const meta = this.index.get(key)
      if (meta == null) return
      const record = StoredItem.decode(await this.datastore.get(this.dsKey(key)))
      const bytes = StoredItem.encode({ ...record, republishedAt: BigInt(Math.floor(at)) })
      await this.datastore.put(this.dsKey(key), bytes)
      // the size changes by a few bytes; nothing placement depends on, so the version stays
      const size = bytes.byteLength + (meta.at?.length ?? 0)
      this.index.set({ ...meta, bytes: size })
      this.byteCount += size - meta.bytes
    })
  }

  /** Drops `key` if its body is still at `failed`; false when it has moved (read again). */
  private async dropUnreadable (key: Uint8Array, failed: BodyAt, err: ValueLogError): Promise<boolean> {
    return this.lock.run(base32.baseEncode(key), async () => {
      const at = this.index.get(key)?.at
      if (at == null) return !this.index.has(key)
      if (!sameAt(at, failed)) return false
      await this.dropLocked(key, err)
      return true
    })
  }

  /** Under the item's lock: the item goes, and the error is told. */
  private async dropLocked (key: Uint8Array, err: ValueLogError): Promise<void> {
    await this.datastore.delete(this.dsKey(key))
    const previous = this.forget(key)
    if (previous == null) return
    if (previous.at != null) this.bodies.release(previous.at)
    this.unreadableDropped++
    this.onError(new Error(`item ${base32.baseEncode(key)} dropped, its body unreadable: ${err.message}`))
    this.onUnreadable(previous, err)
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

  /**
   * Keep `item` under `key` (no acceptor set when none is given): the body
   * first (value log), then the record pointing to it, so a crash leaves at
   * worst unreferenced bytes. A record passed back as get() gave it (its
   * bodyAt still the item's) keeps its body where it is.
   */
  async put (key: Uint8Array, init: StoredItemInit, options?: AbortOptions): Promise<void> {
    // checked before the write: an item the index cannot hold is not stored either
    if (key.byteLength !== INDEX_KEY_BYTES) throw new RangeError(`item keys are ${INDEX_KEY_BYTES} bytes; got ${key.byteLength}`)
    await this.lock.run(base32.baseEncode(key), async () => {
      const { bodyAt: given, ...fields } = init
      const current = this.index.get(key)?.at
      const kept = given != null && current != null && sameAt(given, current) && init.body.byteLength === given.length
      const at = kept ? current : await this.bodies.write(key, init.body)
      // with the body in the log, the record is ~100 bytes: the body is not copied into it
      const item: StoredItem = { ...fields, acceptors: init.acceptors ?? [], republishedAt: init.republishedAt ?? 0n, ...(at == null ? {} : { body: EMPTY, bodyAt: at }) }
      const bytes = StoredItem.encode(item)
      try {
        await this.datastore.put(this.dsKey(key), bytes, options)
      } catch (err) {
        if (at != null && !kept) this.bodies.release(at)
        throw err
      }
      const previous = this.remember(key, item, bytes.byteLength + (at?.length ?? 0))
      if (previous?.at != null && !kept) this.bodies.release(previous.at)
    })
  }

  async delete (key: Uint8Array, options?: AbortOptions): Promise<void> {
    if (!this.index.has(key)) return
    await this.lock.run(base32.baseEncode(key), async () => {
      if (!this.index.has(key)) return
      await this.datastore.delete(this.dsKey(key), options)
      const previous = this.forget(key)
      if (previous?.at != null) this.bodies.release(previous.at)
    })
  }

  /**
   * A compaction's move (log-compactor.ts): `key`'s body, if still in
   * `segment` (0: inline in its record, written before the value log), is
   * copied to the active segment and its record pointed there. Under the
   * item's lock, so a put or delete of the same item is wholly before (the
   * body is no longer here: nothing to do) or wholly after.
   */
  private async relocate (key: Uint8Array, segment: number): Promise<void> {
    await this.lock.run(base32.baseEncode(key), async () => {
      if (!this.index.has(key)) return
      const at = this.index.get(key)?.at
      if ((at?.segment ?? 0) !== segment) return
      const dsKey = this.dsKey(key)
      const record = StoredItem.decode(await this.datastore.get(dsKey))
      if ((record.bodyAt == null) !== (at == null) || (at != null && !sameAt(record.bodyAt!, at))) {
        throw new Error(`item ${base32.baseEncode(key)}: the index and the datastore disagree on where its body is`)
      }
      let body = record.body
      if (at != null) {
        try {
          body = await this.bodies.read(key, at)
        } catch (err) {
          if (!(err instanceof ValueLogError)) throw err
          // nothing to move: the unreadable item goes, and the segment can be reclaimed
          await this.dropLocked(key, err)
          return
        }
      }
      const moved = await this.bodies.write(key, body)
      if (moved == null) return
      try {
        await this.datastore.put(dsKey, StoredItem.encode({ ...record, body: EMPTY, bodyAt: moved }))
      } catch (err) {
        this.bodies.release(moved)
        throw err
      }
      this.index.setAt(key, moved)
      if (at != null) this.bodies.release(at)
    })
  }

  /** Bodies written inline before the value log existed move to it, one at a time, in the background. */
  private async moveInlineBodies (): Promise<void> {
    for (const key of this.index.keysIn(0)) {
      if (this.closing) return
      try {
        await this.relocate(key, 0)
      } catch (err) {
        this.onError(err as Error)
      }
    }
  }

  /** Add or replace the index entry; returns the one replaced. */
  private remember (key: Uint8Array, item: StoredItem, bytes: number): ItemMeta | undefined {
    this.version++
    const previous = this.index.set({ key, kind: kindOf(item.kind), seq: item.seq, pinned: item.pinned, expiresAt: item.expiresAt, bytes, at: item.bodyAt })
    this.byteCount += bytes - (previous?.bytes ?? 0)
    return previous
  }

  private forget (key: Uint8Array): ItemMeta | undefined {
    const previous = this.index.delete(key)
    if (previous == null) return undefined
    this.version++
    this.byteCount -= previous.bytes
    return previous
  }

  private dsKey (key: Uint8Array): Key {
    return new Key(this.prefix + base32.baseEncode(key), false)
  }

  private itemKey (dsKey: Key): Uint8Array {
    return base32.baseDecode(dsKey.toString().slice(this.prefix.length))
  }
}
