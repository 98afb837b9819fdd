/**
 * The item index as a few typed arrays instead of one JS object per item: a
 * node holding a 1 GiB file holds 16,384 blocks, and a Map of hex-string keys
 * to metadata objects cost 430 bytes an item (scripts/index-heap.ts). Here
 * an item costs 77 bytes (up to twice that just after the arrays double),
 * outside the JS object heap: its 32-byte key, seq, expiry, size,
 * kind/pin flags and where its body is in the value log (value-log.ts)
 * in slot-indexed arrays, and a slot number in an
 * open-addressing hash table.
 *
 * Slots are dense (0 … size − 1): a removal moves the last slot into the
 * hole. The table probes linearly and deletes by shifting back, so no
 * tombstones pile up. Its hash mixes the whole key with a per-process random
 * seed: keys are hashes a peer can grind, and a predictable bucket would let
 * one fill a single probe chain.
 */
import type { ItemKind } from '../records/item.ts'
import type { BodyAt } from './pb/store.ts'

/** The only key length the index takes (SHA-256 positions). */
export const INDEX_KEY_BYTES = 32

const KINDS: ItemKind[] = ['hash', 'publish', 'routing']
const KIND_MASK = 0b11
const PINNED = 0b100
const INITIAL_SLOTS = 64
/** hash table entries hold slot + 1; 0 is an empty entry */
const EMPTY = 0

/** One held item as the index keeps it (a fresh object on every read). */
export interface PackedMeta {
  key: Uint8Array
  kind: ItemKind
  seq: bigint
  pinned: boolean
  expiresAt: bigint
  /** Encoded size on disk. */
  bytes: number
  /** Where the body is in the value log; absent: inline in the stored record. */
  at?: BodyAt
}

export class PackedIndex {
  private slots = 0
  private capacity = 0
  private keys = new Uint8Array(0)
  private seqs = new BigUint64Array(0)
  private expiries = new BigUint64Array(0)
  private sizes = new Float64Array(0)
  private flags = new Uint8Array(0)
  /** value log segment of the body (0: inline), its record's offset and the body's length */
  private atSegments = new Uint32Array(0)
  private atOffsets = new Uint32Array(0)
  private atLengths = new Uint32Array(0)
  /** power-of-two entries, at most half full */
  private table = new Int32Array(0)
  private mask = 0
  private readonly seed = (Math.random() * 0x100000000) >>> 0

  constructor () {
    this.resize(INITIAL_SLOTS)
  }

  get size (): number { return this.slots }

  /** Bytes the arrays take (what the index costs, whatever it holds). */
  get footprint (): number {
    return this.keys.byteLength + this.seqs.byteLength + this.expiries.byteLength + this.sizes.byteLength + this.flags.byteLength +
      this.atSegments.byteLength + this.atOffsets.byteLength + this.atLengths.byteLength + this.table.byteLength
  }

  has (key: Uint8Array): boolean {
    return this.find(key) >= 0
  }

  get (key: Uint8Array): PackedMeta | undefined {
    const slot = this.find(key)
    return slot < 0 ? undefined : this.read(slot)
  }

  /** Add or replace; returns the entry it replaced. */
  set (meta: PackedMeta): PackedMeta | undefined {
    const { key } = meta
    if (key.byteLength !== INDEX_KEY_BYTES) throw new RangeError(`item keys are ${INDEX_KEY_BYTES} bytes; got ${key.byteLength}`)
    const kind = KINDS.indexOf(meta.kind)
    if (kind < 0) throw new RangeError(`unknown item kind ${String(meta.kind)}`)
    let slot = this.find(key)
    const previous = slot < 0 ? undefined : this.read(slot)
    if (slot < 0) {
      if (this.slots === this.capacity) this.resize(this.capacity * 2)
      slot = this.slots++
      this.keys.set(key, slot * INDEX_KEY_BYTES)
      this.insertEntry(slot)
    }
    this.seqs[slot] = BigInt.asUintN(64, meta.seq)
    this.expiries[slot] = BigInt.asUintN(64, meta.expiresAt)
    this.sizes[slot] = meta.bytes
    this.flags[slot] = kind | (meta.pinned ? PINNED : 0)
    this.setAtSlot(slot, meta.at)
    return previous
  }

  /** Where `key`'s body is now (a compaction moved it); false when `key` is not held. */
  setAt (key: Uint8Array, at: BodyAt | undefined): boolean {
    const slot = this.find(key)
    if (slot < 0) return false
    this.setAtSlot(slot, at)
    return true
  }

  /** Keys whose bodies are in value log segment `segment` (copies); 0: inline in their records. */
  keysIn (segment: number): Uint8Array[] {
    const keys: Uint8Array[] = []
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.atSegments[slot] === segment) keys.push(this.keys.slice(slot * INDEX_KEY_BYTES, (slot + 1) * INDEX_KEY_BYTES))
    }
    return keys
  }

  private setAtSlot (slot: number, at: BodyAt | undefined): void {
    this.atSegments[slot] = at?.segment ?? 0
    this.atOffsets[slot] = at?.offset ?? 0
    this.atLengths[slot] = at?.length ?? 0
  }

  /** Remove; returns the entry removed. */
  delete (key: Uint8Array): PackedMeta | undefined {
    const entry = this.findEntry(key)
    if (entry < 0) return undefined
    const slot = this.table[entry] - 1
    const removed = this.read(slot)
    this.removeEntry(entry)
    const last = this.slots - 1
    if (slot !== last) {
      // the last slot fills the hole; its table entry is pointed at the new place
      const moved = this.findEntry(this.keys.subarray(last * INDEX_KEY_BYTES, (last + 1) * INDEX_KEY_BYTES))
      this.keys.copyWithin(slot * INDEX_KEY_BYTES, last * INDEX_KEY_BYTES, (last + 1) * INDEX_KEY_BYTES)
      this.seqs[slot] = this.seqs[last]
      this.expiries[slot] = this.expiries[last]
      this.sizes[slot] = this.sizes[last]
      this.flags[slot] = this.flags[last]
      this.atSegments[slot] = this.atSegments[last]
      this.atOffsets[slot] = this.atOffsets[last]
      this.atLengths[slot] = this.atLengths[last]
      this.table[moved] = slot + 1
    }
    this.slots = last
    // a node that dropped most of what it held gives the memory back
    if (this.capacity > INITIAL_SLOTS && this.slots < this.capacity / 4) this.resize(this.capacity / 2)
    return removed
  }

  clear (): void {
    this.slots = 0
    this.resize(INITIAL_SLOTS)
  }

  /**
   * Every entry, each a fresh object (its key a copy). A removal while
   * iterating moves the last entry into the hole, so that one may be missed:
   * callers that remove as they go iterate over a spread copy.
   */
  * values (): IterableIterator<PackedMeta> {
    for (let slot = 0; slot < this.slots; slot++) yield this.read(slot)
  }

  private read (slot: number): PackedMeta {
    const flags = this.flags[slot]
    const segment = this.atSegments[slot]
    return {
      // a copy, not a view: a caller keeping it must not pin (or see changes to) the arrays
      key: this.keys.slice(slot * INDEX_KEY_BYTES, (slot + 1) * INDEX_KEY_BYTES),
      kind: KINDS[flags & KIND_MASK],
      seq: this.seqs[slot],
      pinned: (flags & PINNED) !== 0,
      expiresAt: this.expiries[slot],
      bytes: this.sizes[slot],
      ...(segment === 0 ? {} : { at: { segment, offset: this.atOffsets[slot], length: this.atLengths[slot] } })
    }
  }

  private find (key: Uint8Array): number {
    const entry = this.findEntry(key)
    return entry < 0 ? -1 : this.table[entry] - 1
  }

  /** The table entry holding `key`'s slot, or −1. */
  private findEntry (key: Uint8Array): number {
    if (key.byteLength !== INDEX_KEY_BYTES) return -1
    for (let entry = this.hash(key, 0) & this.mask; ; entry = (entry + 1) & this.mask) {
      const value = this.table[entry]
      if (value === EMPTY) return -1
      if (this.keyAt(value - 1, key)) return entry
    }
  }

  private keyAt (slot: number, key: Uint8Array): boolean {
    const base = slot * INDEX_KEY_BYTES
    for (let i = 0; i < INDEX_KEY_BYTES; i++) if (this.keys[base + i] !== key[i]) return false
    return true
  }

  private insertEntry (slot: number): void {
    let entry = this.hash(this.keys, slot * INDEX_KEY_BYTES) & this.mask
    while (this.table[entry] !== EMPTY) entry = (entry + 1) & this.mask
    this.table[entry] = slot + 1
  }

  /** Linear probing's deletion: later entries of the run shift back into the gap if their home allows. */
  private removeEntry (entry: number): void {
    let gap = entry
    for (let next = (gap + 1) & this.mask; this.table[next] !== EMPTY; next = (next + 1) & this.mask) {
      const home = this.hash(this.keys, (this.table[next] - 1) * INDEX_KEY_BYTES) & this.mask
      // the entry at `next` may move to `gap` unless its home lies cyclically in (gap, next]
      const homeBetween = gap <= next ? (home > gap && home <= next) : (home > gap || home <= next)
      if (homeBetween) continue
      this.table[gap] = this.table[next]
      gap = next
    }
    this.table[gap] = EMPTY
  }

  /** A seeded mix of the key's 32 bytes (8 words) into 32 bits. */
  private hash (bytes: Uint8Array, offset: number): number {
    let h = this.seed
    for (let i = offset; i < offset + INDEX_KEY_BYTES; i += 4) {
      const word = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
      h = Math.imul(h ^ word, 0x9e3779b1)
      h ^= h >>> 15
    }
    h = Math.imul(h ^ (h >>> 13), 0x85ebca6b)
    return (h ^ (h >>> 16)) >>> 0
  }

  /** New arrays of `capacity` slots (more, or fewer but at least `size`), and the table rebuilt. */
  private resize (capacity: number): void {
    const n = this.slots
    this.keys = resized(this.keys, n, capacity, INDEX_KEY_BYTES)
    this.seqs = resized(this.seqs, n, capacity)
    this.expiries = resized(this.expiries, n, capacity)
    this.sizes = resized(this.sizes, n, capacity)
    this.flags = resized(this.flags, n, capacity)
    this.atSegments = resized(this.atSegments, n, capacity)
    this.atOffsets = resized(this.atOffsets, n, capacity)
    this.atLengths = resized(this.atLengths, n, capacity)
    this.capacity = capacity
    this.table = new Int32Array(capacity * 2)
    this.mask = capacity * 2 - 1
    for (let slot = 0; slot < n; slot++) this.insertEntry(slot)
  }
}

/** A column of `capacity` slots (`width` elements each) holding the first `used` slots of `column`. */
function resized<T extends Uint8Array | Uint32Array | Float64Array | BigUint64Array> (column: T, used: number, capacity: number, width = 1): T {
  const next = new (column.constructor as new (length: number) => T)(capacity * width)
  next.set(column.subarray(0, used * width) as any)
  return next
}
