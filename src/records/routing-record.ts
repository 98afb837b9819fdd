/**
 * Routing records: a libp2p routing key (`/ipns/<multihash>`, ...) and the
 * value its namespace defines, stored under SHA-256 of the routing key.
 * Pure functions, no I/O: the byte-exact rules live in
 * protocols/routing-record.md; whether a value is valid, and which of two is
 * better, is the namespace's (src/routing/namespaces.ts).
 */
import { MAX_VALUE_BYTES } from '../constants.ts'
import { InvalidInputError, TooLargeError } from '../errors.ts'
import { sha256, equalPositions, POSITION_BYTES } from '../keyspace.ts'
import { compareBytes, ownBytes } from '../bytes.ts'
import { RoutingRecord } from './pb/routing-record.ts'

export { RoutingRecord }

/** Longest routing key: ample for `/ipns/` and any multihash of a public key (RSA-4096 ones are hashed). */
export const MAX_ROUTING_KEY_BYTES = 512

/**
 * Largest valid encoding: tag + length varint + body of each field at its
 * limit (key 2+1+512, value 1+3+65,536). Anything longer is refused before
 * it is parsed.
 */
export const MAX_ROUTING_RECORD_BYTES = (1 + 2 + MAX_ROUTING_KEY_BYTES) + (1 + 3 + MAX_VALUE_BYTES)

/** The 32-byte item key a routing record is stored under. */
export function routingItemKey (routingKey: Uint8Array): Uint8Array {
  return sha256(routingKey)
}

/**
 * The namespace of a routing key, as kad-dht reads it: the text between the
 * first and the second '/' (`/ipns/<multihash>` → `ipns`). Throws
 * InvalidInputError for a key not of that form.
 */
export function namespaceOf (routingKey: Uint8Array): string {
  if (routingKey.byteLength < 3 || routingKey[0] !== 0x2f) throw new InvalidInputError('a routing key starts with /<namespace>/')
  const end = routingKey.indexOf(0x2f, 1)
  if (end <= 1) throw new InvalidInputError('a routing key starts with /<namespace>/')
  const namespace = new TextDecoder('utf-8', { fatal: false }).decode(routingKey.subarray(1, end))
  if (!/^[a-z0-9-]{1,32}$/.test(namespace)) throw new InvalidInputError(`"${namespace.slice(0, 40)}" is not a routing key namespace`)
  return namespace
}

/** A routing key's size and form; throws InvalidInputError / TooLargeError. */
export function checkRoutingKey (key: Uint8Array): void {
  if (!(key instanceof Uint8Array)) throw new InvalidInputError('a routing key is bytes')
  if (key.byteLength > MAX_ROUTING_KEY_BYTES) throw new TooLargeError(`routing key is ${key.byteLength} bytes; the limit is ${MAX_ROUTING_KEY_BYTES}`)
  namespaceOf(key)
}

/** Size and form rules shared by create and decode; throws InvalidInputError / TooLargeError. */
export function checkRoutingRecord (record: { key: Uint8Array, value: Uint8Array }): void {
  checkRoutingKey(record.key)
  if (record.value.byteLength > MAX_VALUE_BYTES) throw new TooLargeError(`routing record value is ${record.value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES} bytes (64 KiB)`)
  if (record.value.byteLength === 0) throw new InvalidInputError('a routing record has a value')
}

export function encodeRoutingRecord (record: { key: Uint8Array, value: Uint8Array }): Uint8Array {
  return RoutingRecord.encode({ key: ownBytes(record.key), value: ownBytes(record.value) })
}

/**
 * Decode a record, refusing oversize input before it is parsed, any
 * encoding but the canonical one, and keys or values outside the limits.
 * When `itemKey` is given, the routing key must hash to it.
 */
export function decodeRoutingRecord (bytes: Uint8Array, itemKey?: Uint8Array): RoutingRecord {
  if (bytes.byteLength > MAX_ROUTING_RECORD_BYTES) {
    throw new TooLargeError(`routing record is ${bytes.byteLength} bytes; the limit is ${MAX_ROUTING_RECORD_BYTES}`)
  }
  let decoded: RoutingRecord
  try {
    decoded = RoutingRecord.decode(bytes)
  } catch (err: any) {
    throw new InvalidInputError(`malformed routing record: ${err.message}`)
  }
  checkRoutingRecord(decoded)
  if (compareBytes(RoutingRecord.encode(decoded), bytes) !== 0) throw new InvalidInputError('routing record is not canonically encoded')
  if (itemKey != null && (itemKey.byteLength !== POSITION_BYTES || !equalPositions(itemKey, routingItemKey(decoded.key)))) {
    throw new InvalidInputError('routing record key does not hash to the item key')
  }
  return { key: Uint8Array.from(decoded.key), value: Uint8Array.from(decoded.value) }
}
