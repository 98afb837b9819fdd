/**
 * What publish and del share: the key file, the salt, picking the next seq,
 * and signing here, on the client, before the record goes to the daemon. The
 * daemon only ever sees the signed record, never the private key.
 */
import { MAX_SALT_BYTES } from '../constants.ts'
import { InvalidInputError, ToyrrentError, TooLargeError } from '../errors.ts'
import { readKeyFile } from '../key-file.ts'
import { createPublishRecord, encodePublishRecord, MAX_SEQ, publishId } from '../records/publish-record.ts'
import { toHex } from '../api/types.ts'
import { ApiError } from '../api/client.ts'
import { UsageError } from './args.ts'
import type { OptionValues } from './args.ts'
import type { ToyrrentClient } from '../api/client.ts'
import type { PublishResponse } from '../api/types.ts'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { ParseArgsOptionsConfig } from 'node:util'

/** Options of publish and del. */
export const SIGNING_OPTIONS = {
  key: { type: 'string' },
  salt: { type: 'string' },
  cas: { type: 'string' },
  seq: { type: 'string' }
} satisfies ParseArgsOptionsConfig

/** Refusals of the record itself: the message leads with the reason so scripts can match it. */
const REFUSALS = new Set(['stale-seq', 'cas-mismatch', 'bad-signature', 'id-mismatch', 'bad-request', 'too-large'])

export interface SigningRequest {
  privateKey: Ed25519PrivateKey
  salt: Uint8Array
  value?: Uint8Array
  deleted?: boolean
}

/** Read `--key FILE`; a missing or malformed file is an InvalidInputError naming the file (exit 1). */
export async function loadKey (values: OptionValues): Promise<Ed25519PrivateKey> {
  const path = values.key
  if (typeof path !== 'string') throw new UsageError('--key FILE is required (make one with `toyrrent keygen --out FILE`)')
  try {
    return await readKeyFile(path)
  } catch (err: any) {
    if (err.name === 'InvalidInputError') throw err
    const reason = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message
    throw new InvalidInputError(`cannot read key file ${path}: ${reason}`)
  }
}

/** `--salt TEXT` as UTF-8 bytes, at most 64. */
export function saltOf (values: OptionValues): Uint8Array {
  const salt = new TextEncoder().encode(typeof values.salt === 'string' ? values.salt : '')
  if (salt.byteLength > MAX_SALT_BYTES) {
    throw new TooLargeError(`salt is ${salt.byteLength} bytes; the limit is ${MAX_SALT_BYTES} bytes`)
  }
  return salt
}

/** `--cas SEQ` (0 allowed: only if nothing is published yet) and `--seq SEQ` (at least 1). */
export function seqFlags (values: OptionValues): { cas?: bigint, seq?: bigint } {
  return {
    cas: typeof values.cas === 'string' ? parseSeq(values.cas, '--cas', 0n, MAX_SEQ - 1n) : undefined,
    seq: typeof values.seq === 'string' ? parseSeq(values.seq, '--seq', 1n, MAX_SEQ) : undefined
  }
}

/**
 * Sign the record here and send it. The seq is `--seq`, else `--cas` + 1, else
 * one more than the newest the network holds (a tombstone's included; 1 when
 * nothing is published).
 */
export async function signAndPublish (client: ToyrrentClient, request: SigningRequest, values: OptionValues): Promise<PublishResponse> {
  const { cas, seq: explicit } = seqFlags(values)
  const id = toHex(publishId(request.privateKey.publicKey.raw, request.salt))
  const seq = explicit ?? (cas != null ? cas + 1n : await nextSeq(client, id))
  const record = await createPublishRecord({ ...request, seq })
  try {
    return await client.publishRecord(encodePublishRecord(record), { expectedSeq: cas })
  } catch (err) {
    if (err instanceof ApiError && REFUSALS.has(err.code)) {
      throw new ToyrrentError(`refused: ${err.code} (seq ${seq}${cas == null ? '' : `, --cas ${cas}`}): ${err.message}`)
    }
    throw err
  }
}

async function nextSeq (client: ToyrrentClient, id: string): Promise<bigint> {
  try {
    return BigInt((await client.resolve(id)).seq) + 1n
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not-found') return 1n
    throw err
  }
}

function parseSeq (text: string, flag: string, min: bigint, max: bigint): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) < min || BigInt(text) > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`)
  }
  return BigInt(text)
}
