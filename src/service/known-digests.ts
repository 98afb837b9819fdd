/**
 * SHA-256 digests this process has just computed of exact byte arrays,
 * handed to the put that stores them so it does not hash the same bytes
 * again. The files layer's importer names every block by the SHA-256 of its
 * bytes (the CID); `toyrrent.put` takes no key and hashed each 64 KiB block
 * a second time to key it (5 % of an add's profile went to SHA-256).
 *
 * Not an API: only code in this process can hand a digest over (this module
 * is not exported from the package; nothing from the network or the HTTP API
 * reaches it), entries are keyed by the array object itself (a WeakMap:
 * identity, not content, so other bytes never pick one up), and each is
 * taken once, by the put it was handed over for. The nodes that receive the
 * item verify it against its key as they always do.
 */
import { POSITION_BYTES } from '../keyspace.ts'

const known = new WeakMap<Uint8Array, Uint8Array>()

/** `digest` is the SHA-256 of `bytes`, just computed in this process: the next put of this very array may use it. */
export function handOverDigest (bytes: Uint8Array, digest: Uint8Array): void {
  if (digest.byteLength !== POSITION_BYTES) throw new RangeError(`a SHA-256 digest is ${POSITION_BYTES} bytes, got ${digest.byteLength}`)
  known.set(bytes, digest)
}

/** The digest handed over for this very array, if any; taken (a later put of it hashes it). */
export function takeDigest (bytes: Uint8Array): Uint8Array | undefined {
  const digest = known.get(bytes)
  if (digest !== undefined) known.delete(bytes)
  return digest
}
