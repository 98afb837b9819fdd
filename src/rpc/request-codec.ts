/**
 * Request frames as the server reads them: decoded, or recognised as a
 * well-formed request of a type this build does not know (answered
 * UNKNOWN_TYPE with its type number echoed), or a protocol violation.
 */
import { Frame, Status } from './pb/rpc.ts'
import { ProtocolError } from '../errors.ts'

/** A well-formed request of a type this build does not know: its id and type number as sent. */
export interface UnknownRequest {
  id: bigint
  type: bigint
}

export function isUnknown (request: Frame | UnknownRequest): request is UnknownRequest {
  return typeof request.type === 'bigint'
}

/**
 * Decode a request frame; anything that is not one is a protocol violation.
 * A well-formed frame whose only fault is a request type we do not know
 * returns its id and type, to be answered UNKNOWN_TYPE.
 */
export function decodeRequest (bytes: Uint8Array): Frame | UnknownRequest {
  let request: Frame
  try {
    request = Frame.decode(bytes)
  } catch (err: any) {
    const unknown = unknownType(bytes)
    if (unknown != null) return unknown
    throw new ProtocolError(`not a frame: ${err.message}`)
  }
  if (request.response) throw new ProtocolError('response frame on a server stream')
  return request
}

/** Wire numbers of the request types this build knows, read off the generated codec so new types need no edit here. */
const KNOWN_TYPES = new Set(Object.values(Frame.Type).filter(t => typeof t === 'string').map(t => {
  const bytes = Frame.encode({ type: t as Frame.Type })
  return bytes.length === 0 ? 0 : bytes[1]
}))

/** Id and type of a frame that is well-formed protobuf at the top level, not a response, with an unknown type number; else undefined. */
function unknownType (bytes: Uint8Array): UnknownRequest | undefined {
  let pos = 0
  let id = 0n
  let type: bigint | undefined
  const varint = (): bigint => {
    let value = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) throw new RangeError('truncated')
      const b = bytes[pos++]
      value |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return value
    }
    throw new RangeError('varint too long')
  }
  try {
    while (pos < bytes.length) {
      const tag = varint()
      const field = Number(tag >> 3n)
      const wire = Number(tag & 7n)
      if (wire === 0) {
        const value = varint()
        if (field === 1) id = value
        if (field === 2) type = value
        if (field === 3 && value !== 0n) return undefined
      } else if (wire === 2) {
        const length = Number(varint())
        if (pos + length > bytes.length) return undefined
        pos += length
      } else if (wire === 1 || wire === 5) {
        pos += wire === 1 ? 8 : 4
        if (pos > bytes.length) return undefined
      } else {
        return undefined
      }
    }
  } catch {
    return undefined
  }
  return type != null && !KNOWN_TYPES.has(Number(type)) ? { id, type } : undefined
}

/** Frame.type is field 2, wire type 0 (varint): tag (2 << 3) | 0. */
const FRAME_TYPE_TAG = 0x10

/**
 * The UNKNOWN_TYPE answer to a request of a type this build does not know.
 * It must carry the type number the client sent, which the generated codec
 * cannot encode (it only knows the enum's names): encode the rest with no
 * type, then put field 2 in by hand, after the id (field 1) so the fields stay
 * in number order as other encoders write them.
 */
export function encodeUnknownTypeAnswer (id: bigint, type: bigint): Uint8Array {
  const rest = Frame.encode({ id, response: true, status: Status.UNKNOWN_TYPE, message: `unknown request type ${type}` })
  // Frame.encode writes fields in number order; the id (tag 0x08, then a varint) comes first unless it is 0
  let at = 0
  if (rest[0] === 0x08) {
    at = 1
    while ((rest[at] & 0x80) !== 0) at++
    at++
  }
  const field = [FRAME_TYPE_TAG, ...varint(type)]
  const out = new Uint8Array(rest.byteLength + field.length)
  out.set(rest.subarray(0, at))
  out.set(field, at)
  out.set(rest.subarray(at), at + field.length)
  return out
}

/** Unsigned LEB128, as protobuf writes a uint64 varint. */
function varint (value: bigint): number[] {
  const out: number[] = []
  while (value >= 0x80n) {
    out.push(Number(value & 0x7fn) | 0x80)
    value >>= 7n
  }
  out.push(Number(value))
  return out
}
