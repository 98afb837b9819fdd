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

/** Sort entries by distance of `position(entry)` to `target`, nearest first. */
export function sortByDistance<T> (target: Uint8Array, entries: T[], position: (entry: T) => Uint8Array): T[] {
  return entries.sort((a, b) => compareDistance(target, position(a), position(b)))
}
