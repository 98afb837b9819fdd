/**
 * A frame as it goes on the stream: its varint length prefix and its bytes
 * (protocols/rpc.md), exactly what the prefix and Frame.encode give, in as
 * few buffers as possible without copying a block.
 *
 * Why few buffers: every buffer handed to the stream becomes a Noise
 * cipher update and its own socket write (@libp2p/tcp writes each one; with
 * TCP_NODELAY each is a syscall). Why no block copy: Frame.encode copies an
 * item's 64 KiB body into a new buffer, and Noise copies it again as it
 * encrypts. So a small frame is one buffer, prefix included (the prefix
 * alone used to be a buffer and a write of its own), and a frame carrying a
 * big item body (a STORE request, a FETCH answer) is three: everything
 * before the body, the body itself (the caller's bytes), and what follows.
 */
import { writer } from 'protons-runtime'
import { FetchResponse, Frame, Item, StoreRequest } from './pb/rpc.ts'
import { encodeVarint } from './frame-stream.ts'
import { encodeFetchManyAnswer, isFetchManyAnswer } from './fetch-many-encode.ts'
import { concat } from 'uint8arrays/concat'

/** Bodies shorter than this are copied like the rest of the frame (a buffer of their own costs more). */
export const BY_REFERENCE_BYTES = 4096

/** Frame.storeRequest is field 12, Frame.fetchResponse field 15; both hold the item as field 1; Item.body is field 3. */
const STORE_REQUEST_FIELD = 12
const FETCH_RESPONSE_FIELD = 15
const ITEM_FIELD = 1
const BODY_FIELD = 3

/** Frame fields numbered before every payload (1-5): a frame split here carries these and its one payload, nothing else. */
const HEADER_FIELDS = new Set<string>(['id', 'type', 'response', 'status', 'message'])

/** A length-prefixed frame: one buffer, or [before the body, the body, after it] (the last left out when empty). */
export interface PrefixedFrame {
  parts: Uint8Array[]
  /** The frame's bytes, the prefix not counted (what Frame.encode's would be). */
  length: number
}

/** The frame's length prefix and bytes. */
export function encodePrefixedFrame (frame: Partial<Frame>): PrefixedFrame {
  const store = frame.storeRequest
  const fetched = frame.fetchResponse
  if (store?.item != null && bigBody(store.item) && onlyPayload(frame, 'storeRequest')) {
    const rest = StoreRequest.encode({ ...store, item: undefined })
    return split(Frame.encode({ ...frame, storeRequest: undefined }), STORE_REQUEST_FIELD, store.item, rest)
  }
  if (fetched?.item != null && bigBody(fetched.item) && onlyPayload(frame, 'fetchResponse')) {
    const rest = FetchResponse.encode({ ...fetched, item: undefined })
    return split(Frame.encode({ ...frame, fetchResponse: undefined }), FETCH_RESPONSE_FIELD, fetched.item, rest)
  }
  if (isFetchManyAnswer(frame)) return encodeFetchManyAnswer(frame)
  // the prefix written by the same writer: one buffer, no second copy
  const w = writer()
  Frame.codec().encode(frame, w, { lengthDelimited: true })
  const bytes = w.finish()
  return { parts: [bytes], length: bytes.byteLength - varintLength(bytes) }
}

/** Frame bytes from another encoder (encodeUnknownTypeAnswer), prefixed. */
export function prefixed (bytes: Uint8Array): PrefixedFrame {
  return { parts: [concat([encodeVarint(bytes.byteLength), bytes])], length: bytes.byteLength }
}

/** Bytes of the varint at the start of `bytes`. */
function varintLength (bytes: Uint8Array): number {
  let n = 0
  while ((bytes[n] & 0x80) !== 0) n++
  return n + 1
}

/**
 * frameHead, then the payload field (number `payloadField`) holding
 * [item field, `payloadRest`], the item being [kind and key, body, the rest]:
 * the fields in number order, as Frame.encode writes them.
 */
function split (frameHead: Uint8Array, payloadField: number, item: Item, payloadRest: Uint8Array): PrefixedFrame {
  const itemHead = Item.encode({ kind: item.kind, key: item.key })
  const bodyPrefix = [...encodeVarint((BODY_FIELD << 3) | 2), ...encodeVarint(item.body.byteLength)]
  // every field numbered after the body (ttlSeconds, acceptors, any added later), as Item.encode writes them
  const itemTail = Item.encode({ ...item, kind: undefined, key: undefined, body: undefined })
  const itemBytes = itemHead.byteLength + bodyPrefix.length + item.body.byteLength + itemTail.byteLength
  const itemPrefix = [...encodeVarint((ITEM_FIELD << 3) | 2), ...encodeVarint(itemBytes)]
  const payloadBytes = itemPrefix.length + itemBytes + payloadRest.byteLength
  const payloadPrefix = [...encodeVarint((payloadField << 3) | 2), ...encodeVarint(payloadBytes)]
  const frameLength = frameHead.byteLength + payloadPrefix.length + payloadBytes
  const head = concat([encodeVarint(frameLength), frameHead, Uint8Array.from(payloadPrefix), Uint8Array.from(itemPrefix), itemHead, Uint8Array.from(bodyPrefix)])
  const tail = concat([itemTail, payloadRest])
  return { parts: tail.byteLength === 0 ? [head, item.body] : [head, item.body, tail], length: frameLength }
}

function bigBody (item: Item): boolean {
  return item.body != null && item.body.byteLength >= BY_REFERENCE_BYTES
}

/**
 * True when the frame holds only header fields and `payload`: then the
 * payload is the last field Frame.encode writes. Anything else (a field
 * added to Frame later, a second payload) takes the ordinary path.
 */
function onlyPayload (frame: Partial<Frame>, payload: keyof Frame): boolean {
  for (const [field, value] of Object.entries(frame)) {
    if (value != null && field !== payload && !HEADER_FIELDS.has(field)) return false
  }
  return true
}
