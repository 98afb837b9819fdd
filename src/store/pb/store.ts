import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StoredItem {
  kind: number
  body: Uint8Array<ArrayBuffer>
  expiresAt: bigint
  pinned: boolean
  storedAt: bigint
  seq: bigint
  acceptors: Uint8Array<ArrayBuffer>[]
  bodyAt?: BodyAt
  republishedAt: bigint
}

export namespace StoredItem {
  let _codec: Codec<StoredItem>

  export const codec = (): Codec<StoredItem> => {
    if (_codec == null) {
      _codec = message<StoredItem>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(8)
          w.uint32(obj.kind)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.body)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.expiresAt)
        }

        if ((obj.pinned != null && obj.pinned !== false)) {
          w.uint32(32)
          w.bool(obj.pinned)
        }

        if ((obj.storedAt != null && obj.storedAt !== 0n)) {
          w.uint32(40)
          w.uint64(obj.storedAt)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(48)
          w.uint64(obj.seq)
        }

        if (obj.acceptors != null && obj.acceptors.length > 0) {
          for (const value of obj.acceptors) {
            w.uint32(58)
            w.bytes(value)
          }
        }

        if (obj.bodyAt != null) {
          w.uint32(66)
          BodyAt.codec().encode(obj.bodyAt, w)
        }

        if ((obj.republishedAt != null && obj.republishedAt !== 0n)) {
          w.uint32(72)
          w.uint64(obj.republishedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: 0,
          body: uint8ArrayAlloc(0),
          expiresAt: 0n,
          pinned: false,
          storedAt: 0n,
          seq: 0n,
          acceptors: [],
          republishedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.uint32()
              break
            }
            case 2: {
              obj.body = reader.bytes()
              break
            }
            case 3: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 4: {
              obj.pinned = reader.bool()
              break
            }
            case 5: {
              obj.storedAt = reader.uint64()
              break
            }
            case 6: {
              obj.seq = reader.uint64()
              break
            }
            case 7: {
              if (opts.limits?.acceptors != null && obj.acceptors.length === opts.limits.acceptors) {
                throw new MaxLengthError('Decode error - repeated field "acceptors" had too many elements')
              }

              obj.acceptors.push(reader.bytes())
              break
            }
            case 8: {
              obj.bodyAt = BodyAt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bodyAt
              })
              break
            }
            case 9: {
              obj.republishedAt = reader.uint64()
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
        const obj = {
          acceptors: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.pinned`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.storedAt`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              if (opts.limits?.acceptors != null && obj.acceptors === opts.limits.acceptors) {
                throw new MaxLengthError('Streaming decode error - repeated field "acceptors" had too many elements')
              }

              yield {
                field: `${prefix}.acceptors[]`,
                index: obj.acceptors,
                value: reader.bytes()
              }

              obj.acceptors++

              break
            }
            case 8: {
              yield * BodyAt.codec().stream(reader, reader.uint32(), `${prefix}.bodyAt`, {
                limits: opts.limits?.bodyAt
              })

              break
            }
            case 9: {
              yield {
                field: `${prefix}.republishedAt`,
                value: reader.uint64()
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

  export interface StoredItemKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface StoredItemBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredItemExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface StoredItemPinnedFieldEvent {
    field: '$.pinned'
    value: boolean
  }

  export interface StoredItemStoredAtFieldEvent {
    field: '$.storedAt'
    value: bigint
  }

  export interface StoredItemSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface StoredItemAcceptorsFieldEvent {
    field: '$.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredItemBodyAtSegmentFieldEvent {
    field: '$.bodyAt.segment'
    value: number
  }

  export interface StoredItemBodyAtOffsetFieldEvent {
    field: '$.bodyAt.offset'
    value: number
  }

  export interface StoredItemBodyAtLengthFieldEvent {
    field: '$.bodyAt.length'
    value: number
  }

  export interface StoredItemRepublishedAtFieldEvent {
    field: '$.republishedAt'
    value: bigint
  }

  export function encode (obj: Partial<StoredItem>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredItem.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredItem>): StoredItem {
    return decodeMessage(buf, StoredItem.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredItem>): Generator<StoredItemKindFieldEvent | StoredItemBodyFieldEvent | StoredItemExpiresAtFieldEvent | StoredItemPinnedFieldEvent | StoredItemStoredAtFieldEvent | StoredItemSeqFieldEvent | StoredItemAcceptorsFieldEvent | StoredItemBodyAtSegmentFieldEvent | StoredItemBodyAtOffsetFieldEvent | StoredItemBodyAtLengthFieldEvent | StoredItemRepublishedAtFieldEvent> {
    return streamMessage(buf, StoredItem.codec(), opts)
  }
}

export interface BodyAt {
  segment: number
  offset: number
  length: number
}

export namespace BodyAt {
  let _codec: Codec<BodyAt>

  export const codec = (): Codec<BodyAt> => {
    if (_codec == null) {
      _codec = message<BodyAt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.segment != null && obj.segment !== 0)) {
          w.uint32(8)
          w.uint32(obj.segment)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(16)
          w.uint32(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(24)
          w.uint32(obj.length)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          segment: 0,
          offset: 0,
          length: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.segment = reader.uint32()
              break
            }
            case 2: {
              obj.offset = reader.uint32()
              break
            }
            case 3: {
              obj.length = reader.uint32()
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
                field: `${prefix}.segment`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
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

  export interface BodyAtSegmentFieldEvent {
    field: '$.segment'
    value: number
  }

  export interface BodyAtOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface BodyAtLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export function encode (obj: Partial<BodyAt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BodyAt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BodyAt>): BodyAt {
    return decodeMessage(buf, BodyAt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BodyAt>): Generator<BodyAtSegmentFieldEvent | BodyAtOffsetFieldEvent | BodyAtLengthFieldEvent> {
    return streamMessage(buf, BodyAt.codec(), opts)
  }
}
