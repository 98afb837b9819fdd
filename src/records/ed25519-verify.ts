/**
 * Ed25519 signature checks with one public-key object per publisher.
 * `@libp2p/crypto` builds a Node key object from the 32 raw bytes on every
 * check, which costs about as much as the check itself; a resolve checks
 * records of the same publishers over and over (profiled: 8 % of a resolve's
 * CPU). Bounded; the least recently used key goes first.
 */
import { createPublicKey, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { MAX_CACHED_PUBLIC_KEYS } from '../constants.ts'

/** DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410): the raw 32 bytes follow it. */
const ED25519_SPKI_HEADER = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

const keys = new Map<string, KeyObject>()

/** Does `signature` sign `payload` under the raw 32-byte `publicKey`? Throws on a key Node cannot use. */
export function verifyEd25519 (publicKey: Uint8Array, payload: Uint8Array, signature: Uint8Array): boolean {
  return verify(null, payload, keyObject(publicKey), signature)
}

function keyObject (publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64')
  let key = keys.get(id)
  if (key != null) {
    keys.delete(id) // re-inserted below: Map order is recency order
  } else {
    const der = new Uint8Array(ED25519_SPKI_HEADER.byteLength + publicKey.byteLength)
    der.set(ED25519_SPKI_HEADER)
    der.set(publicKey, ED25519_SPKI_HEADER.byteLength)
    key = createPublicKey({ key: Buffer.from(der.buffer), format: 'der', type: 'spki' })
    if (keys.size >= MAX_CACHED_PUBLIC_KEYS) keys.delete(keys.keys().next().value as string)
  }
  keys.set(id, key)
  return key
}
