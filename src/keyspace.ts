/**
 * The key space: 32-byte positions compared by XOR distance as big-endian
 * unsigned integers. A node's position is SHA-256 of its peer id's multihash
 * bytes, the same position kad-dht uses, so both agree on who is near whom.
 */
import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'

export const POSITION_BYTES = 32

export function sha256 (...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}

/** Position of a peer in the key space. */
export function peerPosition (peerId: PeerId): Uint8Array {
  return sha256(peerId.toMultihash().bytes)
}

/** XOR distance between two positions. */
export function distance (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(POSITION_BYTES)
  for (let i = 0; i < POSITION_BYTES; i++) out[i] = a[i] ^ b[i]
  return out
}

/** Compare the distances of `a` and `b` to `target` without allocating: <0 when a is nearer. */
export function compareDistance (target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < POSITION_BYTES; i++) {
    const da = a[i] ^ target[i]
    const db = b[i] ^ target[i]
    if (da !== db) return da - db
  }
  return 0
}

/** Index of the highest differing bit (255 = top bit), or -1 when equal: the distance band 2^i..2^(i+1). */
export function distanceBand (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < POSITION_BYTES; i++) {
    const x = a[i] ^ b[i]
    if (x !== 0) return (POSITION_BYTES - 1 - i) * 8 + (31 - Math.clz32(x))
  }
  return -1
}

export function equalPositions (a: Uint8Array, b: Uint8Array): boolean {
  return compareDistance(a, a, b) === 0
}

/**
 * The `n` entries nearest to `target`, nearest first: the one way toyrrent
 * picks the nearest peers (routing table, replies, replica sets, lookups).
 * One pass keeping the best n, so a short list from a long one costs no sort.
 */
export function nearestN<T> (target: Uint8Array, entries: Iterable<T>, n: number, position: (entry: T) => Uint8Array): T[] {
  const best: T[] = []
  if (n <= 0) return best
  for (const entry of entries) {
    const pos = position(entry)
    if (best.length === n && compareDistance(target, pos, position(best[n - 1])) >= 0) continue
    let i = best.length
    while (i > 0 && compareDistance(target, pos, position(best[i - 1])) < 0) i--
    best.splice(i, 0, entry)
    if (best.length > n) best.pop()
  }
  return best
}

/** `nearestN` for things that carry their position. */
export function nearestPositioned<T extends { position: Uint8Array }> (target: Uint8Array, entries: Iterable<T>, n: number): T[] {
  return nearestN(target, entries, n, entry => entry.position)
}
