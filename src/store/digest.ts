/**
 * Set digests for anti-entropy: XOR of 16-byte element hashes, so a digest is
 * independent of order and can be built incrementally. An element covers key
 * and seq, so a replica holding an older record of a publish item differs.
 */
import { sha256 } from '../keyspace.ts'
import { DIGEST_BUCKETS } from '../constants.ts'

export const DIGEST_BYTES = 16

export function elementHash (key: Uint8Array, seq: bigint): Uint8Array {
  const seqBytes = new Uint8Array(8)
  new DataView(seqBytes.buffer).setBigUint64(0, seq)
  return sha256(key, seqBytes).subarray(0, DIGEST_BYTES)
}

export function bucketOf (key: Uint8Array): number {
  return key[key.length - 1] % DIGEST_BUCKETS
}

export class SetDigest {
  count = 0
  readonly hash = new Uint8Array(DIGEST_BYTES)

  add (element: Uint8Array): void {
    this.count++
    for (let i = 0; i < DIGEST_BYTES; i++) this.hash[i] ^= element[i]
  }

  equals (count: number, hash: Uint8Array): boolean {
    if (count !== this.count || hash.byteLength !== DIGEST_BYTES) return false
    for (let i = 0; i < DIGEST_BYTES; i++) if (hash[i] !== this.hash[i]) return false
    return true
  }
}

/** A digest of a whole set and of each of its buckets. */
export class BucketedDigest {
  readonly total = new SetDigest()
  readonly buckets = new Map<number, SetDigest>()

  add (key: Uint8Array, seq: bigint): void {
    const element = elementHash(key, seq)
    this.total.add(element)
    const index = bucketOf(key)
    let bucket = this.buckets.get(index)
    if (bucket == null) {
      bucket = new SetDigest()
      this.buckets.set(index, bucket)
    }
    bucket.add(element)
  }
}
