/**
 * 32-byte block keys (SHA-256 digests) with a 32-bit value each, in typed
 * arrays: an add's per-block bookkeeping (which blocks it claimed, which it
 * counted; add-claims.ts, files.ts, importer.ts). As JS objects that was a
 * hex string, a Set or Map entry and a Uint8Array per block and per set —
 * several hundred bytes of old-generation heap per block kept to the end of
 * the add, ~10 MiB over a 1 GiB file (README, Files → Memory); here it is
 * ~80 bytes per block of ArrayBuffer.
 *
 * Open addressing with linear probing over slots that hold the keys
 * themselves, at most half full, deletion by backward shift. The hash is
 * seeded: keys are digests of bytes a client chooses.
 */
export const KEY_BYTES = 32

const MIN_SLOTS = 64

export class KeyTable {
  private keys = new Uint8Array(MIN_SLOTS * KEY_BYTES)
  private values = new Uint32Array(MIN_SLOTS)
  private used = new Uint8Array(MIN_SLOTS)
  private mask = MIN_SLOTS - 1
  private count = 0
  private readonly seed = (Math.random() * 0x100000000) >>> 0

  get size (): number { return this.count }

  has (key: Uint8Array): boolean {
    return this.find(key) >= 0
  }

  /** The value under `key`, or undefined. */
  get (key: Uint8Array): number | undefined {
    const slot = this.find(key)
    return slot < 0 ? undefined : this.values[slot]
  }

  /** Keep `value` under `key` (the key's bytes are copied). */
  set (key: Uint8Array, value: number): void {
    checkKey(key)
    const slot = this.find(key)
    if (slot >= 0) {
      this.values[slot] = value
      return
    }
    if ((this.count + 1) * 2 > this.used.length) this.resize(this.used.length * 2)
    const free = this.freeSlot(key)
    this.keys.set(key, free * KEY_BYTES)
    this.values[free] = value >>> 0
    this.used[free] = 1
    this.count++
  }

  /** Remove `key`; false when it was not there. */
  delete (key: Uint8Array): boolean {
    let gap = this.find(key)
    if (gap < 0) return false
    this.count--
    // backward shift: an entry after the gap whose home is not between the gap and it moves into the gap
    for (let next = (gap + 1) & this.mask; this.used[next] === 1; next = (next + 1) & this.mask) {
      const home = this.hash(this.keys, next * KEY_BYTES) & this.mask
      const homeBetween = gap <= next ? (home > gap && home <= next) : (home > gap || home <= next)
      if (homeBetween) continue
      this.keys.copyWithin(gap * KEY_BYTES, next * KEY_BYTES, (next + 1) * KEY_BYTES)
      this.values[gap] = this.values[next]
      gap = next
    }
    this.used[gap] = 0
    this.values[gap] = 0
    return true
  }

  /** Every key (a copy each, safe to keep) with its value. */
  * entries (): Generator<[Uint8Array, number]> {
    for (let slot = 0; slot < this.used.length; slot++) {
      if (this.used[slot] === 1) yield [this.keys.slice(slot * KEY_BYTES, (slot + 1) * KEY_BYTES), this.values[slot]]
    }
  }

  * keysWhere (test: (value: number) => boolean): Generator<Uint8Array> {
    for (const [key, value] of this.entries()) if (test(value)) yield key
  }

  private find (key: Uint8Array): number {
    if (key.byteLength !== KEY_BYTES) return -1
    for (let slot = this.hash(key, 0) & this.mask; this.used[slot] === 1; slot = (slot + 1) & this.mask) {
      if (this.equalAt(slot, key)) return slot
    }
    return -1
  }

  private freeSlot (key: Uint8Array): number {
    let slot = this.hash(key, 0) & this.mask
    while (this.used[slot] === 1) slot = (slot + 1) & this.mask
    return slot
  }

  private equalAt (slot: number, key: Uint8Array): boolean {
    const base = slot * KEY_BYTES
    for (let i = 0; i < KEY_BYTES; i++) if (this.keys[base + i] !== key[i]) return false
    return true
  }

  /** A seeded mix of a key's 8 words into 32 bits. */
  private hash (bytes: Uint8Array, offset: number): number {
    let h = this.seed
    for (let i = offset; i < offset + KEY_BYTES; i += 4) {
      const word = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
      h = Math.imul(h ^ word, 0x9e3779b1)
      h ^= h >>> 15
    }
    h = Math.imul(h ^ (h >>> 13), 0x85ebca6b)
    return (h ^ (h >>> 16)) >>> 0
  }

  private resize (slots: number): void {
    const { keys, values, used } = this
    this.keys = new Uint8Array(slots * KEY_BYTES)
    this.values = new Uint32Array(slots)
    this.used = new Uint8Array(slots)
    this.mask = slots - 1
    for (let old = 0; old < used.length; old++) {
      if (used[old] !== 1) continue
      const key = keys.subarray(old * KEY_BYTES, (old + 1) * KEY_BYTES)
      const slot = this.freeSlot(key)
      this.keys.set(key, slot * KEY_BYTES)
      this.values[slot] = values[old]
      this.used[slot] = 1
    }
  }
}

function checkKey (key: Uint8Array): void {
  if (key.byteLength !== KEY_BYTES) throw new RangeError(`block keys are ${KEY_BYTES} bytes; got ${key.byteLength}`)
}
