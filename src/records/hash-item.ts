/**
 * Hash items: immutable values named by their SHA-256. People see the key as a
 * CIDv1 (raw codec, sha2-256, base32) so the same bytes have the same name as in IPFS.
 */
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { base32 } from 'multiformats/bases/base32'
import { MAX_VALUE_BYTES } from '../constants.ts'
import { InvalidInputError, TooLargeError } from '../errors.ts'
import { sha256, POSITION_BYTES, equalPositions } from '../keyspace.ts'

const RAW_CODEC = 0x55
const SHA2_256_CODE = 0x12

export function checkValueSize (value: Uint8Array): void {
  if (value.byteLength > MAX_VALUE_BYTES) {
    throw new TooLargeError(`value is ${value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES} bytes (64 KiB)`)
  }
}

/** The 32-byte key of a hash item. */
export function hashItemKey (value: Uint8Array): Uint8Array {
  return sha256(value)
}

/** True when `value` is the hash item named `key`. */
export function verifyHashItem (key: Uint8Array, value: Uint8Array): boolean {
  return value.byteLength <= MAX_VALUE_BYTES && equalPositions(key, hashItemKey(value))
}

/** The CID people see for a 32-byte key. */
export function keyToCid (key: Uint8Array): string {
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256_CODE, key)).toString(base32)
}

/**
 * Parse a key given by a person: a CIDv1/CIDv0 with a sha2-256 multihash, or 64
 * hex characters. Throws InvalidInputError with the reason otherwise.
 */
export function parseKey (text: string): Uint8Array {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    return Uint8Array.from(Buffer.from(trimmed, 'hex'))
  }
  let cid: CID
  try {
    cid = CID.parse(trimmed)
  } catch {
    throw new InvalidInputError(`not a valid key: "${truncate(trimmed)}" (expected a CID like bafkrei... or 64 hex characters)`)
  }
  if (cid.version === 0) {
    // the same digest, but a CIDv0 names a dag-pb block: turning it silently into a raw CIDv1 names something else
    throw new InvalidInputError(`key "${truncate(trimmed)}" is a CIDv0 (Qm...); toyrrent names items with CIDv1: use ${cid.toV1().toString()} (its CIDv1 form) or the bafkrei... key that put printed`)
  }
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.digest.byteLength !== POSITION_BYTES) {
    throw new InvalidInputError(`key "${truncate(trimmed)}" is not a sha2-256 CID`)
  }
  return cid.multihash.digest
}

function truncate (text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
