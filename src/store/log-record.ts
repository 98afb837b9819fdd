/**
 * One record of the value log (value-log.ts): a 40-byte header, then the
 * body. The header holds the body's length, the item key and a CRC-32 of
 * both and the body, so a record torn by a crash (a body written in part)
 * or garbled on disk is told apart from a good one, and a pointer that
 * leads to another item's record is caught too.
 *
 *   0..4    body length, uint32 little-endian
 *   4..36   item key (32 bytes)
 *   36..40  CRC-32 (zlib's) of bytes 0..36 and then the body
 */
import { crc32 } from 'node:zlib'
import { MAX_FRAME_BYTES } from '../constants.ts'
import { ToyrrentError } from '../errors.ts'

export const RECORD_KEY_BYTES = 32
export const RECORD_HEADER_BYTES = 4 + RECORD_KEY_BYTES + 4
/**
 * The largest body a record holds: an item's body travels in one frame, so
 * none is larger. A length above it, read from disk, is corruption, and
 * nothing of that size is allocated.
 */
export const MAX_RECORD_BODY_BYTES = MAX_FRAME_BYTES

/** A body the value log cannot give back: its segment is gone, or its record is not what the pointer says. */
export class ValueLogError extends ToyrrentError {
  static override name = 'ValueLogError'
  override name = 'ValueLogError'
  /** 'missing-segment' | 'corrupt' */
  readonly reason: 'missing-segment' | 'corrupt'

  constructor (reason: 'missing-segment' | 'corrupt', message: string) {
    super(message)
    this.reason = reason
  }
}

/** The header of `body` stored under `key`. */
export function recordHeader (key: Uint8Array, body: Uint8Array): Uint8Array {
  if (key.byteLength !== RECORD_KEY_BYTES) throw new RangeError(`value log keys are ${RECORD_KEY_BYTES} bytes; got ${key.byteLength}`)
  if (body.byteLength > MAX_RECORD_BODY_BYTES) throw new RangeError(`a value log body is at most ${MAX_RECORD_BODY_BYTES} bytes; got ${body.byteLength}`)
  const header = new Uint8Array(RECORD_HEADER_BYTES)
  const view = new DataView(header.buffer)
  view.setUint32(0, body.byteLength, true)
  header.set(key, 4)
  view.setUint32(36, crc32(body, crc32(header.subarray(0, 36))), true)
  return header
}

/**
 * Checks a record read whole (header and `length` body bytes) against what
 * its pointer says; returns the body (a view of `record`) or throws a
 * ValueLogError naming what is wrong.
 */
export function checkRecord (record: Uint8Array<ArrayBuffer>, key: Uint8Array, length: number, where: string): Uint8Array<ArrayBuffer> {
  if (record.byteLength !== RECORD_HEADER_BYTES + length) throw new ValueLogError('corrupt', `${where}: the record is cut short (torn by a crash?)`)
  const view = new DataView(record.buffer, record.byteOffset, RECORD_HEADER_BYTES)
  const stored = view.getUint32(0, true)
  if (stored !== length) throw new ValueLogError('corrupt', `${where}: the record holds ${stored} bytes, the pointer says ${length}`)
  for (let i = 0; i < RECORD_KEY_BYTES; i++) {
    if (record[4 + i] !== key[i]) throw new ValueLogError('corrupt', `${where}: the record belongs to another item`)
  }
  const body = record.subarray(RECORD_HEADER_BYTES)
  if (crc32(body, crc32(record.subarray(0, 36))) !== view.getUint32(36, true)) {
    throw new ValueLogError('corrupt', `${where}: checksum mismatch (torn or garbled record)`)
  }
  return body
}
