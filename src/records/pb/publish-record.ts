import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PublishRecord {
  publicKey: Uint8Array<ArrayBuffer>
  salt: Uint8Array<ArrayBuffer>
  seq: bigint
  flags: number
  value: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace PublishRecord {
  let _codec: Codec<PublishRecord>

  export const codec = (): Codec<PublishRecord> => {
    if (_codec == null) {
      _codec = message<PublishRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.publicKey)
        }

        if ((obj.salt != null && obj.salt.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.salt)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if ((obj.flags != null && obj.flags !== 0)) {
          w.uint32(32)
          w.uint32(obj.flags)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.value)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          publicKey: uint8ArrayAlloc(0),
          salt: uint8ArrayAlloc(0),
          seq: 0n,
          flags: 0,
          value: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.publicKey = reader.bytes()
              break
            }
            case 2: {
              obj.salt = reader.bytes()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              obj.flags = reader.uint32()
              break
            }
            case 5: {
              obj.value = reader.bytes()
              break
            }
            case 6: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.salt`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.flags`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.value`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PublishRecordPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublishRecordSaltFieldEvent {
    field: '$.salt'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublishRecordSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface PublishRecordFlagsFieldEvent {
    field: '$.flags'
    value: number
  }

  export interface PublishRecordValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublishRecordSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PublishRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PublishRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PublishRecord>): PublishRecord {
    return decodeMessage(buf, PublishRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PublishRecord>): Generator<PublishRecordPublicKeyFieldEvent | PublishRecordSaltFieldEvent | PublishRecordSeqFieldEvent | PublishRecordFlagsFieldEvent | PublishRecordValueFieldEvent | PublishRecordSignatureFieldEvent> {
    return streamMessage(buf, PublishRecord.codec(), opts)
  }
}
