/* eslint-disable require-yield */

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
  PUBLISH = 'PUBLISH',
  ROUTING = 'ROUTING'
}

enum __ItemKindValues {
  HASH = 0,
  PUBLISH = 1,
  ROUTING = 2
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
  ttlSeconds: number
  acceptors: Uint8Array<ArrayBuffer>[]
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

        if ((obj.ttlSeconds != null && obj.ttlSeconds !== 0)) {
          w.uint32(32)
          w.uint32(obj.ttlSeconds)
        }

        if (obj.acceptors != null && obj.acceptors.length > 0) {
          for (const value of obj.acceptors) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: ItemKind.HASH,
          key: uint8ArrayAlloc(0),
          body: uint8ArrayAlloc(0),
          ttlSeconds: 0,
          acceptors: []
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
            case 4: {
              obj.ttlSeconds = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.acceptors != null && obj.acceptors.length === opts.limits.acceptors) {
                throw new MaxLengthError('Decode error - repeated field "acceptors" had too many elements')
              }

              if (obj.acceptors.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "acceptors" had too many elements')
              }

              obj.acceptors.push(reader.bytes())
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
          acceptors: 16
        }

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
            case 4: {
              yield {
                field: `${prefix}.ttlSeconds`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.acceptors != null && obj.acceptors === opts.limits.acceptors) {
                throw new MaxLengthError('Streaming decode error - repeated field "acceptors" had too many elements')
              }

              if (obj.acceptors === 16) {
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

  export interface ItemTtlSecondsFieldEvent {
    field: '$.ttlSeconds'
    value: number
  }

  export interface ItemAcceptorsFieldEvent {
    field: '$.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Item>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Item.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Item {
    return decodeMessage(buf, Item.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Generator<ItemKindFieldEvent | ItemKeyFieldEvent | ItemBodyFieldEvent | ItemTtlSecondsFieldEvent | ItemAcceptorsFieldEvent> {
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
  ERROR = 'ERROR',
  INVALID_RECORD = 'INVALID_RECORD',
  UNKNOWN_NAMESPACE = 'UNKNOWN_NAMESPACE'
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
  ERROR = 12,
  INVALID_RECORD = 13,
  UNKNOWN_NAMESPACE = 14
}

export namespace Status {
  export const codec = (): Codec<Status> => {
    return enumeration<Status>(__StatusValues)
  }
}

export interface FindBeforeNRequest {
  target: Uint8Array<ArrayBuffer>
  n: number
  route?: number
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

        if (obj.route != null) {
          w.uint32(80)
          w.uint32(obj.route)
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
            case 10: {
              obj.route = reader.uint32()
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
            case 10: {
              yield {
                field: `${prefix}.route`,
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

  export interface FindBeforeNRequestRouteFieldEvent {
    field: '$.route'
    value: number
  }

  export function encode (obj: Partial<FindBeforeNRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FindBeforeNRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNRequest>): FindBeforeNRequest {
    return decodeMessage(buf, FindBeforeNRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNRequest>): Generator<FindBeforeNRequestTargetFieldEvent | FindBeforeNRequestNFieldEvent | FindBeforeNRequestRouteFieldEvent> {
    return streamMessage(buf, FindBeforeNRequest.codec(), opts)
  }
}

export interface FindBeforeNResponse {
  peers: PeerInfo[]
  holds: boolean
  routed?: number
  exhaustive?: boolean
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

        if (obj.routed != null) {
          w.uint32(80)
          w.uint32(obj.routed)
        }

        if (obj.exhaustive != null) {
          w.uint32(88)
          w.bool(obj.exhaustive)
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
            case 10: {
              obj.routed = reader.uint32()
              break
            }
            case 11: {
              obj.exhaustive = reader.bool()
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
            case 10: {
              yield {
                field: `${prefix}.routed`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.exhaustive`,
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

  export interface FindBeforeNResponseRoutedFieldEvent {
    field: '$.routed'
    value: number
  }

  export interface FindBeforeNResponseExhaustiveFieldEvent {
    field: '$.exhaustive'
    value: boolean
  }

  export function encode (obj: Partial<FindBeforeNResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FindBeforeNResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNResponse>): FindBeforeNResponse {
    return decodeMessage(buf, FindBeforeNResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindBeforeNResponse>): Generator<FindBeforeNResponsePeersIdFieldEvent | FindBeforeNResponsePeersAddrsFieldEvent | FindBeforeNResponseHoldsFieldEvent | FindBeforeNResponseRoutedFieldEvent | FindBeforeNResponseExhaustiveFieldEvent> {
    return streamMessage(buf, FindBeforeNResponse.codec(), opts)
  }
}

export interface StoreRequest {
  item?: Item
  expectedSeq?: bigint
  closerCount: number
  ackNonce?: Uint8Array<ArrayBuffer>
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

        if ((obj.closerCount != null && obj.closerCount !== 0)) {
          w.uint32(24)
          w.uint32(obj.closerCount)
        }

        if (obj.ackNonce != null) {
          w.uint32(34)
          w.bytes(obj.ackNonce)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          closerCount: 0
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
              obj.expectedSeq = reader.uint64()
              break
            }
            case 3: {
              obj.closerCount = reader.uint32()
              break
            }
            case 4: {
              obj.ackNonce = reader.bytes()
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
                field: `${prefix}.closerCount`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.ackNonce`,
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

  export interface StoreRequestItemTtlSecondsFieldEvent {
    field: '$.item.ttlSeconds'
    value: number
  }

  export interface StoreRequestItemAcceptorsFieldEvent {
    field: '$.item.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoreRequestExpectedSeqFieldEvent {
    field: '$.expectedSeq'
    value: bigint
  }

  export interface StoreRequestCloserCountFieldEvent {
    field: '$.closerCount'
    value: number
  }

  export interface StoreRequestAckNonceFieldEvent {
    field: '$.ackNonce'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoreRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): StoreRequest {
    return decodeMessage(buf, StoreRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): Generator<StoreRequestItemKindFieldEvent | StoreRequestItemKeyFieldEvent | StoreRequestItemBodyFieldEvent | StoreRequestItemTtlSecondsFieldEvent | StoreRequestItemAcceptorsFieldEvent | StoreRequestExpectedSeqFieldEvent | StoreRequestCloserCountFieldEvent | StoreRequestAckNonceFieldEvent> {
    return streamMessage(buf, StoreRequest.codec(), opts)
  }
}

export interface StoreResponse {
  storedSeq: bigint
  closer: PeerInfo[]
  ack?: Uint8Array<ArrayBuffer>
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

        if (obj.closer != null && obj.closer.length > 0) {
          for (const value of obj.closer) {
            w.uint32(18)
            PeerInfo.codec().encode(value, w)
          }
        }

        if (obj.ack != null) {
          w.uint32(26)
          w.bytes(obj.ack)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storedSeq: 0n,
          closer: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.storedSeq = reader.uint64()
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
            case 3: {
              obj.ack = reader.bytes()
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
              yield {
                field: `${prefix}.storedSeq`,
                value: reader.uint64()
              }
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
            case 3: {
              yield {
                field: `${prefix}.ack`,
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

  export interface StoreResponseStoredSeqFieldEvent {
    field: '$.storedSeq'
    value: bigint
  }

  export interface StoreResponseCloserIdFieldEvent {
    field: '$.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface StoreResponseCloserAddrsFieldEvent {
    field: '$.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoreResponseAckFieldEvent {
    field: '$.ack'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoreResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): StoreResponse {
    return decodeMessage(buf, StoreResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): Generator<StoreResponseStoredSeqFieldEvent | StoreResponseCloserIdFieldEvent | StoreResponseCloserAddrsFieldEvent | StoreResponseAckFieldEvent> {
    return streamMessage(buf, StoreResponse.codec(), opts)
  }
}

export interface FetchRequest {
  key: Uint8Array<ArrayBuffer>
  closerCount: number
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

        if ((obj.closerCount != null && obj.closerCount !== 0)) {
          w.uint32(16)
          w.uint32(obj.closerCount)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          closerCount: 0
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
              obj.closerCount = reader.uint32()
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
                field: `${prefix}.closerCount`,
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

  export interface FetchRequestKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchRequestCloserCountFieldEvent {
    field: '$.closerCount'
    value: number
  }

  export function encode (obj: Partial<FetchRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): FetchRequest {
    return decodeMessage(buf, FetchRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): Generator<FetchRequestKeyFieldEvent | FetchRequestCloserCountFieldEvent> {
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

  export interface FetchResponseItemTtlSecondsFieldEvent {
    field: '$.item.ttlSeconds'
    value: number
  }

  export interface FetchResponseItemAcceptorsFieldEvent {
    field: '$.item.acceptors[]'
    index: number
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

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchResponse>): Generator<FetchResponseItemKindFieldEvent | FetchResponseItemKeyFieldEvent | FetchResponseItemBodyFieldEvent | FetchResponseItemTtlSecondsFieldEvent | FetchResponseItemAcceptorsFieldEvent | FetchResponseCloserIdFieldEvent | FetchResponseCloserAddrsFieldEvent> {
    return streamMessage(buf, FetchResponse.codec(), opts)
  }
}

export interface FetchManyRequest {
  keys: Uint8Array<ArrayBuffer>[]
}

export namespace FetchManyRequest {
  let _codec: Codec<FetchManyRequest>

  export const codec = (): Codec<FetchManyRequest> => {
    if (_codec == null) {
      _codec = message<FetchManyRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.keys != null && obj.keys.length > 0) {
          for (const value of obj.keys) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keys: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys.length === opts.limits.keys) {
                throw new MaxLengthError('Decode error - repeated field "keys" had too many elements')
              }

              obj.keys.push(reader.bytes())
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
          keys: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys === opts.limits.keys) {
                throw new MaxLengthError('Streaming decode error - repeated field "keys" had too many elements')
              }

              yield {
                field: `${prefix}.keys[]`,
                index: obj.keys,
                value: reader.bytes()
              }

              obj.keys++

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

  export interface FetchManyRequestKeysFieldEvent {
    field: '$.keys[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FetchManyRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchManyRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchManyRequest>): FetchManyRequest {
    return decodeMessage(buf, FetchManyRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchManyRequest>): Generator<FetchManyRequestKeysFieldEvent> {
    return streamMessage(buf, FetchManyRequest.codec(), opts)
  }
}

export interface FetchManyResponse {
  items: Item[]
  missing: Uint8Array<ArrayBuffer>[]
  omitted: Uint8Array<ArrayBuffer>[]
}

export namespace FetchManyResponse {
  let _codec: Codec<FetchManyResponse>

  export const codec = (): Codec<FetchManyResponse> => {
    if (_codec == null) {
      _codec = message<FetchManyResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(10)
            Item.codec().encode(value, w)
          }
        }

        if (obj.missing != null && obj.missing.length > 0) {
          for (const value of obj.missing) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.omitted != null && obj.omitted.length > 0) {
          for (const value of obj.omitted) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          items: [],
          missing: [],
          omitted: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              if (obj.items.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 2: {
              if (opts.limits?.missing != null && obj.missing.length === opts.limits.missing) {
                throw new MaxLengthError('Decode error - repeated field "missing" had too many elements')
              }

              if (obj.missing.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "missing" had too many elements')
              }

              obj.missing.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.omitted != null && obj.omitted.length === opts.limits.omitted) {
                throw new MaxLengthError('Decode error - repeated field "omitted" had too many elements')
              }

              if (obj.omitted.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "omitted" had too many elements')
              }

              obj.omitted.push(reader.bytes())
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
          items: 16,
          missing: 16,
          omitted: 16
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              if (obj.items === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of Item.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 2: {
              if (opts.limits?.missing != null && obj.missing === opts.limits.missing) {
                throw new MaxLengthError('Streaming decode error - repeated field "missing" had too many elements')
              }

              if (obj.missing === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "missing" had too many elements')
              }

              yield {
                field: `${prefix}.missing[]`,
                index: obj.missing,
                value: reader.bytes()
              }

              obj.missing++

              break
            }
            case 3: {
              if (opts.limits?.omitted != null && obj.omitted === opts.limits.omitted) {
                throw new MaxLengthError('Streaming decode error - repeated field "omitted" had too many elements')
              }

              if (obj.omitted === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "omitted" had too many elements')
              }

              yield {
                field: `${prefix}.omitted[]`,
                index: obj.omitted,
                value: reader.bytes()
              }

              obj.omitted++

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

  export interface FetchManyResponseItemsKindFieldEvent {
    field: '$.items[].kind'
    value: ItemKind
    index: number
  }

  export interface FetchManyResponseItemsKeyFieldEvent {
    field: '$.items[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FetchManyResponseItemsBodyFieldEvent {
    field: '$.items[].body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FetchManyResponseItemsTtlSecondsFieldEvent {
    field: '$.items[].ttlSeconds'
    value: number
    index: number
  }

  export interface FetchManyResponseItemsAcceptorsFieldEvent {
    field: '$.items[].acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchManyResponseMissingFieldEvent {
    field: '$.missing[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchManyResponseOmittedFieldEvent {
    field: '$.omitted[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FetchManyResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchManyResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchManyResponse>): FetchManyResponse {
    return decodeMessage(buf, FetchManyResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchManyResponse>): Generator<FetchManyResponseItemsKindFieldEvent | FetchManyResponseItemsKeyFieldEvent | FetchManyResponseItemsBodyFieldEvent | FetchManyResponseItemsTtlSecondsFieldEvent | FetchManyResponseItemsAcceptorsFieldEvent | FetchManyResponseMissingFieldEvent | FetchManyResponseOmittedFieldEvent> {
    return streamMessage(buf, FetchManyResponse.codec(), opts)
  }
}

export interface DigestRequest {
  count: number
  hash: Uint8Array<ArrayBuffer>
}

export namespace DigestRequest {
  let _codec: Codec<DigestRequest>

  export const codec = (): Codec<DigestRequest> => {
    if (_codec == null) {
      _codec = message<DigestRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(8)
          w.uint32(obj.count)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          count: 0,
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.count = reader.uint32()
              break
            }
            case 2: {
              obj.hash = reader.bytes()
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
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.hash`,
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

  export interface DigestRequestCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface DigestRequestHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DigestRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DigestRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DigestRequest>): DigestRequest {
    return decodeMessage(buf, DigestRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DigestRequest>): Generator<DigestRequestCountFieldEvent | DigestRequestHashFieldEvent> {
    return streamMessage(buf, DigestRequest.codec(), opts)
  }
}

export interface BucketDigest {
  index: number
  count: number
  hash: Uint8Array<ArrayBuffer>
}

export namespace BucketDigest {
  let _codec: Codec<BucketDigest>

  export const codec = (): Codec<BucketDigest> => {
    if (_codec == null) {
      _codec = message<BucketDigest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(16)
          w.uint32(obj.count)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          count: 0,
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.count = reader.uint32()
              break
            }
            case 3: {
              obj.hash = reader.bytes()
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
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.hash`,
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

  export interface BucketDigestIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface BucketDigestCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface BucketDigestHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BucketDigest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BucketDigest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BucketDigest>): BucketDigest {
    return decodeMessage(buf, BucketDigest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BucketDigest>): Generator<BucketDigestIndexFieldEvent | BucketDigestCountFieldEvent | BucketDigestHashFieldEvent> {
    return streamMessage(buf, BucketDigest.codec(), opts)
  }
}

export interface DigestResponse {
  match: boolean
  buckets: BucketDigest[]
}

export namespace DigestResponse {
  let _codec: Codec<DigestResponse>

  export const codec = (): Codec<DigestResponse> => {
    if (_codec == null) {
      _codec = message<DigestResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.match != null && obj.match !== false)) {
          w.uint32(8)
          w.bool(obj.match)
        }

        if (obj.buckets != null && obj.buckets.length > 0) {
          for (const value of obj.buckets) {
            w.uint32(18)
            BucketDigest.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          match: false,
          buckets: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.match = reader.bool()
              break
            }
            case 2: {
              if (opts.limits?.buckets != null && obj.buckets.length === opts.limits.buckets) {
                throw new MaxLengthError('Decode error - repeated field "buckets" had too many elements')
              }

              obj.buckets.push(BucketDigest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.buckets$
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
          buckets: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.match`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              if (opts.limits?.buckets != null && obj.buckets === opts.limits.buckets) {
                throw new MaxLengthError('Streaming decode error - repeated field "buckets" had too many elements')
              }

              for (const evt of BucketDigest.codec().stream(reader, reader.uint32(), `${prefix}.buckets[]`, {
                limits: opts.limits?.buckets$
              })) {
                yield {
                  ...evt,
                  index: obj.buckets
                }
              }

              obj.buckets++

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

  export interface DigestResponseMatchFieldEvent {
    field: '$.match'
    value: boolean
  }

  export interface DigestResponseBucketsIndexFieldEvent {
    field: '$.buckets[].index'
    value: number
    index: number
  }

  export interface DigestResponseBucketsCountFieldEvent {
    field: '$.buckets[].count'
    value: number
    index: number
  }

  export interface DigestResponseBucketsHashFieldEvent {
    field: '$.buckets[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<DigestResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DigestResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DigestResponse>): DigestResponse {
    return decodeMessage(buf, DigestResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DigestResponse>): Generator<DigestResponseMatchFieldEvent | DigestResponseBucketsIndexFieldEvent | DigestResponseBucketsCountFieldEvent | DigestResponseBucketsHashFieldEvent> {
    return streamMessage(buf, DigestResponse.codec(), opts)
  }
}

export interface KeyVersion {
  key: Uint8Array<ArrayBuffer>
  seq: bigint
}

export namespace KeyVersion {
  let _codec: Codec<KeyVersion>

  export const codec = (): Codec<KeyVersion> => {
    if (_codec == null) {
      _codec = message<KeyVersion>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          seq: 0n
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
              obj.seq = reader.uint64()
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
                field: `${prefix}.seq`,
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

  export interface KeyVersionKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyVersionSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export function encode (obj: Partial<KeyVersion>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyVersion.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyVersion>): KeyVersion {
    return decodeMessage(buf, KeyVersion.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyVersion>): Generator<KeyVersionKeyFieldEvent | KeyVersionSeqFieldEvent> {
    return streamMessage(buf, KeyVersion.codec(), opts)
  }
}

export interface SyncKeysRequest {
  bucket: number
  keys: KeyVersion[]
}

export namespace SyncKeysRequest {
  let _codec: Codec<SyncKeysRequest>

  export const codec = (): Codec<SyncKeysRequest> => {
    if (_codec == null) {
      _codec = message<SyncKeysRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.bucket != null && obj.bucket !== 0)) {
          w.uint32(8)
          w.uint32(obj.bucket)
        }

        if (obj.keys != null && obj.keys.length > 0) {
          for (const value of obj.keys) {
            w.uint32(18)
            KeyVersion.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          bucket: 0,
          keys: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.bucket = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.keys != null && obj.keys.length === opts.limits.keys) {
                throw new MaxLengthError('Decode error - repeated field "keys" had too many elements')
              }

              obj.keys.push(KeyVersion.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.keys$
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
          keys: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.bucket`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.keys != null && obj.keys === opts.limits.keys) {
                throw new MaxLengthError('Streaming decode error - repeated field "keys" had too many elements')
              }

              for (const evt of KeyVersion.codec().stream(reader, reader.uint32(), `${prefix}.keys[]`, {
                limits: opts.limits?.keys$
              })) {
                yield {
                  ...evt,
                  index: obj.keys
                }
              }

              obj.keys++

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

  export interface SyncKeysRequestBucketFieldEvent {
    field: '$.bucket'
    value: number
  }

  export interface SyncKeysRequestKeysKeyFieldEvent {
    field: '$.keys[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncKeysRequestKeysSeqFieldEvent {
    field: '$.keys[].seq'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<SyncKeysRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncKeysRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncKeysRequest>): SyncKeysRequest {
    return decodeMessage(buf, SyncKeysRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncKeysRequest>): Generator<SyncKeysRequestBucketFieldEvent | SyncKeysRequestKeysKeyFieldEvent | SyncKeysRequestKeysSeqFieldEvent> {
    return streamMessage(buf, SyncKeysRequest.codec(), opts)
  }
}

export interface SyncKeysResponse {
  missing: Uint8Array<ArrayBuffer>[]
}

export namespace SyncKeysResponse {
  let _codec: Codec<SyncKeysResponse>

  export const codec = (): Codec<SyncKeysResponse> => {
    if (_codec == null) {
      _codec = message<SyncKeysResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.missing != null && obj.missing.length > 0) {
          for (const value of obj.missing) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          missing: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.missing != null && obj.missing.length === opts.limits.missing) {
                throw new MaxLengthError('Decode error - repeated field "missing" had too many elements')
              }

              obj.missing.push(reader.bytes())
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
          missing: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.missing != null && obj.missing === opts.limits.missing) {
                throw new MaxLengthError('Streaming decode error - repeated field "missing" had too many elements')
              }

              yield {
                field: `${prefix}.missing[]`,
                index: obj.missing,
                value: reader.bytes()
              }

              obj.missing++

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

  export interface SyncKeysResponseMissingFieldEvent {
    field: '$.missing[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncKeysResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncKeysResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncKeysResponse>): SyncKeysResponse {
    return decodeMessage(buf, SyncKeysResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncKeysResponse>): Generator<SyncKeysResponseMissingFieldEvent> {
    return streamMessage(buf, SyncKeysResponse.codec(), opts)
  }
}

export interface HoldsRequest {
  keys: Uint8Array<ArrayBuffer>[]
}

export namespace HoldsRequest {
  let _codec: Codec<HoldsRequest>

  export const codec = (): Codec<HoldsRequest> => {
    if (_codec == null) {
      _codec = message<HoldsRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.keys != null && obj.keys.length > 0) {
          for (const value of obj.keys) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keys: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys.length === opts.limits.keys) {
                throw new MaxLengthError('Decode error - repeated field "keys" had too many elements')
              }

              obj.keys.push(reader.bytes())
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
          keys: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys === opts.limits.keys) {
                throw new MaxLengthError('Streaming decode error - repeated field "keys" had too many elements')
              }

              yield {
                field: `${prefix}.keys[]`,
                index: obj.keys,
                value: reader.bytes()
              }

              obj.keys++

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

  export interface HoldsRequestKeysFieldEvent {
    field: '$.keys[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HoldsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HoldsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldsRequest>): HoldsRequest {
    return decodeMessage(buf, HoldsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldsRequest>): Generator<HoldsRequestKeysFieldEvent> {
    return streamMessage(buf, HoldsRequest.codec(), opts)
  }
}

export interface HoldsResponse {
  held: KeyVersion[]
}

export namespace HoldsResponse {
  let _codec: Codec<HoldsResponse>

  export const codec = (): Codec<HoldsResponse> => {
    if (_codec == null) {
      _codec = message<HoldsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.held != null && obj.held.length > 0) {
          for (const value of obj.held) {
            w.uint32(10)
            KeyVersion.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          held: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.held != null && obj.held.length === opts.limits.held) {
                throw new MaxLengthError('Decode error - repeated field "held" had too many elements')
              }

              obj.held.push(KeyVersion.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.held$
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
          held: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.held != null && obj.held === opts.limits.held) {
                throw new MaxLengthError('Streaming decode error - repeated field "held" had too many elements')
              }

              for (const evt of KeyVersion.codec().stream(reader, reader.uint32(), `${prefix}.held[]`, {
                limits: opts.limits?.held$
              })) {
                yield {
                  ...evt,
                  index: obj.held
                }
              }

              obj.held++

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

  export interface HoldsResponseHeldKeyFieldEvent {
    field: '$.held[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HoldsResponseHeldSeqFieldEvent {
    field: '$.held[].seq'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<HoldsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HoldsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldsResponse>): HoldsResponse {
    return decodeMessage(buf, HoldsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldsResponse>): Generator<HoldsResponseHeldKeyFieldEvent | HoldsResponseHeldSeqFieldEvent> {
    return streamMessage(buf, HoldsResponse.codec(), opts)
  }
}

export interface HandoffRequest {
  cursor: Uint8Array<ArrayBuffer>
  limit: number
  acked: Uint8Array<ArrayBuffer>[]
}

export namespace HandoffRequest {
  let _codec: Codec<HandoffRequest>

  export const codec = (): Codec<HandoffRequest> => {
    if (_codec == null) {
      _codec = message<HandoffRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cursor != null && obj.cursor.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cursor)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint32(obj.limit)
        }

        if (obj.acked != null && obj.acked.length > 0) {
          for (const value of obj.acked) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cursor: uint8ArrayAlloc(0),
          limit: 0,
          acked: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cursor = reader.bytes()
              break
            }
            case 2: {
              obj.limit = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.acked != null && obj.acked.length === opts.limits.acked) {
                throw new MaxLengthError('Decode error - repeated field "acked" had too many elements')
              }

              obj.acked.push(reader.bytes())
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
          acked: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.cursor`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.acked != null && obj.acked === opts.limits.acked) {
                throw new MaxLengthError('Streaming decode error - repeated field "acked" had too many elements')
              }

              yield {
                field: `${prefix}.acked[]`,
                index: obj.acked,
                value: reader.bytes()
              }

              obj.acked++

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

  export interface HandoffRequestCursorFieldEvent {
    field: '$.cursor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HandoffRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface HandoffRequestAckedFieldEvent {
    field: '$.acked[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HandoffRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HandoffRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandoffRequest>): HandoffRequest {
    return decodeMessage(buf, HandoffRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandoffRequest>): Generator<HandoffRequestCursorFieldEvent | HandoffRequestLimitFieldEvent | HandoffRequestAckedFieldEvent> {
    return streamMessage(buf, HandoffRequest.codec(), opts)
  }
}

export interface HandoffResponse {
  items: Item[]
  cursor: Uint8Array<ArrayBuffer>
  done: boolean
}

export namespace HandoffResponse {
  let _codec: Codec<HandoffResponse>

  export const codec = (): Codec<HandoffResponse> => {
    if (_codec == null) {
      _codec = message<HandoffResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(10)
            Item.codec().encode(value, w)
          }
        }

        if ((obj.cursor != null && obj.cursor.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.cursor)
        }

        if ((obj.done != null && obj.done !== false)) {
          w.uint32(24)
          w.bool(obj.done)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          items: [],
          cursor: uint8ArrayAlloc(0),
          done: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 2: {
              obj.cursor = reader.bytes()
              break
            }
            case 3: {
              obj.done = reader.bool()
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
          items: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of Item.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.cursor`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.done`,
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

  export interface HandoffResponseItemsKindFieldEvent {
    field: '$.items[].kind'
    value: ItemKind
    index: number
  }

  export interface HandoffResponseItemsKeyFieldEvent {
    field: '$.items[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HandoffResponseItemsBodyFieldEvent {
    field: '$.items[].body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HandoffResponseItemsTtlSecondsFieldEvent {
    field: '$.items[].ttlSeconds'
    value: number
    index: number
  }

  export interface HandoffResponseItemsAcceptorsFieldEvent {
    field: '$.items[].acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface HandoffResponseCursorFieldEvent {
    field: '$.cursor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HandoffResponseDoneFieldEvent {
    field: '$.done'
    value: boolean
  }

  export function encode (obj: Partial<HandoffResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HandoffResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandoffResponse>): HandoffResponse {
    return decodeMessage(buf, HandoffResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandoffResponse>): Generator<HandoffResponseItemsKindFieldEvent | HandoffResponseItemsKeyFieldEvent | HandoffResponseItemsBodyFieldEvent | HandoffResponseItemsTtlSecondsFieldEvent | HandoffResponseItemsAcceptorsFieldEvent | HandoffResponseCursorFieldEvent | HandoffResponseDoneFieldEvent> {
    return streamMessage(buf, HandoffResponse.codec(), opts)
  }
}

export interface Ballot {
  counter: bigint
  proposer: Uint8Array<ArrayBuffer>
}

export namespace Ballot {
  let _codec: Codec<Ballot>

  export const codec = (): Codec<Ballot> => {
    if (_codec == null) {
      _codec = message<Ballot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.counter != null && obj.counter !== 0n)) {
          w.uint32(8)
          w.uint64(obj.counter)
        }

        if ((obj.proposer != null && obj.proposer.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.proposer)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          counter: 0n,
          proposer: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.counter = reader.uint64()
              break
            }
            case 2: {
              obj.proposer = reader.bytes()
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
                field: `${prefix}.counter`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.proposer`,
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

  export interface BallotCounterFieldEvent {
    field: '$.counter'
    value: bigint
  }

  export interface BallotProposerFieldEvent {
    field: '$.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Ballot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ballot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ballot>): Ballot {
    return decodeMessage(buf, Ballot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ballot>): Generator<BallotCounterFieldEvent | BallotProposerFieldEvent> {
    return streamMessage(buf, Ballot.codec(), opts)
  }
}

export interface CasPrepareRequest {
  id: Uint8Array<ArrayBuffer>
  expectedSeq: bigint
  ballot?: Ballot
  acceptors: Uint8Array<ArrayBuffer>[]
}

export namespace CasPrepareRequest {
  let _codec: Codec<CasPrepareRequest>

  export const codec = (): Codec<CasPrepareRequest> => {
    if (_codec == null) {
      _codec = message<CasPrepareRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.expectedSeq != null && obj.expectedSeq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.expectedSeq)
        }

        if (obj.ballot != null) {
          w.uint32(26)
          Ballot.codec().encode(obj.ballot, w)
        }

        if (obj.acceptors != null && obj.acceptors.length > 0) {
          for (const value of obj.acceptors) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          expectedSeq: 0n,
          acceptors: []
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
              obj.expectedSeq = reader.uint64()
              break
            }
            case 3: {
              obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ballot
              })
              break
            }
            case 4: {
              if (opts.limits?.acceptors != null && obj.acceptors.length === opts.limits.acceptors) {
                throw new MaxLengthError('Decode error - repeated field "acceptors" had too many elements')
              }

              if (obj.acceptors.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "acceptors" had too many elements')
              }

              obj.acceptors.push(reader.bytes())
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
          acceptors: 16
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
              yield {
                field: `${prefix}.expectedSeq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield * Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                limits: opts.limits?.ballot
              })

              break
            }
            case 4: {
              if (opts.limits?.acceptors != null && obj.acceptors === opts.limits.acceptors) {
                throw new MaxLengthError('Streaming decode error - repeated field "acceptors" had too many elements')
              }

              if (obj.acceptors === 16) {
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

  export interface CasPrepareRequestIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareRequestExpectedSeqFieldEvent {
    field: '$.expectedSeq'
    value: bigint
  }

  export interface CasPrepareRequestBallotCounterFieldEvent {
    field: '$.ballot.counter'
    value: bigint
  }

  export interface CasPrepareRequestBallotProposerFieldEvent {
    field: '$.ballot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareRequestAcceptorsFieldEvent {
    field: '$.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CasPrepareRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CasPrepareRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasPrepareRequest>): CasPrepareRequest {
    return decodeMessage(buf, CasPrepareRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasPrepareRequest>): Generator<CasPrepareRequestIdFieldEvent | CasPrepareRequestExpectedSeqFieldEvent | CasPrepareRequestBallotCounterFieldEvent | CasPrepareRequestBallotProposerFieldEvent | CasPrepareRequestAcceptorsFieldEvent> {
    return streamMessage(buf, CasPrepareRequest.codec(), opts)
  }
}

export interface CasPrepareResponse {
  promised: boolean
  promisedBallot?: Ballot
  acceptedBallot?: Ballot
  acceptedRecord: Uint8Array<ArrayBuffer>
  storedSeq: bigint
  replica: boolean
  closer: PeerInfo[]
  stale: boolean
  slotKnown: boolean
  acceptedHash: Uint8Array<ArrayBuffer>
  storedAcceptors: Uint8Array<ArrayBuffer>[]
  acceptedAcceptors: Uint8Array<ArrayBuffer>[]
}

export namespace CasPrepareResponse {
  let _codec: Codec<CasPrepareResponse>

  export const codec = (): Codec<CasPrepareResponse> => {
    if (_codec == null) {
      _codec = message<CasPrepareResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.promised != null && obj.promised !== false)) {
          w.uint32(8)
          w.bool(obj.promised)
        }

        if (obj.promisedBallot != null) {
          w.uint32(18)
          Ballot.codec().encode(obj.promisedBallot, w)
        }

        if (obj.acceptedBallot != null) {
          w.uint32(26)
          Ballot.codec().encode(obj.acceptedBallot, w)
        }

        if ((obj.acceptedRecord != null && obj.acceptedRecord.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.acceptedRecord)
        }

        if ((obj.storedSeq != null && obj.storedSeq !== 0n)) {
          w.uint32(40)
          w.uint64(obj.storedSeq)
        }

        if ((obj.replica != null && obj.replica !== false)) {
          w.uint32(48)
          w.bool(obj.replica)
        }

        if (obj.closer != null && obj.closer.length > 0) {
          for (const value of obj.closer) {
            w.uint32(58)
            PeerInfo.codec().encode(value, w)
          }
        }

        if ((obj.stale != null && obj.stale !== false)) {
          w.uint32(64)
          w.bool(obj.stale)
        }

        if ((obj.slotKnown != null && obj.slotKnown !== false)) {
          w.uint32(72)
          w.bool(obj.slotKnown)
        }

        if ((obj.acceptedHash != null && obj.acceptedHash.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.acceptedHash)
        }

        if (obj.storedAcceptors != null && obj.storedAcceptors.length > 0) {
          for (const value of obj.storedAcceptors) {
            w.uint32(90)
            w.bytes(value)
          }
        }

        if (obj.acceptedAcceptors != null && obj.acceptedAcceptors.length > 0) {
          for (const value of obj.acceptedAcceptors) {
            w.uint32(98)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          promised: false,
          acceptedRecord: uint8ArrayAlloc(0),
          storedSeq: 0n,
          replica: false,
          closer: [],
          stale: false,
          slotKnown: false,
          acceptedHash: uint8ArrayAlloc(0),
          storedAcceptors: [],
          acceptedAcceptors: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.promised = reader.bool()
              break
            }
            case 2: {
              obj.promisedBallot = Ballot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.promisedBallot
              })
              break
            }
            case 3: {
              obj.acceptedBallot = Ballot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.acceptedBallot
              })
              break
            }
            case 4: {
              obj.acceptedRecord = reader.bytes()
              break
            }
            case 5: {
              obj.storedSeq = reader.uint64()
              break
            }
            case 6: {
              obj.replica = reader.bool()
              break
            }
            case 7: {
              if (opts.limits?.closer != null && obj.closer.length === opts.limits.closer) {
                throw new MaxLengthError('Decode error - repeated field "closer" had too many elements')
              }

              obj.closer.push(PeerInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.closer$
              }))
              break
            }
            case 8: {
              obj.stale = reader.bool()
              break
            }
            case 9: {
              obj.slotKnown = reader.bool()
              break
            }
            case 10: {
              obj.acceptedHash = reader.bytes()
              break
            }
            case 11: {
              if (opts.limits?.storedAcceptors != null && obj.storedAcceptors.length === opts.limits.storedAcceptors) {
                throw new MaxLengthError('Decode error - repeated field "storedAcceptors" had too many elements')
              }

              if (obj.storedAcceptors.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "storedAcceptors" had too many elements')
              }

              obj.storedAcceptors.push(reader.bytes())
              break
            }
            case 12: {
              if (opts.limits?.acceptedAcceptors != null && obj.acceptedAcceptors.length === opts.limits.acceptedAcceptors) {
                throw new MaxLengthError('Decode error - repeated field "acceptedAcceptors" had too many elements')
              }

              if (obj.acceptedAcceptors.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "acceptedAcceptors" had too many elements')
              }

              obj.acceptedAcceptors.push(reader.bytes())
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
          closer: 0,
          storedAcceptors: 16,
          acceptedAcceptors: 16
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.promised`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield * Ballot.codec().stream(reader, reader.uint32(), `${prefix}.promisedBallot`, {
                limits: opts.limits?.promisedBallot
              })

              break
            }
            case 3: {
              yield * Ballot.codec().stream(reader, reader.uint32(), `${prefix}.acceptedBallot`, {
                limits: opts.limits?.acceptedBallot
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.acceptedRecord`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.storedSeq`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.replica`,
                value: reader.bool()
              }
              break
            }
            case 7: {
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
            case 8: {
              yield {
                field: `${prefix}.stale`,
                value: reader.bool()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.slotKnown`,
                value: reader.bool()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.acceptedHash`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              if (opts.limits?.storedAcceptors != null && obj.storedAcceptors === opts.limits.storedAcceptors) {
                throw new MaxLengthError('Streaming decode error - repeated field "storedAcceptors" had too many elements')
              }

              if (obj.storedAcceptors === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "storedAcceptors" had too many elements')
              }

              yield {
                field: `${prefix}.storedAcceptors[]`,
                index: obj.storedAcceptors,
                value: reader.bytes()
              }

              obj.storedAcceptors++

              break
            }
            case 12: {
              if (opts.limits?.acceptedAcceptors != null && obj.acceptedAcceptors === opts.limits.acceptedAcceptors) {
                throw new MaxLengthError('Streaming decode error - repeated field "acceptedAcceptors" had too many elements')
              }

              if (obj.acceptedAcceptors === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "acceptedAcceptors" had too many elements')
              }

              yield {
                field: `${prefix}.acceptedAcceptors[]`,
                index: obj.acceptedAcceptors,
                value: reader.bytes()
              }

              obj.acceptedAcceptors++

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

  export interface CasPrepareResponsePromisedFieldEvent {
    field: '$.promised'
    value: boolean
  }

  export interface CasPrepareResponsePromisedBallotCounterFieldEvent {
    field: '$.promisedBallot.counter'
    value: bigint
  }

  export interface CasPrepareResponsePromisedBallotProposerFieldEvent {
    field: '$.promisedBallot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareResponseAcceptedBallotCounterFieldEvent {
    field: '$.acceptedBallot.counter'
    value: bigint
  }

  export interface CasPrepareResponseAcceptedBallotProposerFieldEvent {
    field: '$.acceptedBallot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareResponseAcceptedRecordFieldEvent {
    field: '$.acceptedRecord'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareResponseStoredSeqFieldEvent {
    field: '$.storedSeq'
    value: bigint
  }

  export interface CasPrepareResponseReplicaFieldEvent {
    field: '$.replica'
    value: boolean
  }

  export interface CasPrepareResponseCloserIdFieldEvent {
    field: '$.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CasPrepareResponseCloserAddrsFieldEvent {
    field: '$.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareResponseStaleFieldEvent {
    field: '$.stale'
    value: boolean
  }

  export interface CasPrepareResponseSlotKnownFieldEvent {
    field: '$.slotKnown'
    value: boolean
  }

  export interface CasPrepareResponseAcceptedHashFieldEvent {
    field: '$.acceptedHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareResponseStoredAcceptorsFieldEvent {
    field: '$.storedAcceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasPrepareResponseAcceptedAcceptorsFieldEvent {
    field: '$.acceptedAcceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CasPrepareResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CasPrepareResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasPrepareResponse>): CasPrepareResponse {
    return decodeMessage(buf, CasPrepareResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasPrepareResponse>): Generator<CasPrepareResponsePromisedFieldEvent | CasPrepareResponsePromisedBallotCounterFieldEvent | CasPrepareResponsePromisedBallotProposerFieldEvent | CasPrepareResponseAcceptedBallotCounterFieldEvent | CasPrepareResponseAcceptedBallotProposerFieldEvent | CasPrepareResponseAcceptedRecordFieldEvent | CasPrepareResponseStoredSeqFieldEvent | CasPrepareResponseReplicaFieldEvent | CasPrepareResponseCloserIdFieldEvent | CasPrepareResponseCloserAddrsFieldEvent | CasPrepareResponseStaleFieldEvent | CasPrepareResponseSlotKnownFieldEvent | CasPrepareResponseAcceptedHashFieldEvent | CasPrepareResponseStoredAcceptorsFieldEvent | CasPrepareResponseAcceptedAcceptorsFieldEvent> {
    return streamMessage(buf, CasPrepareResponse.codec(), opts)
  }
}

export interface CasAcceptRequest {
  id: Uint8Array<ArrayBuffer>
  expectedSeq: bigint
  ballot?: Ballot
  record: Uint8Array<ArrayBuffer>
  acceptors: Uint8Array<ArrayBuffer>[]
  nextAcceptors: Uint8Array<ArrayBuffer>[]
}

export namespace CasAcceptRequest {
  let _codec: Codec<CasAcceptRequest>

  export const codec = (): Codec<CasAcceptRequest> => {
    if (_codec == null) {
      _codec = message<CasAcceptRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.expectedSeq != null && obj.expectedSeq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.expectedSeq)
        }

        if (obj.ballot != null) {
          w.uint32(26)
          Ballot.codec().encode(obj.ballot, w)
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.record)
        }

        if (obj.acceptors != null && obj.acceptors.length > 0) {
          for (const value of obj.acceptors) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (obj.nextAcceptors != null && obj.nextAcceptors.length > 0) {
          for (const value of obj.nextAcceptors) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          expectedSeq: 0n,
          record: uint8ArrayAlloc(0),
          acceptors: [],
          nextAcceptors: []
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
              obj.expectedSeq = reader.uint64()
              break
            }
            case 3: {
              obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ballot
              })
              break
            }
            case 4: {
              obj.record = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.acceptors != null && obj.acceptors.length === opts.limits.acceptors) {
                throw new MaxLengthError('Decode error - repeated field "acceptors" had too many elements')
              }

              if (obj.acceptors.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "acceptors" had too many elements')
              }

              obj.acceptors.push(reader.bytes())
              break
            }
            case 6: {
              if (opts.limits?.nextAcceptors != null && obj.nextAcceptors.length === opts.limits.nextAcceptors) {
                throw new MaxLengthError('Decode error - repeated field "nextAcceptors" had too many elements')
              }

              if (obj.nextAcceptors.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "nextAcceptors" had too many elements')
              }

              obj.nextAcceptors.push(reader.bytes())
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
          acceptors: 16,
          nextAcceptors: 16
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
              yield {
                field: `${prefix}.expectedSeq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield * Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                limits: opts.limits?.ballot
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.record`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.acceptors != null && obj.acceptors === opts.limits.acceptors) {
                throw new MaxLengthError('Streaming decode error - repeated field "acceptors" had too many elements')
              }

              if (obj.acceptors === 16) {
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
            case 6: {
              if (opts.limits?.nextAcceptors != null && obj.nextAcceptors === opts.limits.nextAcceptors) {
                throw new MaxLengthError('Streaming decode error - repeated field "nextAcceptors" had too many elements')
              }

              if (obj.nextAcceptors === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "nextAcceptors" had too many elements')
              }

              yield {
                field: `${prefix}.nextAcceptors[]`,
                index: obj.nextAcceptors,
                value: reader.bytes()
              }

              obj.nextAcceptors++

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

  export interface CasAcceptRequestIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasAcceptRequestExpectedSeqFieldEvent {
    field: '$.expectedSeq'
    value: bigint
  }

  export interface CasAcceptRequestBallotCounterFieldEvent {
    field: '$.ballot.counter'
    value: bigint
  }

  export interface CasAcceptRequestBallotProposerFieldEvent {
    field: '$.ballot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasAcceptRequestRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasAcceptRequestAcceptorsFieldEvent {
    field: '$.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasAcceptRequestNextAcceptorsFieldEvent {
    field: '$.nextAcceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CasAcceptRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CasAcceptRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasAcceptRequest>): CasAcceptRequest {
    return decodeMessage(buf, CasAcceptRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasAcceptRequest>): Generator<CasAcceptRequestIdFieldEvent | CasAcceptRequestExpectedSeqFieldEvent | CasAcceptRequestBallotCounterFieldEvent | CasAcceptRequestBallotProposerFieldEvent | CasAcceptRequestRecordFieldEvent | CasAcceptRequestAcceptorsFieldEvent | CasAcceptRequestNextAcceptorsFieldEvent> {
    return streamMessage(buf, CasAcceptRequest.codec(), opts)
  }
}

export interface CasAcceptResponse {
  accepted: boolean
  promisedBallot?: Ballot
  storedSeq: bigint
}

export namespace CasAcceptResponse {
  let _codec: Codec<CasAcceptResponse>

  export const codec = (): Codec<CasAcceptResponse> => {
    if (_codec == null) {
      _codec = message<CasAcceptResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.accepted != null && obj.accepted !== false)) {
          w.uint32(8)
          w.bool(obj.accepted)
        }

        if (obj.promisedBallot != null) {
          w.uint32(18)
          Ballot.codec().encode(obj.promisedBallot, w)
        }

        if ((obj.storedSeq != null && obj.storedSeq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.storedSeq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          accepted: false,
          storedSeq: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.accepted = reader.bool()
              break
            }
            case 2: {
              obj.promisedBallot = Ballot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.promisedBallot
              })
              break
            }
            case 3: {
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
                field: `${prefix}.accepted`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield * Ballot.codec().stream(reader, reader.uint32(), `${prefix}.promisedBallot`, {
                limits: opts.limits?.promisedBallot
              })

              break
            }
            case 3: {
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

  export interface CasAcceptResponseAcceptedFieldEvent {
    field: '$.accepted'
    value: boolean
  }

  export interface CasAcceptResponsePromisedBallotCounterFieldEvent {
    field: '$.promisedBallot.counter'
    value: bigint
  }

  export interface CasAcceptResponsePromisedBallotProposerFieldEvent {
    field: '$.promisedBallot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CasAcceptResponseStoredSeqFieldEvent {
    field: '$.storedSeq'
    value: bigint
  }

  export function encode (obj: Partial<CasAcceptResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CasAcceptResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasAcceptResponse>): CasAcceptResponse {
    return decodeMessage(buf, CasAcceptResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CasAcceptResponse>): Generator<CasAcceptResponseAcceptedFieldEvent | CasAcceptResponsePromisedBallotCounterFieldEvent | CasAcceptResponsePromisedBallotProposerFieldEvent | CasAcceptResponseStoredSeqFieldEvent> {
    return streamMessage(buf, CasAcceptResponse.codec(), opts)
  }
}

export interface LeaveRequest {}

export namespace LeaveRequest {
  let _codec: Codec<LeaveRequest>

  export const codec = (): Codec<LeaveRequest> => {
    if (_codec == null) {
      _codec = message<LeaveRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
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

  export function encode (obj: Partial<LeaveRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LeaveRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaveRequest>): LeaveRequest {
    return decodeMessage(buf, LeaveRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaveRequest>): Generator<{}> {
    return streamMessage(buf, LeaveRequest.codec(), opts)
  }
}

export interface LeaveResponse {}

export namespace LeaveResponse {
  let _codec: Codec<LeaveResponse>

  export const codec = (): Codec<LeaveResponse> => {
    if (_codec == null) {
      _codec = message<LeaveResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
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

  export function encode (obj: Partial<LeaveResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LeaveResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaveResponse>): LeaveResponse {
    return decodeMessage(buf, LeaveResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaveResponse>): Generator<{}> {
    return streamMessage(buf, LeaveResponse.codec(), opts)
  }
}

export enum ForwardMode {
  FIRST_COPY = 'FIRST_COPY',
  REPLICA_SET = 'REPLICA_SET'
}

enum __ForwardModeValues {
  FIRST_COPY = 0,
  REPLICA_SET = 1
}

export namespace ForwardMode {
  export const codec = (): Codec<ForwardMode> => {
    return enumeration<ForwardMode>(__ForwardModeValues)
  }
}

export interface ForwardRequest {
  key: Uint8Array<ArrayBuffer>
  mode: ForwardMode
  timeoutMs: number
  enough?: number
  shortAtOnce?: boolean
  hops?: number
}

export namespace ForwardRequest {
  let _codec: Codec<ForwardRequest>

  export const codec = (): Codec<ForwardRequest> => {
    if (_codec == null) {
      _codec = message<ForwardRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if (obj.mode != null && __ForwardModeValues[obj.mode] !== 0) {
          w.uint32(16)
          ForwardMode.codec().encode(obj.mode, w)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.timeoutMs)
        }

        if (obj.enough != null) {
          w.uint32(32)
          w.uint32(obj.enough)
        }

        if (obj.shortAtOnce != null) {
          w.uint32(40)
          w.bool(obj.shortAtOnce)
        }

        if (obj.hops != null) {
          w.uint32(48)
          w.uint32(obj.hops)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          mode: ForwardMode.FIRST_COPY,
          timeoutMs: 0
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
              obj.mode = ForwardMode.codec().decode(reader)
              break
            }
            case 3: {
              obj.timeoutMs = reader.uint32()
              break
            }
            case 4: {
              obj.enough = reader.uint32()
              break
            }
            case 5: {
              obj.shortAtOnce = reader.bool()
              break
            }
            case 6: {
              obj.hops = reader.uint32()
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
                field: `${prefix}.mode`,
                value: ForwardMode.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.enough`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.shortAtOnce`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.hops`,
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

  export interface ForwardRequestKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardRequestModeFieldEvent {
    field: '$.mode'
    value: ForwardMode
  }

  export interface ForwardRequestTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export interface ForwardRequestEnoughFieldEvent {
    field: '$.enough'
    value: number
  }

  export interface ForwardRequestShortAtOnceFieldEvent {
    field: '$.shortAtOnce'
    value: boolean
  }

  export interface ForwardRequestHopsFieldEvent {
    field: '$.hops'
    value: number
  }

  export function encode (obj: Partial<ForwardRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardRequest>): ForwardRequest {
    return decodeMessage(buf, ForwardRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardRequest>): Generator<ForwardRequestKeyFieldEvent | ForwardRequestModeFieldEvent | ForwardRequestTimeoutMsFieldEvent | ForwardRequestEnoughFieldEvent | ForwardRequestShortAtOnceFieldEvent | ForwardRequestHopsFieldEvent> {
    return streamMessage(buf, ForwardRequest.codec(), opts)
  }
}

export interface ForwardedAnswer {
  peer: Uint8Array<ArrayBuffer>
  item?: Item
}

export namespace ForwardedAnswer {
  let _codec: Codec<ForwardedAnswer>

  export const codec = (): Codec<ForwardedAnswer> => {
    if (_codec == null) {
      _codec = message<ForwardedAnswer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peer)
        }

        if (obj.item != null) {
          w.uint32(18)
          Item.codec().encode(obj.item, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.bytes()
              break
            }
            case 2: {
              obj.item = Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.item
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
                field: `${prefix}.peer`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield * Item.codec().stream(reader, reader.uint32(), `${prefix}.item`, {
                limits: opts.limits?.item
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

  export interface ForwardedAnswerPeerFieldEvent {
    field: '$.peer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardedAnswerItemKindFieldEvent {
    field: '$.item.kind'
    value: ItemKind
  }

  export interface ForwardedAnswerItemKeyFieldEvent {
    field: '$.item.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardedAnswerItemBodyFieldEvent {
    field: '$.item.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardedAnswerItemTtlSecondsFieldEvent {
    field: '$.item.ttlSeconds'
    value: number
  }

  export interface ForwardedAnswerItemAcceptorsFieldEvent {
    field: '$.item.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ForwardedAnswer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardedAnswer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardedAnswer>): ForwardedAnswer {
    return decodeMessage(buf, ForwardedAnswer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardedAnswer>): Generator<ForwardedAnswerPeerFieldEvent | ForwardedAnswerItemKindFieldEvent | ForwardedAnswerItemKeyFieldEvent | ForwardedAnswerItemBodyFieldEvent | ForwardedAnswerItemTtlSecondsFieldEvent | ForwardedAnswerItemAcceptorsFieldEvent> {
    return streamMessage(buf, ForwardedAnswer.codec(), opts)
  }
}

export interface ForwardResponse {
  answers: ForwardedAnswer[]
  closer: PeerInfo[]
  tooFewOpen?: boolean
  reachable?: number
}

export namespace ForwardResponse {
  let _codec: Codec<ForwardResponse>

  export const codec = (): Codec<ForwardResponse> => {
    if (_codec == null) {
      _codec = message<ForwardResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.answers != null && obj.answers.length > 0) {
          for (const value of obj.answers) {
            w.uint32(10)
            ForwardedAnswer.codec().encode(value, w)
          }
        }

        if (obj.closer != null && obj.closer.length > 0) {
          for (const value of obj.closer) {
            w.uint32(18)
            PeerInfo.codec().encode(value, w)
          }
        }

        if (obj.tooFewOpen != null) {
          w.uint32(24)
          w.bool(obj.tooFewOpen)
        }

        if (obj.reachable != null) {
          w.uint32(32)
          w.uint32(obj.reachable)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          answers: [],
          closer: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.answers != null && obj.answers.length === opts.limits.answers) {
                throw new MaxLengthError('Decode error - repeated field "answers" had too many elements')
              }

              obj.answers.push(ForwardedAnswer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.answers$
              }))
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
            case 3: {
              obj.tooFewOpen = reader.bool()
              break
            }
            case 4: {
              obj.reachable = reader.uint32()
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
          answers: 0,
          closer: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.answers != null && obj.answers === opts.limits.answers) {
                throw new MaxLengthError('Streaming decode error - repeated field "answers" had too many elements')
              }

              for (const evt of ForwardedAnswer.codec().stream(reader, reader.uint32(), `${prefix}.answers[]`, {
                limits: opts.limits?.answers$
              })) {
                yield {
                  ...evt,
                  index: obj.answers
                }
              }

              obj.answers++

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
            case 3: {
              yield {
                field: `${prefix}.tooFewOpen`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.reachable`,
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

  export interface ForwardResponseAnswersPeerFieldEvent {
    field: '$.answers[].peer'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardResponseAnswersItemKindFieldEvent {
    field: '$.answers[].item.kind'
    value: ItemKind
    index: number
  }

  export interface ForwardResponseAnswersItemKeyFieldEvent {
    field: '$.answers[].item.key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardResponseAnswersItemBodyFieldEvent {
    field: '$.answers[].item.body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardResponseAnswersItemTtlSecondsFieldEvent {
    field: '$.answers[].item.ttlSeconds'
    value: number
    index: number
  }

  export interface ForwardResponseAnswersItemAcceptorsFieldEvent {
    field: '$.answers[].item.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardResponseCloserIdFieldEvent {
    field: '$.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardResponseCloserAddrsFieldEvent {
    field: '$.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardResponseTooFewOpenFieldEvent {
    field: '$.tooFewOpen'
    value: boolean
  }

  export interface ForwardResponseReachableFieldEvent {
    field: '$.reachable'
    value: number
  }

  export function encode (obj: Partial<ForwardResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardResponse>): ForwardResponse {
    return decodeMessage(buf, ForwardResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardResponse>): Generator<ForwardResponseAnswersPeerFieldEvent | ForwardResponseAnswersItemKindFieldEvent | ForwardResponseAnswersItemKeyFieldEvent | ForwardResponseAnswersItemBodyFieldEvent | ForwardResponseAnswersItemTtlSecondsFieldEvent | ForwardResponseAnswersItemAcceptorsFieldEvent | ForwardResponseCloserIdFieldEvent | ForwardResponseCloserAddrsFieldEvent | ForwardResponseTooFewOpenFieldEvent | ForwardResponseReachableFieldEvent> {
    return streamMessage(buf, ForwardResponse.codec(), opts)
  }
}

export interface ForwardStoreRequest {
  item?: Item
  ackNonce: Uint8Array<ArrayBuffer>
  timeoutMs: number
  enough: number
  hops?: number
}

export namespace ForwardStoreRequest {
  let _codec: Codec<ForwardStoreRequest>

  export const codec = (): Codec<ForwardStoreRequest> => {
    if (_codec == null) {
      _codec = message<ForwardStoreRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.item != null) {
          w.uint32(10)
          Item.codec().encode(obj.item, w)
        }

        if ((obj.ackNonce != null && obj.ackNonce.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ackNonce)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.timeoutMs)
        }

        if ((obj.enough != null && obj.enough !== 0)) {
          w.uint32(32)
          w.uint32(obj.enough)
        }

        if (obj.hops != null) {
          w.uint32(40)
          w.uint32(obj.hops)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ackNonce: uint8ArrayAlloc(0),
          timeoutMs: 0,
          enough: 0
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
              obj.ackNonce = reader.bytes()
              break
            }
            case 3: {
              obj.timeoutMs = reader.uint32()
              break
            }
            case 4: {
              obj.enough = reader.uint32()
              break
            }
            case 5: {
              obj.hops = reader.uint32()
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
                field: `${prefix}.ackNonce`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.enough`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.hops`,
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

  export interface ForwardStoreRequestItemKindFieldEvent {
    field: '$.item.kind'
    value: ItemKind
  }

  export interface ForwardStoreRequestItemKeyFieldEvent {
    field: '$.item.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardStoreRequestItemBodyFieldEvent {
    field: '$.item.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardStoreRequestItemTtlSecondsFieldEvent {
    field: '$.item.ttlSeconds'
    value: number
  }

  export interface ForwardStoreRequestItemAcceptorsFieldEvent {
    field: '$.item.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardStoreRequestAckNonceFieldEvent {
    field: '$.ackNonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardStoreRequestTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export interface ForwardStoreRequestEnoughFieldEvent {
    field: '$.enough'
    value: number
  }

  export interface ForwardStoreRequestHopsFieldEvent {
    field: '$.hops'
    value: number
  }

  export function encode (obj: Partial<ForwardStoreRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardStoreRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardStoreRequest>): ForwardStoreRequest {
    return decodeMessage(buf, ForwardStoreRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardStoreRequest>): Generator<ForwardStoreRequestItemKindFieldEvent | ForwardStoreRequestItemKeyFieldEvent | ForwardStoreRequestItemBodyFieldEvent | ForwardStoreRequestItemTtlSecondsFieldEvent | ForwardStoreRequestItemAcceptorsFieldEvent | ForwardStoreRequestAckNonceFieldEvent | ForwardStoreRequestTimeoutMsFieldEvent | ForwardStoreRequestEnoughFieldEvent | ForwardStoreRequestHopsFieldEvent> {
    return streamMessage(buf, ForwardStoreRequest.codec(), opts)
  }
}

export interface StoreAck {
  peer: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace StoreAck {
  let _codec: Codec<StoreAck>

  export const codec = (): Codec<StoreAck> => {
    if (_codec == null) {
      _codec = message<StoreAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.bytes()
              break
            }
            case 2: {
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
                field: `${prefix}.peer`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
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

  export interface StoreAckPeerFieldEvent {
    field: '$.peer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoreAckSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoreAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreAck>): StoreAck {
    return decodeMessage(buf, StoreAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreAck>): Generator<StoreAckPeerFieldEvent | StoreAckSignatureFieldEvent> {
    return streamMessage(buf, StoreAck.codec(), opts)
  }
}

export interface ForwardStoreResponse {
  acks: StoreAck[]
  closer: PeerInfo[]
  storing: Uint8Array<ArrayBuffer>[]
}

export namespace ForwardStoreResponse {
  let _codec: Codec<ForwardStoreResponse>

  export const codec = (): Codec<ForwardStoreResponse> => {
    if (_codec == null) {
      _codec = message<ForwardStoreResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.acks != null && obj.acks.length > 0) {
          for (const value of obj.acks) {
            w.uint32(10)
            StoreAck.codec().encode(value, w)
          }
        }

        if (obj.closer != null && obj.closer.length > 0) {
          for (const value of obj.closer) {
            w.uint32(18)
            PeerInfo.codec().encode(value, w)
          }
        }

        if (obj.storing != null && obj.storing.length > 0) {
          for (const value of obj.storing) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          acks: [],
          closer: [],
          storing: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.acks != null && obj.acks.length === opts.limits.acks) {
                throw new MaxLengthError('Decode error - repeated field "acks" had too many elements')
              }

              if (obj.acks.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "acks" had too many elements')
              }

              obj.acks.push(StoreAck.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.acks$
              }))
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
            case 3: {
              if (opts.limits?.storing != null && obj.storing.length === opts.limits.storing) {
                throw new MaxLengthError('Decode error - repeated field "storing" had too many elements')
              }

              if (obj.storing.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "storing" had too many elements')
              }

              obj.storing.push(reader.bytes())
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
          acks: 64,
          closer: 0,
          storing: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.acks != null && obj.acks === opts.limits.acks) {
                throw new MaxLengthError('Streaming decode error - repeated field "acks" had too many elements')
              }

              if (obj.acks === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "acks" had too many elements')
              }

              for (const evt of StoreAck.codec().stream(reader, reader.uint32(), `${prefix}.acks[]`, {
                limits: opts.limits?.acks$
              })) {
                yield {
                  ...evt,
                  index: obj.acks
                }
              }

              obj.acks++

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
            case 3: {
              if (opts.limits?.storing != null && obj.storing === opts.limits.storing) {
                throw new MaxLengthError('Streaming decode error - repeated field "storing" had too many elements')
              }

              if (obj.storing === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "storing" had too many elements')
              }

              yield {
                field: `${prefix}.storing[]`,
                index: obj.storing,
                value: reader.bytes()
              }

              obj.storing++

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

  export interface ForwardStoreResponseAcksPeerFieldEvent {
    field: '$.acks[].peer'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardStoreResponseAcksSignatureFieldEvent {
    field: '$.acks[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardStoreResponseCloserIdFieldEvent {
    field: '$.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardStoreResponseCloserAddrsFieldEvent {
    field: '$.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForwardStoreResponseStoringFieldEvent {
    field: '$.storing[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ForwardStoreResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardStoreResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardStoreResponse>): ForwardStoreResponse {
    return decodeMessage(buf, ForwardStoreResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardStoreResponse>): Generator<ForwardStoreResponseAcksPeerFieldEvent | ForwardStoreResponseAcksSignatureFieldEvent | ForwardStoreResponseCloserIdFieldEvent | ForwardStoreResponseCloserAddrsFieldEvent | ForwardStoreResponseStoringFieldEvent> {
    return streamMessage(buf, ForwardStoreResponse.codec(), opts)
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
  digestRequest?: DigestRequest
  digestResponse?: DigestResponse
  syncKeysRequest?: SyncKeysRequest
  syncKeysResponse?: SyncKeysResponse
  holdsRequest?: HoldsRequest
  holdsResponse?: HoldsResponse
  handoffRequest?: HandoffRequest
  handoffResponse?: HandoffResponse
  casPrepareRequest?: CasPrepareRequest
  casPrepareResponse?: CasPrepareResponse
  casAcceptRequest?: CasAcceptRequest
  casAcceptResponse?: CasAcceptResponse
  leaveRequest?: LeaveRequest
  leaveResponse?: LeaveResponse
  forwardRequest?: ForwardRequest
  forwardResponse?: ForwardResponse
  fetchManyRequest?: FetchManyRequest
  fetchManyResponse?: FetchManyResponse
  forwardStoreRequest?: ForwardStoreRequest
  forwardStoreResponse?: ForwardStoreResponse
}

export namespace Frame {
  export enum Type {
    UNSPECIFIED = 'UNSPECIFIED',
    FIND_BEFORE_N = 'FIND_BEFORE_N',
    STORE = 'STORE',
    FETCH = 'FETCH',
    DIGEST = 'DIGEST',
    SYNC_KEYS = 'SYNC_KEYS',
    HOLDS = 'HOLDS',
    HANDOFF = 'HANDOFF',
    CAS_PREPARE = 'CAS_PREPARE',
    CAS_ACCEPT = 'CAS_ACCEPT',
    LEAVE = 'LEAVE',
    FORWARD = 'FORWARD',
    FETCH_MANY = 'FETCH_MANY',
    FORWARD_STORE = 'FORWARD_STORE'
  }

  enum __TypeValues {
    UNSPECIFIED = 0,
    FIND_BEFORE_N = 1,
    STORE = 2,
    FETCH = 3,
    DIGEST = 4,
    SYNC_KEYS = 5,
    HOLDS = 6,
    HANDOFF = 7,
    CAS_PREPARE = 8,
    CAS_ACCEPT = 9,
    LEAVE = 10,
    FORWARD = 11,
    FETCH_MANY = 12,
    FORWARD_STORE = 13
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

        if (obj.digestRequest != null) {
          w.uint32(130)
          DigestRequest.codec().encode(obj.digestRequest, w)
        }

        if (obj.digestResponse != null) {
          w.uint32(138)
          DigestResponse.codec().encode(obj.digestResponse, w)
        }

        if (obj.syncKeysRequest != null) {
          w.uint32(146)
          SyncKeysRequest.codec().encode(obj.syncKeysRequest, w)
        }

        if (obj.syncKeysResponse != null) {
          w.uint32(154)
          SyncKeysResponse.codec().encode(obj.syncKeysResponse, w)
        }

        if (obj.holdsRequest != null) {
          w.uint32(162)
          HoldsRequest.codec().encode(obj.holdsRequest, w)
        }

        if (obj.holdsResponse != null) {
          w.uint32(170)
          HoldsResponse.codec().encode(obj.holdsResponse, w)
        }

        if (obj.handoffRequest != null) {
          w.uint32(178)
          HandoffRequest.codec().encode(obj.handoffRequest, w)
        }

        if (obj.handoffResponse != null) {
          w.uint32(186)
          HandoffResponse.codec().encode(obj.handoffResponse, w)
        }

        if (obj.casPrepareRequest != null) {
          w.uint32(194)
          CasPrepareRequest.codec().encode(obj.casPrepareRequest, w)
        }

        if (obj.casPrepareResponse != null) {
          w.uint32(202)
          CasPrepareResponse.codec().encode(obj.casPrepareResponse, w)
        }

        if (obj.casAcceptRequest != null) {
          w.uint32(210)
          CasAcceptRequest.codec().encode(obj.casAcceptRequest, w)
        }

        if (obj.casAcceptResponse != null) {
          w.uint32(218)
          CasAcceptResponse.codec().encode(obj.casAcceptResponse, w)
        }

        if (obj.leaveRequest != null) {
          w.uint32(226)
          LeaveRequest.codec().encode(obj.leaveRequest, w)
        }

        if (obj.leaveResponse != null) {
          w.uint32(234)
          LeaveResponse.codec().encode(obj.leaveResponse, w)
        }

        if (obj.forwardRequest != null) {
          w.uint32(242)
          ForwardRequest.codec().encode(obj.forwardRequest, w)
        }

        if (obj.forwardResponse != null) {
          w.uint32(250)
          ForwardResponse.codec().encode(obj.forwardResponse, w)
        }

        if (obj.fetchManyRequest != null) {
          w.uint32(258)
          FetchManyRequest.codec().encode(obj.fetchManyRequest, w)
        }

        if (obj.fetchManyResponse != null) {
          w.uint32(266)
          FetchManyResponse.codec().encode(obj.fetchManyResponse, w)
        }

        if (obj.forwardStoreRequest != null) {
          w.uint32(274)
          ForwardStoreRequest.codec().encode(obj.forwardStoreRequest, w)
        }

        if (obj.forwardStoreResponse != null) {
          w.uint32(282)
          ForwardStoreResponse.codec().encode(obj.forwardStoreResponse, w)
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
            case 16: {
              obj.digestRequest = DigestRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.digestRequest
              })
              break
            }
            case 17: {
              obj.digestResponse = DigestResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.digestResponse
              })
              break
            }
            case 18: {
              obj.syncKeysRequest = SyncKeysRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.syncKeysRequest
              })
              break
            }
            case 19: {
              obj.syncKeysResponse = SyncKeysResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.syncKeysResponse
              })
              break
            }
            case 20: {
              obj.holdsRequest = HoldsRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.holdsRequest
              })
              break
            }
            case 21: {
              obj.holdsResponse = HoldsResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.holdsResponse
              })
              break
            }
            case 22: {
              obj.handoffRequest = HandoffRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.handoffRequest
              })
              break
            }
            case 23: {
              obj.handoffResponse = HandoffResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.handoffResponse
              })
              break
            }
            case 24: {
              obj.casPrepareRequest = CasPrepareRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.casPrepareRequest
              })
              break
            }
            case 25: {
              obj.casPrepareResponse = CasPrepareResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.casPrepareResponse
              })
              break
            }
            case 26: {
              obj.casAcceptRequest = CasAcceptRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.casAcceptRequest
              })
              break
            }
            case 27: {
              obj.casAcceptResponse = CasAcceptResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.casAcceptResponse
              })
              break
            }
            case 28: {
              obj.leaveRequest = LeaveRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.leaveRequest
              })
              break
            }
            case 29: {
              obj.leaveResponse = LeaveResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.leaveResponse
              })
              break
            }
            case 30: {
              obj.forwardRequest = ForwardRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.forwardRequest
              })
              break
            }
            case 31: {
              obj.forwardResponse = ForwardResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.forwardResponse
              })
              break
            }
            case 32: {
              obj.fetchManyRequest = FetchManyRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetchManyRequest
              })
              break
            }
            case 33: {
              obj.fetchManyResponse = FetchManyResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetchManyResponse
              })
              break
            }
            case 34: {
              obj.forwardStoreRequest = ForwardStoreRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.forwardStoreRequest
              })
              break
            }
            case 35: {
              obj.forwardStoreResponse = ForwardStoreResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.forwardStoreResponse
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
            case 16: {
              yield * DigestRequest.codec().stream(reader, reader.uint32(), `${prefix}.digestRequest`, {
                limits: opts.limits?.digestRequest
              })

              break
            }
            case 17: {
              yield * DigestResponse.codec().stream(reader, reader.uint32(), `${prefix}.digestResponse`, {
                limits: opts.limits?.digestResponse
              })

              break
            }
            case 18: {
              yield * SyncKeysRequest.codec().stream(reader, reader.uint32(), `${prefix}.syncKeysRequest`, {
                limits: opts.limits?.syncKeysRequest
              })

              break
            }
            case 19: {
              yield * SyncKeysResponse.codec().stream(reader, reader.uint32(), `${prefix}.syncKeysResponse`, {
                limits: opts.limits?.syncKeysResponse
              })

              break
            }
            case 20: {
              yield * HoldsRequest.codec().stream(reader, reader.uint32(), `${prefix}.holdsRequest`, {
                limits: opts.limits?.holdsRequest
              })

              break
            }
            case 21: {
              yield * HoldsResponse.codec().stream(reader, reader.uint32(), `${prefix}.holdsResponse`, {
                limits: opts.limits?.holdsResponse
              })

              break
            }
            case 22: {
              yield * HandoffRequest.codec().stream(reader, reader.uint32(), `${prefix}.handoffRequest`, {
                limits: opts.limits?.handoffRequest
              })

              break
            }
            case 23: {
              yield * HandoffResponse.codec().stream(reader, reader.uint32(), `${prefix}.handoffResponse`, {
                limits: opts.limits?.handoffResponse
              })

              break
            }
            case 24: {
              yield * CasPrepareRequest.codec().stream(reader, reader.uint32(), `${prefix}.casPrepareRequest`, {
                limits: opts.limits?.casPrepareRequest
              })

              break
            }
            case 25: {
              yield * CasPrepareResponse.codec().stream(reader, reader.uint32(), `${prefix}.casPrepareResponse`, {
                limits: opts.limits?.casPrepareResponse
              })

              break
            }
            case 26: {
              yield * CasAcceptRequest.codec().stream(reader, reader.uint32(), `${prefix}.casAcceptRequest`, {
                limits: opts.limits?.casAcceptRequest
              })

              break
            }
            case 27: {
              yield * CasAcceptResponse.codec().stream(reader, reader.uint32(), `${prefix}.casAcceptResponse`, {
                limits: opts.limits?.casAcceptResponse
              })

              break
            }
            case 28: {
              yield * LeaveRequest.codec().stream(reader, reader.uint32(), `${prefix}.leaveRequest`, {
                limits: opts.limits?.leaveRequest
              })

              break
            }
            case 29: {
              yield * LeaveResponse.codec().stream(reader, reader.uint32(), `${prefix}.leaveResponse`, {
                limits: opts.limits?.leaveResponse
              })

              break
            }
            case 30: {
              yield * ForwardRequest.codec().stream(reader, reader.uint32(), `${prefix}.forwardRequest`, {
                limits: opts.limits?.forwardRequest
              })

              break
            }
            case 31: {
              yield * ForwardResponse.codec().stream(reader, reader.uint32(), `${prefix}.forwardResponse`, {
                limits: opts.limits?.forwardResponse
              })

              break
            }
            case 32: {
              yield * FetchManyRequest.codec().stream(reader, reader.uint32(), `${prefix}.fetchManyRequest`, {
                limits: opts.limits?.fetchManyRequest
              })

              break
            }
            case 33: {
              yield * FetchManyResponse.codec().stream(reader, reader.uint32(), `${prefix}.fetchManyResponse`, {
                limits: opts.limits?.fetchManyResponse
              })

              break
            }
            case 34: {
              yield * ForwardStoreRequest.codec().stream(reader, reader.uint32(), `${prefix}.forwardStoreRequest`, {
                limits: opts.limits?.forwardStoreRequest
              })

              break
            }
            case 35: {
              yield * ForwardStoreResponse.codec().stream(reader, reader.uint32(), `${prefix}.forwardStoreResponse`, {
                limits: opts.limits?.forwardStoreResponse
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

  export interface FrameFindBeforeNRequestRouteFieldEvent {
    field: '$.findBeforeNRequest.route'
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

  export interface FrameFindBeforeNResponseRoutedFieldEvent {
    field: '$.findBeforeNResponse.routed'
    value: number
  }

  export interface FrameFindBeforeNResponseExhaustiveFieldEvent {
    field: '$.findBeforeNResponse.exhaustive'
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

  export interface FrameStoreRequestItemTtlSecondsFieldEvent {
    field: '$.storeRequest.item.ttlSeconds'
    value: number
  }

  export interface FrameStoreRequestItemAcceptorsFieldEvent {
    field: '$.storeRequest.item.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStoreRequestExpectedSeqFieldEvent {
    field: '$.storeRequest.expectedSeq'
    value: bigint
  }

  export interface FrameStoreRequestCloserCountFieldEvent {
    field: '$.storeRequest.closerCount'
    value: number
  }

  export interface FrameStoreRequestAckNonceFieldEvent {
    field: '$.storeRequest.ackNonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStoreResponseStoredSeqFieldEvent {
    field: '$.storeResponse.storedSeq'
    value: bigint
  }

  export interface FrameStoreResponseCloserIdFieldEvent {
    field: '$.storeResponse.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameStoreResponseCloserAddrsFieldEvent {
    field: '$.storeResponse.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStoreResponseAckFieldEvent {
    field: '$.storeResponse.ack'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchRequestKeyFieldEvent {
    field: '$.fetchRequest.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchRequestCloserCountFieldEvent {
    field: '$.fetchRequest.closerCount'
    value: number
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

  export interface FrameFetchResponseItemTtlSecondsFieldEvent {
    field: '$.fetchResponse.item.ttlSeconds'
    value: number
  }

  export interface FrameFetchResponseItemAcceptorsFieldEvent {
    field: '$.fetchResponse.item.acceptors[]'
    index: number
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

  export interface FrameDigestRequestCountFieldEvent {
    field: '$.digestRequest.count'
    value: number
  }

  export interface FrameDigestRequestHashFieldEvent {
    field: '$.digestRequest.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameDigestResponseMatchFieldEvent {
    field: '$.digestResponse.match'
    value: boolean
  }

  export interface FrameDigestResponseBucketsIndexFieldEvent {
    field: '$.digestResponse.buckets[].index'
    value: number
    index: number
  }

  export interface FrameDigestResponseBucketsCountFieldEvent {
    field: '$.digestResponse.buckets[].count'
    value: number
    index: number
  }

  export interface FrameDigestResponseBucketsHashFieldEvent {
    field: '$.digestResponse.buckets[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameSyncKeysRequestBucketFieldEvent {
    field: '$.syncKeysRequest.bucket'
    value: number
  }

  export interface FrameSyncKeysRequestKeysKeyFieldEvent {
    field: '$.syncKeysRequest.keys[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameSyncKeysRequestKeysSeqFieldEvent {
    field: '$.syncKeysRequest.keys[].seq'
    value: bigint
    index: number
  }

  export interface FrameSyncKeysResponseMissingFieldEvent {
    field: '$.syncKeysResponse.missing[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHoldsRequestKeysFieldEvent {
    field: '$.holdsRequest.keys[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHoldsResponseHeldKeyFieldEvent {
    field: '$.holdsResponse.held[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameHoldsResponseHeldSeqFieldEvent {
    field: '$.holdsResponse.held[].seq'
    value: bigint
    index: number
  }

  export interface FrameHandoffRequestCursorFieldEvent {
    field: '$.handoffRequest.cursor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHandoffRequestLimitFieldEvent {
    field: '$.handoffRequest.limit'
    value: number
  }

  export interface FrameHandoffRequestAckedFieldEvent {
    field: '$.handoffRequest.acked[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHandoffResponseItemsKindFieldEvent {
    field: '$.handoffResponse.items[].kind'
    value: ItemKind
    index: number
  }

  export interface FrameHandoffResponseItemsKeyFieldEvent {
    field: '$.handoffResponse.items[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameHandoffResponseItemsBodyFieldEvent {
    field: '$.handoffResponse.items[].body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameHandoffResponseItemsTtlSecondsFieldEvent {
    field: '$.handoffResponse.items[].ttlSeconds'
    value: number
    index: number
  }

  export interface FrameHandoffResponseItemsAcceptorsFieldEvent {
    field: '$.handoffResponse.items[].acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHandoffResponseCursorFieldEvent {
    field: '$.handoffResponse.cursor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHandoffResponseDoneFieldEvent {
    field: '$.handoffResponse.done'
    value: boolean
  }

  export interface FrameCasPrepareRequestIdFieldEvent {
    field: '$.casPrepareRequest.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareRequestExpectedSeqFieldEvent {
    field: '$.casPrepareRequest.expectedSeq'
    value: bigint
  }

  export interface FrameCasPrepareRequestBallotCounterFieldEvent {
    field: '$.casPrepareRequest.ballot.counter'
    value: bigint
  }

  export interface FrameCasPrepareRequestBallotProposerFieldEvent {
    field: '$.casPrepareRequest.ballot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareRequestAcceptorsFieldEvent {
    field: '$.casPrepareRequest.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareResponsePromisedFieldEvent {
    field: '$.casPrepareResponse.promised'
    value: boolean
  }

  export interface FrameCasPrepareResponsePromisedBallotCounterFieldEvent {
    field: '$.casPrepareResponse.promisedBallot.counter'
    value: bigint
  }

  export interface FrameCasPrepareResponsePromisedBallotProposerFieldEvent {
    field: '$.casPrepareResponse.promisedBallot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareResponseAcceptedBallotCounterFieldEvent {
    field: '$.casPrepareResponse.acceptedBallot.counter'
    value: bigint
  }

  export interface FrameCasPrepareResponseAcceptedBallotProposerFieldEvent {
    field: '$.casPrepareResponse.acceptedBallot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareResponseAcceptedRecordFieldEvent {
    field: '$.casPrepareResponse.acceptedRecord'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareResponseStoredSeqFieldEvent {
    field: '$.casPrepareResponse.storedSeq'
    value: bigint
  }

  export interface FrameCasPrepareResponseReplicaFieldEvent {
    field: '$.casPrepareResponse.replica'
    value: boolean
  }

  export interface FrameCasPrepareResponseCloserIdFieldEvent {
    field: '$.casPrepareResponse.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameCasPrepareResponseCloserAddrsFieldEvent {
    field: '$.casPrepareResponse.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareResponseStaleFieldEvent {
    field: '$.casPrepareResponse.stale'
    value: boolean
  }

  export interface FrameCasPrepareResponseSlotKnownFieldEvent {
    field: '$.casPrepareResponse.slotKnown'
    value: boolean
  }

  export interface FrameCasPrepareResponseAcceptedHashFieldEvent {
    field: '$.casPrepareResponse.acceptedHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareResponseStoredAcceptorsFieldEvent {
    field: '$.casPrepareResponse.storedAcceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasPrepareResponseAcceptedAcceptorsFieldEvent {
    field: '$.casPrepareResponse.acceptedAcceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasAcceptRequestIdFieldEvent {
    field: '$.casAcceptRequest.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasAcceptRequestExpectedSeqFieldEvent {
    field: '$.casAcceptRequest.expectedSeq'
    value: bigint
  }

  export interface FrameCasAcceptRequestBallotCounterFieldEvent {
    field: '$.casAcceptRequest.ballot.counter'
    value: bigint
  }

  export interface FrameCasAcceptRequestBallotProposerFieldEvent {
    field: '$.casAcceptRequest.ballot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasAcceptRequestRecordFieldEvent {
    field: '$.casAcceptRequest.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasAcceptRequestAcceptorsFieldEvent {
    field: '$.casAcceptRequest.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasAcceptRequestNextAcceptorsFieldEvent {
    field: '$.casAcceptRequest.nextAcceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasAcceptResponseAcceptedFieldEvent {
    field: '$.casAcceptResponse.accepted'
    value: boolean
  }

  export interface FrameCasAcceptResponsePromisedBallotCounterFieldEvent {
    field: '$.casAcceptResponse.promisedBallot.counter'
    value: bigint
  }

  export interface FrameCasAcceptResponsePromisedBallotProposerFieldEvent {
    field: '$.casAcceptResponse.promisedBallot.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameCasAcceptResponseStoredSeqFieldEvent {
    field: '$.casAcceptResponse.storedSeq'
    value: bigint
  }

  export interface FrameForwardRequestKeyFieldEvent {
    field: '$.forwardRequest.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardRequestModeFieldEvent {
    field: '$.forwardRequest.mode'
    value: ForwardMode
  }

  export interface FrameForwardRequestTimeoutMsFieldEvent {
    field: '$.forwardRequest.timeoutMs'
    value: number
  }

  export interface FrameForwardRequestEnoughFieldEvent {
    field: '$.forwardRequest.enough'
    value: number
  }

  export interface FrameForwardRequestShortAtOnceFieldEvent {
    field: '$.forwardRequest.shortAtOnce'
    value: boolean
  }

  export interface FrameForwardRequestHopsFieldEvent {
    field: '$.forwardRequest.hops'
    value: number
  }

  export interface FrameForwardResponseAnswersPeerFieldEvent {
    field: '$.forwardResponse.answers[].peer'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameForwardResponseAnswersItemKindFieldEvent {
    field: '$.forwardResponse.answers[].item.kind'
    value: ItemKind
    index: number
  }

  export interface FrameForwardResponseAnswersItemKeyFieldEvent {
    field: '$.forwardResponse.answers[].item.key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameForwardResponseAnswersItemBodyFieldEvent {
    field: '$.forwardResponse.answers[].item.body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameForwardResponseAnswersItemTtlSecondsFieldEvent {
    field: '$.forwardResponse.answers[].item.ttlSeconds'
    value: number
    index: number
  }

  export interface FrameForwardResponseAnswersItemAcceptorsFieldEvent {
    field: '$.forwardResponse.answers[].item.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardResponseCloserIdFieldEvent {
    field: '$.forwardResponse.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameForwardResponseCloserAddrsFieldEvent {
    field: '$.forwardResponse.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardResponseTooFewOpenFieldEvent {
    field: '$.forwardResponse.tooFewOpen'
    value: boolean
  }

  export interface FrameForwardResponseReachableFieldEvent {
    field: '$.forwardResponse.reachable'
    value: number
  }

  export interface FrameFetchManyRequestKeysFieldEvent {
    field: '$.fetchManyRequest.keys[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchManyResponseItemsKindFieldEvent {
    field: '$.fetchManyResponse.items[].kind'
    value: ItemKind
    index: number
  }

  export interface FrameFetchManyResponseItemsKeyFieldEvent {
    field: '$.fetchManyResponse.items[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameFetchManyResponseItemsBodyFieldEvent {
    field: '$.fetchManyResponse.items[].body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameFetchManyResponseItemsTtlSecondsFieldEvent {
    field: '$.fetchManyResponse.items[].ttlSeconds'
    value: number
    index: number
  }

  export interface FrameFetchManyResponseItemsAcceptorsFieldEvent {
    field: '$.fetchManyResponse.items[].acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchManyResponseMissingFieldEvent {
    field: '$.fetchManyResponse.missing[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameFetchManyResponseOmittedFieldEvent {
    field: '$.fetchManyResponse.omitted[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardStoreRequestItemKindFieldEvent {
    field: '$.forwardStoreRequest.item.kind'
    value: ItemKind
  }

  export interface FrameForwardStoreRequestItemKeyFieldEvent {
    field: '$.forwardStoreRequest.item.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardStoreRequestItemBodyFieldEvent {
    field: '$.forwardStoreRequest.item.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardStoreRequestItemTtlSecondsFieldEvent {
    field: '$.forwardStoreRequest.item.ttlSeconds'
    value: number
  }

  export interface FrameForwardStoreRequestItemAcceptorsFieldEvent {
    field: '$.forwardStoreRequest.item.acceptors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardStoreRequestAckNonceFieldEvent {
    field: '$.forwardStoreRequest.ackNonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardStoreRequestTimeoutMsFieldEvent {
    field: '$.forwardStoreRequest.timeoutMs'
    value: number
  }

  export interface FrameForwardStoreRequestEnoughFieldEvent {
    field: '$.forwardStoreRequest.enough'
    value: number
  }

  export interface FrameForwardStoreRequestHopsFieldEvent {
    field: '$.forwardStoreRequest.hops'
    value: number
  }

  export interface FrameForwardStoreResponseAcksPeerFieldEvent {
    field: '$.forwardStoreResponse.acks[].peer'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameForwardStoreResponseAcksSignatureFieldEvent {
    field: '$.forwardStoreResponse.acks[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameForwardStoreResponseCloserIdFieldEvent {
    field: '$.forwardStoreResponse.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameForwardStoreResponseCloserAddrsFieldEvent {
    field: '$.forwardStoreResponse.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameForwardStoreResponseStoringFieldEvent {
    field: '$.forwardStoreResponse.storing[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameIdFieldEvent | FrameTypeFieldEvent | FrameResponseFieldEvent | FrameStatusFieldEvent | FrameMessageFieldEvent | FrameFindBeforeNRequestTargetFieldEvent | FrameFindBeforeNRequestNFieldEvent | FrameFindBeforeNRequestRouteFieldEvent | FrameFindBeforeNResponsePeersIdFieldEvent | FrameFindBeforeNResponsePeersAddrsFieldEvent | FrameFindBeforeNResponseHoldsFieldEvent | FrameFindBeforeNResponseRoutedFieldEvent | FrameFindBeforeNResponseExhaustiveFieldEvent | FrameStoreRequestItemKindFieldEvent | FrameStoreRequestItemKeyFieldEvent | FrameStoreRequestItemBodyFieldEvent | FrameStoreRequestItemTtlSecondsFieldEvent | FrameStoreRequestItemAcceptorsFieldEvent | FrameStoreRequestExpectedSeqFieldEvent | FrameStoreRequestCloserCountFieldEvent | FrameStoreRequestAckNonceFieldEvent | FrameStoreResponseStoredSeqFieldEvent | FrameStoreResponseCloserIdFieldEvent | FrameStoreResponseCloserAddrsFieldEvent | FrameStoreResponseAckFieldEvent | FrameFetchRequestKeyFieldEvent | FrameFetchRequestCloserCountFieldEvent | FrameFetchResponseItemKindFieldEvent | FrameFetchResponseItemKeyFieldEvent | FrameFetchResponseItemBodyFieldEvent | FrameFetchResponseItemTtlSecondsFieldEvent | FrameFetchResponseItemAcceptorsFieldEvent | FrameFetchResponseCloserIdFieldEvent | FrameFetchResponseCloserAddrsFieldEvent | FrameDigestRequestCountFieldEvent | FrameDigestRequestHashFieldEvent | FrameDigestResponseMatchFieldEvent | FrameDigestResponseBucketsIndexFieldEvent | FrameDigestResponseBucketsCountFieldEvent | FrameDigestResponseBucketsHashFieldEvent | FrameSyncKeysRequestBucketFieldEvent | FrameSyncKeysRequestKeysKeyFieldEvent | FrameSyncKeysRequestKeysSeqFieldEvent | FrameSyncKeysResponseMissingFieldEvent | FrameHoldsRequestKeysFieldEvent | FrameHoldsResponseHeldKeyFieldEvent | FrameHoldsResponseHeldSeqFieldEvent | FrameHandoffRequestCursorFieldEvent | FrameHandoffRequestLimitFieldEvent | FrameHandoffRequestAckedFieldEvent | FrameHandoffResponseItemsKindFieldEvent | FrameHandoffResponseItemsKeyFieldEvent | FrameHandoffResponseItemsBodyFieldEvent | FrameHandoffResponseItemsTtlSecondsFieldEvent | FrameHandoffResponseItemsAcceptorsFieldEvent | FrameHandoffResponseCursorFieldEvent | FrameHandoffResponseDoneFieldEvent | FrameCasPrepareRequestIdFieldEvent | FrameCasPrepareRequestExpectedSeqFieldEvent | FrameCasPrepareRequestBallotCounterFieldEvent | FrameCasPrepareRequestBallotProposerFieldEvent | FrameCasPrepareRequestAcceptorsFieldEvent | FrameCasPrepareResponsePromisedFieldEvent | FrameCasPrepareResponsePromisedBallotCounterFieldEvent | FrameCasPrepareResponsePromisedBallotProposerFieldEvent | FrameCasPrepareResponseAcceptedBallotCounterFieldEvent | FrameCasPrepareResponseAcceptedBallotProposerFieldEvent | FrameCasPrepareResponseAcceptedRecordFieldEvent | FrameCasPrepareResponseStoredSeqFieldEvent | FrameCasPrepareResponseReplicaFieldEvent | FrameCasPrepareResponseCloserIdFieldEvent | FrameCasPrepareResponseCloserAddrsFieldEvent | FrameCasPrepareResponseStaleFieldEvent | FrameCasPrepareResponseSlotKnownFieldEvent | FrameCasPrepareResponseAcceptedHashFieldEvent | FrameCasPrepareResponseStoredAcceptorsFieldEvent | FrameCasPrepareResponseAcceptedAcceptorsFieldEvent | FrameCasAcceptRequestIdFieldEvent | FrameCasAcceptRequestExpectedSeqFieldEvent | FrameCasAcceptRequestBallotCounterFieldEvent | FrameCasAcceptRequestBallotProposerFieldEvent | FrameCasAcceptRequestRecordFieldEvent | FrameCasAcceptRequestAcceptorsFieldEvent | FrameCasAcceptRequestNextAcceptorsFieldEvent | FrameCasAcceptResponseAcceptedFieldEvent | FrameCasAcceptResponsePromisedBallotCounterFieldEvent | FrameCasAcceptResponsePromisedBallotProposerFieldEvent | FrameCasAcceptResponseStoredSeqFieldEvent | FrameForwardRequestKeyFieldEvent | FrameForwardRequestModeFieldEvent | FrameForwardRequestTimeoutMsFieldEvent | FrameForwardRequestEnoughFieldEvent | FrameForwardRequestShortAtOnceFieldEvent | FrameForwardRequestHopsFieldEvent | FrameForwardResponseAnswersPeerFieldEvent | FrameForwardResponseAnswersItemKindFieldEvent | FrameForwardResponseAnswersItemKeyFieldEvent | FrameForwardResponseAnswersItemBodyFieldEvent | FrameForwardResponseAnswersItemTtlSecondsFieldEvent | FrameForwardResponseAnswersItemAcceptorsFieldEvent | FrameForwardResponseCloserIdFieldEvent | FrameForwardResponseCloserAddrsFieldEvent | FrameForwardResponseTooFewOpenFieldEvent | FrameForwardResponseReachableFieldEvent | FrameFetchManyRequestKeysFieldEvent | FrameFetchManyResponseItemsKindFieldEvent | FrameFetchManyResponseItemsKeyFieldEvent | FrameFetchManyResponseItemsBodyFieldEvent | FrameFetchManyResponseItemsTtlSecondsFieldEvent | FrameFetchManyResponseItemsAcceptorsFieldEvent | FrameFetchManyResponseMissingFieldEvent | FrameFetchManyResponseOmittedFieldEvent | FrameForwardStoreRequestItemKindFieldEvent | FrameForwardStoreRequestItemKeyFieldEvent | FrameForwardStoreRequestItemBodyFieldEvent | FrameForwardStoreRequestItemTtlSecondsFieldEvent | FrameForwardStoreRequestItemAcceptorsFieldEvent | FrameForwardStoreRequestAckNonceFieldEvent | FrameForwardStoreRequestTimeoutMsFieldEvent | FrameForwardStoreRequestEnoughFieldEvent | FrameForwardStoreRequestHopsFieldEvent | FrameForwardStoreResponseAcksPeerFieldEvent | FrameForwardStoreResponseAcksSignatureFieldEvent | FrameForwardStoreResponseCloserIdFieldEvent | FrameForwardStoreResponseCloserAddrsFieldEvent | FrameForwardStoreResponseStoringFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}
