/**
 * What publish and del share: the key file, the salt, picking the next seq,
 * and signing here, on the client, before the record goes to the daemon. The
 * daemon only ever sees the signed record, never the private key.
 */
import { MAX_SALT_BYTES, MAX_SEQ } from '../constants.ts'
import { InvalidInputError, ToyrrentError, TooLargeError } from '../errors.ts'
import { isFinal } from '../refusals.ts'
import { nextSeq, parseSeq } from '../records/seq.ts'
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
    // the key and record code (libp2p crypto) is loaded only by the commands that sign
    const { readKeyFile } = await import('../key-file.ts')
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
    cas: typeof values.cas === 'string' ? seqFlag(values.cas, '--cas', 0n, MAX_SEQ - 1n) : undefined,
    seq: typeof values.seq === 'string' ? seqFlag(values.seq, '--seq', 1n, MAX_SEQ) : undefined
  }
}

/**
 * Sign the record here and send it. The seq is `--seq`, else `--cas` + 1, else
 * one more than the newest the network holds (a tombstone's included; 1 when
 * nothing is published).
 */
export async function signAndPublish (client: ToyrrentClient, request: SigningRequest, values: OptionValues): Promise<PublishResponse> {
  const { cas, seq: explicit } = seqFlags(values)
  const { createPublishRecord, encodePublishRecord, publishId } = await import('../records/publish-record.ts')
  const id = toHex(publishId(request.privateKey.publicKey.raw, request.salt))
  const seq = explicit ?? (cas != null ? cas + 1n : await nextSeq(async () => BigInt((await client.resolve(id)).seq)))
  const record = await createPublishRecord({ ...request, seq })
  try {
    return await client.publishRecord(encodePublishRecord(record), { expectedSeq: cas })
  } catch (err) {
    // a refusal of the record itself (final: another node would refuse it too):
    // the message leads with the reason so scripts can match it
    if (err instanceof ApiError && isFinal(err.code)) {
      throw new ToyrrentError(`refused: ${err.code} (seq ${seq}${cas == null ? '' : `, --cas ${cas}`}): ${err.message}`)
    }
    throw err
  }
}

/** `--seq` at the largest seq there is: allowed, but nothing can ever replace or delete that record. */
export function finalSeqWarning (values: OptionValues): string | undefined {
  if (seqFlags(values).seq !== MAX_SEQ) return undefined
  return `toyrrent: warning: --seq ${MAX_SEQ} is the largest seq there is: once published, this id can never be updated or deleted again\n`
}

/** The reply of publish/del: `ID SEQ`, or with --json `{ id, seq, stored }` (seq a decimal string, as in resolve --json). */
export function publishedText (result: PublishResponse, json: boolean): string {
  return json ? `${JSON.stringify({ id: result.id, seq: result.seq, stored: result.stored })}\n` : `${result.id} ${result.seq}\n`
}

/** A seq flag; out of range is a usage error (exit 2). */
function seqFlag (text: string, flag: string, min: bigint, max: bigint): bigint {
  try {
    return parseSeq(text, flag, min, max)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}
