/**
 * Publish records as JSON and back. The JSON carries every signed field, so a
 * client can rebuild the record and check the signature itself instead of
 * trusting the daemon (the CLI does).
 */
import { FLAG_DELETED } from '../records/publish-record.ts'
import { InvalidInputError } from '../errors.ts'
import { toHex } from './types.ts'
import type { PublishRecord } from '../records/publish-record.ts'
import type { RecordJson } from './types.ts'

export function recordToJson (id: Uint8Array, record: PublishRecord): RecordJson {
  return {
    id: toHex(id),
    seq: record.seq.toString(),
    value: Buffer.from(record.value).toString('base64'),
    deleted: (record.flags & FLAG_DELETED) !== 0,
    publicKey: toHex(record.publicKey),
    salt: toHex(record.salt),
    signature: toHex(record.signature)
  }
}

/** Rebuild the record a RecordJson describes; throws InvalidInputError when a field is malformed. */
export function recordFromJson (json: RecordJson): PublishRecord {
  const hex = (name: 'publicKey' | 'salt' | 'signature'): Uint8Array<ArrayBuffer> => {
    const text = json[name]
    if (typeof text !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(text)) throw new InvalidInputError(`record field "${name}" is not hex`)
    return Uint8Array.from(Buffer.from(text, 'hex'))
  }
  if (typeof json.seq !== 'string' || !/^\d{1,20}$/.test(json.seq)) throw new InvalidInputError('record field "seq" is not a decimal string')
  if (typeof json.value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(json.value)) throw new InvalidInputError('record field "value" is not base64')
  return {
    publicKey: hex('publicKey'),
    salt: hex('salt'),
    seq: BigInt(json.seq),
    flags: json.deleted === true ? FLAG_DELETED : 0,
    value: Uint8Array.from(Buffer.from(json.value, 'base64')),
    signature: hex('signature')
  }
}
