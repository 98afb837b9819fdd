import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PeerInfo {
  id: Uint8Array<ArrayBuffer>
  addrs: Uint8Array<ArrayBuffer>[]
}

export namespace PeerInfo {
  let _codec: Codec<PeerInfo>

  export const codec = (): Codec<PeerInfo> => {
    if (_codec == null) {
      _codec = message<PeerInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
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
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

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

  export interface PeerInfoIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PeerInfoAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PeerInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerInfo>): PeerInfo {
    return decodeMessage(buf, PeerInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerInfo>): Generator<PeerInfoIdFieldEvent | PeerInfoAddrsFieldEvent> {
    return streamMessage(buf, PeerInfo.codec(), opts)
  }
}

export enum ItemKind {
  HASH = 'HASH',
  PUBLISH = 'PUBLISH'
}

enum __ItemKindValues {
  HASH = 0,
  PUBLISH = 1
}

export namespace ItemKind {
  export const codec = (): Codec<ItemKind> => {
    return enumeration<ItemKind>(__ItemKindValues)
  }
}

export interface Item {
  kind: ItemKind
  key: Uint8Array<ArrayBuffer>
  body: Uint8Array<ArrayBuffer>
}

export namespace Item {
  let _codec: Codec<Item>

  export const codec = (): Codec<Item> => {
    if (_codec == null) {
      _codec = message<Item>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __ItemKindValues[obj.kind] !== 0) {
          w.uint32(8)
          ItemKind.codec().encode(obj.kind, w)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.key)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.body)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: ItemKind.HASH,
          key: uint8ArrayAlloc(0),
          body: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = ItemKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.key = reader.bytes()
              break
            }
            case 3: {
              obj.body = reader.bytes()
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
                field: `${prefix}.kind`,
                value: ItemKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.body`,
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

  export interface ItemKindFieldEvent {
    field: '$.kind'
    value: ItemKind
  }

  export interface ItemKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ItemBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Item>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Item.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Item {
    return decodeMessage(buf, Item.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Generator<ItemKindFieldEvent | ItemKeyFieldEvent | ItemBodyFieldEvent> {
    return streamMessage(buf, Item.codec(), opts)
  }
}

export enum Status {
  OK = 'OK',
  NOT_FOUND = 'NOT_FOUND',
  BAD_REQUEST = 'BAD_REQUEST',
  TOO_LARGE = 'TOO_LARGE',
  HASH_MISMATCH = 'HASH_MISMATCH',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
  ID_MISMATCH = 'ID_MISMATCH',
  STALE_SEQ = 'STALE_SEQ',
  CAS_MISMATCH = 'CAS_MISMATCH',
  FULL = 'FULL',
  BUSY = 'BUSY',
  UNKNOWN_TYPE = 'UNKNOWN_TYPE',
  ERROR = 'ERROR'
}

enum __StatusValues {
  OK = 0,
  NOT_FOUND = 1,
  BAD_REQUEST = 2,
  TOO_LARGE = 3,
  HASH_MISMATCH = 4,
  BAD_SIGNATURE = 5,
  ID_MISMATCH = 6,
  STALE_SEQ = 7,
  CAS_MISMATCH = 8,
  FULL = 9,
  BUSY = 10,
  UNKNOWN_TYPE = 11,
  ERROR = 12
}

export namespace Status {
  export const codec = (): Codec<Status> => {
    return enumeration<Status>(__StatusValues)
  }
}

export interface FindBeforeNRequest {
  target: Uint8Array<ArrayBuffer>
  n: number
}

export namespace FindBeforeNRequest {
  let _codec: Codec<FindBeforeNRequest>

  export const codec = (): Codec<FindBeforeNRequest> => {
    if (_codec == null) {
      _codec = message<FindBeforeNRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.target != null && obj.target.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.target)
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(16)
          w.uint32(obj.n)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          target: uint8ArrayAlloc(0),
          n: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.target = reader.bytes()
              break
            }
            case 2: {
              obj.n = reader.uint32()
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
                field: `${prefix}.target`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.n`,
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

  export interface FindBeforeNRequestTargetFieldEvent {
    field: '$.target'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FindBeforeNRequestNFieldEvent {
    field: '$.n'
    value: number
  }

  export function encode (obj: Partial<FindBeforeNRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FindBeforeNRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNRequest>): FindBeforeNRequest {
    return decodeMessage(buf, FindBeforeNRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNRequest>): Generator<FindBeforeNRequestTargetFieldEvent | FindBeforeNRequestNFieldEvent> {
    return streamMessage(buf, FindBeforeNRequest.codec(), opts)
  }
}

export interface FindBeforeNResponse {
  peers: PeerInfo[]
  holds: boolean
}

export namespace FindBeforeNResponse {
  let _codec: Codec<FindBeforeNResponse>

  export const codec = (): Codec<FindBeforeNResponse> => {
    if (_codec == null) {
      _codec = message<FindBeforeNResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.peers != null && obj.peers.length > 0) {
          for (const value of obj.peers) {
            w.uint32(10)
            PeerInfo.codec().encode(value, w)
          }
        }

        if ((obj.holds != null && obj.holds !== false)) {
          w.uint32(16)
          w.bool(obj.holds)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peers: [],
          holds: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              obj.peers.push(PeerInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peers$
              }))
              break
            }
            case 2: {
              obj.holds = reader.bool()
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
          peers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers === opts.limits.peers) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              for (const evt of PeerInfo.codec().stream(reader, reader.uint32(), `${prefix}.peers[]`, {
                limits: opts.limits?.peers$
              })) {
                yield {
                  ...evt,
                  index: obj.peers
                }
              }

              obj.peers++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.holds`,
                value: reader.bool()
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

  export interface FindBeforeNResponsePeersIdFieldEvent {
    field: '$.peers[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FindBeforeNResponsePeersAddrsFieldEvent {
    field: '$.peers[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FindBeforeNResponseHoldsFieldEvent {
    field: '$.holds'
    value: boolean
  }

  export function encode (obj: Partial<FindBeforeNResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FindBeforeNResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNResponse>): FindBeforeNResponse {
    return decodeMessage(buf, FindBeforeNResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNResponse>): Generator<FindBeforeNResponsePeersIdFieldEvent | FindBeforeNResponsePeersAddrsFieldEvent | FindBeforeNResponseHoldsFieldEvent> {
    return streamMessage(buf, FindBeforeNResponse.codec(), opts)
  }
}

export interface StoreRequest {
  item?: Item
  expectedSeq?: bigint
  ttlSeconds?: number
}

export namespace StoreRequest {
  let _codec: Codec<StoreRequest>

  export const codec = (): Codec<StoreRequest> => {
    if (_codec == null) {
      _codec = message<StoreRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.item != null) {
          w.uint32(10)
          Item.codec().encode(obj.item, w)
        }

        if (obj.expectedSeq != null) {
          w.uint32(16)
          w.uint64(obj.expectedSeq)
        }

        if (obj.ttlSeconds != null) {
          w.uint32(24)
          w.uint32(obj.ttlSeconds)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.item = Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.item
              })
              break
            }
            case 2: {
              obj.expectedSeq = reader.uint64()
              break
            }
            case 3: {
              obj.ttlSeconds = reader.uint32()
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
              yield * Item.codec().stream(reader, reader.uint32(), `${prefix}.item`, {
                limits: opts.limits?.item
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.expectedSeq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ttlSeconds`,
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

  export interface StoreRequestItemKindFieldEvent {
    field: '$.item.kind'
    value: ItemKind
  }

  export interface StoreRequestItemKeyFieldEvent {
    field: '$.item.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoreRequestItemBodyFieldEvent {
    field: '$.item.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoreRequestExpectedSeqFieldEvent {
    field: '$.expectedSeq'
    value: bigint
  }

  export interface StoreRequestTtlSecondsFieldEvent {
    field: '$.ttlSeconds'
    value: number
  }

  export function encode (obj: Partial<StoreRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): StoreRequest {
    return decodeMessage(buf, StoreRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): Generator<StoreRequestItemKindFieldEvent | StoreRequestItemKeyFieldEvent | StoreRequestItemBodyFieldEvent | StoreRequestExpectedSeqFieldEvent | StoreRequestTtlSecondsFieldEvent> {
    return streamMessage(buf, StoreRequest.codec(), opts)
  }
}

export interface StoreResponse {
  storedSeq: bigint
}

export namespace StoreResponse {
  let _codec: Codec<StoreResponse>

  export const codec = (): Codec<StoreResponse> => {
    if (_codec == null) {
      _codec = message<StoreResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storedSeq != null && obj.storedSeq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.storedSeq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storedSeq: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.storedSeq = reader.uint64()
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
                field: `${prefix}.storedSeq`,
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

  export interface StoreResponseStoredSeqFieldEvent {
    field: '$.storedSeq'
    value: bigint
  }

  export function encode (obj: Partial<StoreResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): StoreResponse {
    return decodeMessage(buf, StoreResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): Generator<StoreResponseStoredSeqFieldEvent> {
    return streamMessage(buf, StoreResponse.codec(), opts)
  }
}

export interface FetchRequest {
  key: Uint8Array<ArrayBuffer>
  withCloser: boolean
}

export namespace FetchRequest {
  let _codec: Codec<FetchRequest>

  export const codec = (): Codec<FetchRequest> => {
    if (_codec == null) {
      _codec = message<FetchRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if ((obj.withCloser != null && obj.withCloser !== false)) {
          w.uint32(16)
          w.bool(obj.withCloser)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          withCloser: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.bytes()
              break
            }
            case 2: {
              obj.withCloser = reader.bool()
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
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.withCloser`,
                value: reader.bool()
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

  export interface FetchRequestKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchRequestWithCloserFieldEvent {
    field: '$.withCloser'
    value: boolean
  }

  export function encode (obj: Partial<FetchRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): FetchRequest {
    return decodeMessage(buf, FetchRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): Generator<FetchRequestKeyFieldEvent | FetchRequestWithCloserFieldEvent> {
    return streamMessage(buf, FetchRequest.codec(), opts)
  }
}

export interface FetchResponse {
  item?: Item
  closer: PeerInfo[]
}

export namespace FetchResponse {
  let _codec: Codec<FetchResponse>

  export const codec = (): Codec<FetchResponse> => {
    if (_codec == null) {
      _codec = message<FetchResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.item != null) {
          w.uint32(10)
          Item.codec().encode(obj.item, w)
        }

        if (obj.closer != null && obj.closer.length > 0) {
          for (const value of obj.closer) {
            w.uint32(18)
            PeerInfo.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          closer: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.item = Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.item
              })
              break
            }
            case 2: {
              if (opts.limits?.closer != null && obj.closer.length === opts.limits.closer) {
                throw new MaxLengthError('Decode error - repeated field "closer" had too many elements')
              }

              obj.closer.push(PeerInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.closer$
              }))
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
          closer: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Item.codec().stream(reader, reader.uint32(), `${prefix}.item`, {
                limits: opts.limits?.item
              })

              break
            }
            case 2: {
              if (opts.limits?.closer != null && obj.closer === opts.limits.closer) {
                throw new MaxLengthError('Streaming decode error - repeated field "closer" had too many elements')
              }

              for (const evt of PeerInfo.codec().stream(reader, reader.uint32(), `${prefix}.closer[]`, {
                limits: opts.limits?.closer$
              })) {
                yield {
                  ...evt,
                  index: obj.closer
                }
              }

              obj.closer++

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

  export interface FetchResponseItemKindFieldEvent {
    field: '$.item.kind'
    value: ItemKind
  }

  export interface FetchResponseItemKeyFieldEvent {
    field: '$.item.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchResponseItemBodyFieldEvent {
    field: '$.item.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchResponseCloserIdFieldEvent {
    field: '$.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FetchResponseCloserAddrsFieldEvent {
    field: '$.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FetchResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchResponse>): FetchResponse {
    return decodeMessage(buf, FetchResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchResponse>): Generator<FetchResponseItemKindFieldEvent | FetchResponseItemKeyFieldEvent | FetchResponseItemBodyFieldEvent | FetchResponseCloserIdFieldEvent | FetchResponseCloserAddrsFieldEvent> {
    return streamMessage(buf, FetchResponse.codec(), opts)
  }
}

export interface Frame {
  id: bigint
  type: Frame.Type
  response: boolean
  status: Status
  message: string
  findBeforeNRequest?: FindBeforeNRequest
  findBeforeNResponse?: FindBeforeNResponse
  storeRequest?: StoreRequest
  storeResponse?: StoreResponse
  fetchRequest?: FetchRequest
  fetchResponse?: FetchResponse
}

export namespace Frame {
  export enum Type {
    UNSPECIFIED = 'UNSPECIFIED',
    FIND_BEFORE_N = 'FIND_BEFORE_N',
    STORE = 'STORE',
    FETCH = 'FETCH'
  }

  enum __TypeValues {
    UNSPECIFIED = 0,
    FIND_BEFORE_N = 1,
    STORE = 2,
    FETCH = 3
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0n)) {
          w.uint32(8)
          w.uint64(obj.id)
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(16)
          Frame.Type.codec().encode(obj.type, w)
        }

        if ((obj.response != null && obj.response !== false)) {
          w.uint32(24)
          w.bool(obj.response)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(32)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(42)
          w.string(obj.message)
        }

        if (obj.findBeforeNRequest != null) {
          w.uint32(82)
          FindBeforeNRequest.codec().encode(obj.findBeforeNRequest, w)
        }

        if (obj.findBeforeNResponse != null) {
          w.uint32(90)
          FindBeforeNResponse.codec().encode(obj.findBeforeNResponse, w)
        }

        if (obj.storeRequest != null) {
          w.uint32(98)
          StoreRequest.codec().encode(obj.storeRequest, w)
        }

        if (obj.storeResponse != null) {
          w.uint32(106)
          StoreResponse.codec().encode(obj.storeResponse, w)
        }

        if (obj.fetchRequest != null) {
          w.uint32(114)
          FetchRequest.codec().encode(obj.fetchRequest, w)
        }

        if (obj.fetchResponse != null) {
          w.uint32(122)
          FetchResponse.codec().encode(obj.fetchResponse, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0n,
          type: Type.UNSPECIFIED,
          response: false,
          status: Status.OK,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint64()
              break
            }
            case 2: {
              obj.type = Frame.Type.codec().decode(reader)
              break
            }
            case 3: {
              obj.response = reader.bool()
              break
            }
            case 4: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 5: {
              obj.message = reader.string()
              break
            }
            case 10: {
              obj.findBeforeNRequest = FindBeforeNRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.findBeforeNRequest
              })
              break
            }
            case 11: {
              obj.findBeforeNResponse = FindBeforeNResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.findBeforeNResponse
              })
              break
            }
            case 12: {
              obj.storeRequest = StoreRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.storeRequest
              })
              break
            }
            case 13: {
              obj.storeResponse = StoreResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.storeResponse
              })
              break
            }
            case 14: {
              obj.fetchRequest = FetchRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetchRequest
              })
              break
            }
            case 15: {
              obj.fetchResponse = FetchResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetchResponse
              })
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
                field: `${prefix}.id`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: Frame.Type.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.response`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield * FindBeforeNRequest.codec().stream(reader, reader.uint32(), `${prefix}.findBeforeNRequest`, {
                limits: opts.limits?.findBeforeNRequest
              })

              break
            }
            case 11: {
              yield * FindBeforeNResponse.codec().stream(reader, reader.uint32(), `${prefix}.findBeforeNResponse`, {
                limits: opts.limits?.findBeforeNResponse
              })

              break
            }
            case 12: {
              yield * StoreRequest.codec().stream(reader, reader.uint32(), `${prefix}.storeRequest`, {
                limits: opts.limits?.storeRequest
              })

              break
            }
            case 13: {
              yield * StoreResponse.codec().stream(reader, reader.uint32(), `${prefix}.storeResponse`, {
                limits: opts.limits?.storeResponse
              })

              break
            }
            case 14: {
              yield * FetchRequest.codec().stream(reader, reader.uint32(), `${prefix}.fetchRequest`, {
                limits: opts.limits?.fetchRequest
              })

              break
            }
            case 15: {
              yield * FetchResponse.codec().stream(reader, reader.uint32(), `${prefix}.fetchResponse`, {
                limits: opts.limits?.fetchResponse
              })

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

  export interface FrameIdFieldEvent {
    field: '$.id'
    value: bigint
  }

  export interface FrameTypeFieldEvent {
    field: '$.type'
    value: Frame.Type
  }

  export interface FrameResponseFieldEvent {
    field: '$.response'
    value: boolean
  }

  export interface FrameStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface FrameMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface FrameFindBeforeNRequestTargetFieldEvent {
    field: '$.findBeforeNRequest.target'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFindBeforeNRequestNFieldEvent {
    field: '$.findBeforeNRequest.n'
    value: number
  }

  export interface FrameFindBeforeNResponsePeersIdFieldEvent {
    field: '$.findBeforeNResponse.peers[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameFindBeforeNResponsePeersAddrsFieldEvent {
    field: '$.findBeforeNResponse.peers[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFindBeforeNResponseHoldsFieldEvent {
    field: '$.findBeforeNResponse.holds'
    value: boolean
  }

  export interface FrameStoreRequestItemKindFieldEvent {
    field: '$.storeRequest.item.kind'
    value: ItemKind
  }

  export interface FrameStoreRequestItemKeyFieldEvent {
    field: '$.storeRequest.item.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStoreRequestItemBodyFieldEvent {
    field: '$.storeRequest.item.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStoreRequestExpectedSeqFieldEvent {
    field: '$.storeRequest.expectedSeq'
    value: bigint
  }

  export interface FrameStoreRequestTtlSecondsFieldEvent {
    field: '$.storeRequest.ttlSeconds'
    value: number
  }

  export interface FrameStoreResponseStoredSeqFieldEvent {
    field: '$.storeResponse.storedSeq'
    value: bigint
  }

  export interface FrameFetchRequestKeyFieldEvent {
    field: '$.fetchRequest.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchRequestWithCloserFieldEvent {
    field: '$.fetchRequest.withCloser'
    value: boolean
  }

  export interface FrameFetchResponseItemKindFieldEvent {
    field: '$.fetchResponse.item.kind'
    value: ItemKind
  }

  export interface FrameFetchResponseItemKeyFieldEvent {
    field: '$.fetchResponse.item.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchResponseItemBodyFieldEvent {
    field: '$.fetchResponse.item.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchResponseCloserIdFieldEvent {
    field: '$.fetchResponse.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameFetchResponseCloserAddrsFieldEvent {
    field: '$.fetchResponse.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameIdFieldEvent | FrameTypeFieldEvent | FrameResponseFieldEvent | FrameStatusFieldEvent | FrameMessageFieldEvent | FrameFindBeforeNRequestTargetFieldEvent | FrameFindBeforeNRequestNFieldEvent | FrameFindBeforeNResponsePeersIdFieldEvent | FrameFindBeforeNResponsePeersAddrsFieldEvent | FrameFindBeforeNResponseHoldsFieldEvent | FrameStoreRequestItemKindFieldEvent | FrameStoreRequestItemKeyFieldEvent | FrameStoreRequestItemBodyFieldEvent | FrameStoreRequestExpectedSeqFieldEvent | FrameStoreRequestTtlSecondsFieldEvent | FrameStoreResponseStoredSeqFieldEvent | FrameFetchRequestKeyFieldEvent | FrameFetchRequestWithCloserFieldEvent | FrameFetchResponseItemKindFieldEvent | FrameFetchResponseItemKeyFieldEvent | FrameFetchResponseItemBodyFieldEvent | FrameFetchResponseCloserIdFieldEvent | FrameFetchResponseCloserAddrsFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}
