/**
 * A FETCH_MANY answer as it goes on the stream, with the item bodies by
 * reference: the same bytes as the length prefix and Frame.encode give (see
 * frame-encode.ts for why), but Frame.encode would copy up to 1 MiB of
 * bodies into a new buffer only for Noise to copy it again. Parts: the bytes
 * up to the first body, then each body followed by what lies between it and
 * the next one, and what follows the last.
 */
import { FetchManyResponse, Frame, Item } from './pb/rpc.ts'
import { encodeVarint } from './frame-stream.ts'
import { concat } from 'uint8arrays/concat'

/** Frame.fetchManyResponse is field 33; FetchManyResponse.items field 1; Item.body field 3. */
const FETCH_MANY_RESPONSE_FIELD = 33
const ITEMS_FIELD = 1
const BODY_FIELD = 3

/** Frame fields numbered before every payload (1-5). */
const HEADER_FIELDS = new Set<string>(['id', 'type', 'response', 'status', 'message'])

/** True when `frame` is a FETCH_MANY answer that this encoder writes (only header fields besides it, some item). */
export function isFetchManyAnswer (frame: Partial<Frame>): boolean {
  if (frame.fetchManyResponse == null || frame.fetchManyResponse.items.length === 0) return false
  for (const [field, value] of Object.entries(frame)) {
    if (value != null && field !== 'fetchManyResponse' && !HEADER_FIELDS.has(field)) return false
  }
  return true
}

/** The prefixed frame of a FETCH_MANY answer (isFetchManyAnswer true), bodies by reference: a PrefixedFrame of frame-encode.ts (not imported: that module imports this one). */
export function encodeFetchManyAnswer (frame: Partial<Frame>): { parts: Uint8Array[], length: number } {
  const answer = frame.fetchManyResponse as FetchManyResponse
  const frameHead = Frame.encode({ ...frame, fetchManyResponse: undefined })
  const rest = FetchManyResponse.encode({ items: [], missing: answer.missing, omitted: answer.omitted })
  // each item: [its field tag and length, kind and key, the body's tag and length] body [the fields after the body]
  const items = answer.items.map(item => {
    const head = Item.encode({ kind: item.kind, key: item.key })
    const bodyPrefix = [...encodeVarint((BODY_FIELD << 3) | 2), ...encodeVarint(item.body.byteLength)]
    const tail = Item.encode({ ...item, kind: undefined as any, key: undefined as any, body: undefined as any })
    const length = head.byteLength + bodyPrefix.length + item.body.byteLength + tail.byteLength
    const prefix = [...encodeVarint((ITEMS_FIELD << 3) | 2), ...encodeVarint(length)]
    return { prefix, head, bodyPrefix, body: item.body, tail, bytes: prefix.length + length }
  })
  const payloadBytes = items.reduce((n, i) => n + i.bytes, 0) + rest.byteLength
  const payloadPrefix = [...encodeVarint((FETCH_MANY_RESPONSE_FIELD << 3) | 2), ...encodeVarint(payloadBytes)]
  const frameLength = frameHead.byteLength + payloadPrefix.length + payloadBytes
  const parts: Uint8Array[] = []
  let pending: Uint8Array[] = [encodeVarint(frameLength), frameHead, Uint8Array.from(payloadPrefix)]
  for (const item of items) {
    pending.push(Uint8Array.from(item.prefix), item.head, Uint8Array.from(item.bodyPrefix))
    parts.push(concat(pending), item.body)
    pending = [item.tail]
  }
  pending.push(rest)
  const tail = concat(pending)
  if (tail.byteLength > 0) parts.push(tail)
  return { parts, length: frameLength }
}
