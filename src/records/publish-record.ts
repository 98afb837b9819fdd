/**
 * Publish items: mutable values signed by an Ed25519 key, named by
 * id = SHA-256(publicKey ‖ salt). Pure functions, no I/O. The byte-exact rules
 * live in protocols/publish-record.md; this file follows it.
 */
import { MAX_SALT_BYTES, MAX_SEQ, MAX_VALUE_BYTES } from '../constants.ts'
import { InvalidInputError, PublishRejectedError, TooLargeError } from '../errors.ts'
import type { PublishRejectReason } from '../errors.ts'
import { sha256, equalPositions, POSITION_BYTES } from '../keyspace.ts'
import { PublishRecord } from './pb/publish-record.ts'
import { verifyEd25519 } from './ed25519-verify.ts'
import type { PrivateKey } from '@libp2p/interface'

export { PublishRecord }

/** Signatures made for v1 records can never verify as anything else. */
export const PUBLISH_DOMAIN = 'toyrrent-publish-v1'
export const PUBLIC_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
/** Flag bit 0: the record is a tombstone. All other bits are reserved and must be 0. */
export const FLAG_DELETED = 1
export { MAX_SEQ }

/**
 * Largest valid encoding, 65,717 bytes: tag + length varint + body of each field
 * at its limit (publicKey 34, salt 66, seq 11, value 65,540, signature 66). Flags
 * add nothing: only a tombstone sets them, and it has no value. Anything longer
 * is refused before it is parsed.
 */
export const MAX_PUBLISH_RECORD_BYTES = (2 + PUBLIC_KEY_BYTES) + (2 + MAX_SALT_BYTES) + 11 + (4 + MAX_VALUE_BYTES) + (2 + SIGNATURE_BYTES)

export type PublishVerdict = 'ok' | Exclude<PublishRejectReason, 'stale-seq' | 'cas-mismatch'>
export type ReplaceVerdict = 'ok' | 'noop' | 'stale-seq' | 'cas-mismatch'

/** The signed part of a record. */
export interface SignedFields {
  salt: Uint8Array
  seq: bigint
  flags: number
  value: Uint8Array
}

export interface CreatePublishRecordOptions {
  /** An Ed25519 key; it signs here and never leaves the client. */
  privateKey: PrivateKey
  /** 0–64 bytes (default empty): one key can publish many ids. */
  salt?: Uint8Array
  /** 1 ≤ seq < 2^64, higher than any seq published before under this id. */
  seq: bigint
  /** At most 65,536 bytes; must be empty (the default) when `deleted`. */
  value?: Uint8Array
  /** Publish a tombstone. */
  deleted?: boolean
}

/**
 * The bytes the signature covers:
 * "toyrrent-publish-v1" ‖ 0x00 ‖ u8 saltLen ‖ salt ‖ u64be seq ‖ u32be flags ‖ u32be valueLen ‖ value.
 * Not the protobuf encoding: protobuf has many encodings of one message.
 */
export function signingPayload (fields: SignedFields): Uint8Array {
  // the length prefixes below cannot represent more; callers check limits first
  if (fields.salt.byteLength > MAX_SALT_BYTES || fields.value.byteLength > MAX_VALUE_BYTES) {
    throw new TooLargeError('salt or value over the publish record limits')
  }
  const domain = new TextEncoder().encode(PUBLISH_DOMAIN)
  const out = new Uint8Array(domain.byteLength + 1 + 1 + fields.salt.byteLength + 8 + 4 + 4 + fields.value.byteLength)
  const view = new DataView(out.buffer)
  let at = 0
  out.set(domain, at); at += domain.byteLength
  out[at++] = 0
  out[at++] = fields.salt.byteLength
  out.set(fields.salt, at); at += fields.salt.byteLength
  view.setBigUint64(at, fields.seq); at += 8
  view.setUint32(at, fields.flags); at += 4
  view.setUint32(at, fields.value.byteLength); at += 4
  out.set(fields.value, at)
  return out
}

/** id = SHA-256(publicKey ‖ salt): the 32-byte key a publish item is stored under. */
export function publishId (publicKey: Uint8Array, salt: Uint8Array = new Uint8Array(0)): Uint8Array {
  return sha256(publicKey, salt)
}

export function isDeleted (record: PublishRecord): boolean {
  return (record.flags & FLAG_DELETED) !== 0
}

/** Sign a new record. Throws InvalidInputError / TooLargeError on bad input. */
export async function createPublishRecord (options: CreatePublishRecordOptions): Promise<PublishRecord> {
  const { privateKey, seq, deleted = false } = options
  if (privateKey.type !== 'Ed25519') {
    throw new InvalidInputError(`publish records are signed with Ed25519 keys, not ${privateKey.type}`)
  }
  const unsigned = {
    publicKey: copy(privateKey.publicKey.raw),
    salt: copy(options.salt ?? new Uint8Array(0)),
    seq,
    flags: deleted ? FLAG_DELETED : 0,
    value: copy(options.value ?? new Uint8Array(0)),
    signature: new Uint8Array(SIGNATURE_BYTES)
  }
  const problem = fieldProblem(unsigned)
  if (problem != null) {
    throw problem.reason === 'too-large' ? new TooLargeError(problem.message) : new InvalidInputError(problem.message)
  }
  const signature = await privateKey.sign(signingPayload(unsigned))
  return { ...unsigned, signature: copy(signature) }
}

export function encodePublishRecord (record: PublishRecord): Uint8Array {
  return PublishRecord.encode(record)
}

/**
 * Decode a record, refusing oversize input before it is parsed and any
 * encoding but the canonical one (so one record has exactly one byte form).
 * Throws PublishRejectedError ('too-large' or 'bad-request'). Does not check
 * the signature: that is verifyPublishRecord.
 */
export function decodePublishRecord (bytes: Uint8Array): PublishRecord {
  if (bytes.byteLength > MAX_PUBLISH_RECORD_BYTES) {
    throw new PublishRejectedError('too-large', `publish record is ${bytes.byteLength} bytes; the limit is ${MAX_PUBLISH_RECORD_BYTES}`)
  }
  let decoded: PublishRecord
  try {
    // fields are views into `bytes`, nothing is copied until they pass the checks below
    decoded = PublishRecord.decode(bytes)
  } catch (err: any) {
    throw new PublishRejectedError('bad-request', `malformed publish record: ${err.message}`)
  }
  const problem = fieldProblem(decoded)
  if (problem != null) throw new PublishRejectedError(problem.reason, problem.message)
  if (!bytesEqual(PublishRecord.encode(decoded), bytes)) {
    throw new PublishRejectedError('bad-request', 'publish record is not canonically encoded')
  }
  return {
    publicKey: copy(decoded.publicKey),
    salt: copy(decoded.salt),
    seq: decoded.seq,
    flags: decoded.flags,
    value: copy(decoded.value),
    signature: copy(decoded.signature)
  }
}

/** Everything a store checks about one record on its own, cheapest first. */
export async function verifyPublishRecord (id: Uint8Array, record: PublishRecord): Promise<PublishVerdict> {
  const problem = fieldProblem(record)
  if (problem != null) return problem.reason
  if (id.byteLength !== POSITION_BYTES || !equalPositions(id, publishId(record.publicKey, record.salt))) {
    return 'id-mismatch'
  }
  try {
    const ok = verifyEd25519(record.publicKey, signingPayload(record), record.signature)
    return ok ? 'ok' : 'bad-signature'
  } catch {
    // a public key that is not a curve point cannot have signed anything
    return 'bad-signature'
  }
}

/**
 * May `incoming` replace `stored`? Both must already have verified under the
 * same id. A byte-identical record is a no-op (so retries are idempotent, even
 * with a now-outdated expectedSeq); otherwise expectedSeq, when given, must
 * equal the stored seq (no stored record counts as seq 0), and seq must grow.
 */
export function checkReplace (stored: PublishRecord | undefined, incoming: PublishRecord, expectedSeq?: bigint): ReplaceVerdict {
  if (stored != null && sameRecord(stored, incoming)) return 'noop'
  if (expectedSeq != null && expectedSeq !== (stored?.seq ?? 0n)) return 'cas-mismatch'
  if (stored != null && incoming.seq <= stored.seq) return 'stale-seq'
  return 'ok'
}

/** Throw PublishRejectedError for any verdict that is not ok. */
export function assertAccepted (verdict: PublishVerdict | ReplaceVerdict): void {
  if (verdict === 'ok' || verdict === 'noop') return
  throw new PublishRejectedError(verdict, `publish record rejected: ${verdict}`)
}

interface Problem { reason: 'too-large' | 'bad-request', message: string }

/** Shape and size rules shared by create, decode and verify. */
function fieldProblem (record: PublishRecord): Problem | undefined {
  if (record.salt.byteLength > MAX_SALT_BYTES) {
    return { reason: 'too-large', message: `salt is ${record.salt.byteLength} bytes; the limit is ${MAX_SALT_BYTES}` }
  }
  if (record.value.byteLength > MAX_VALUE_BYTES) {
    return { reason: 'too-large', message: `value is ${record.value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES} bytes (64 KiB)` }
  }
  if (record.publicKey.byteLength !== PUBLIC_KEY_BYTES) {
    return { reason: 'bad-request', message: `public key is ${record.publicKey.byteLength} bytes; expected ${PUBLIC_KEY_BYTES}` }
  }
  if (record.signature.byteLength !== SIGNATURE_BYTES) {
    return { reason: 'bad-request', message: `signature is ${record.signature.byteLength} bytes; expected ${SIGNATURE_BYTES}` }
  }
  if (typeof record.seq !== 'bigint' || record.seq < 1n || record.seq > MAX_SEQ) {
    return { reason: 'bad-request', message: `seq must be between 1 and 2^64-1, got ${String(record.seq)}` }
  }
  if (record.flags !== 0 && record.flags !== FLAG_DELETED) {
    return { reason: 'bad-request', message: `flags ${record.flags} set reserved bits; only bit 0 (deleted) is defined` }
  }
  if (isDeleted(record) && record.value.byteLength > 0) {
    return { reason: 'bad-request', message: 'a tombstone carries no value' }
  }
  return undefined
}

function sameRecord (a: PublishRecord, b: PublishRecord): boolean {
  return a.seq === b.seq && a.flags === b.flags && bytesEqual(a.publicKey, b.publicKey) &&
    bytesEqual(a.salt, b.salt) && bytesEqual(a.value, b.value) && bytesEqual(a.signature, b.signature)
}

function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}

/** A fresh ArrayBuffer-backed copy, detached from the caller's buffer. */
function copy (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(bytes)
}
