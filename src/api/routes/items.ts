/**
 * Hash items: `POST /v1/items` stores a value, `GET /v1/items/:key` reads one.
 * Values travel as raw bytes; a JSON body `{ "value": "<base64>" }` is accepted
 * too for clients that cannot send binary.
 */
import { MAX_VALUE_BYTES } from '../../constants.ts'
import { InvalidInputError } from '../../errors.ts'
import { checkValueSize, keyToCid, parseKey } from '../../records/hash-item.ts'
import { isJsonType } from '../body.ts'
import { toHex } from '../types.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { PutResponse } from '../types.ts'

/** Base64 of the largest value plus room for the JSON around it. */
const MAX_JSON_PUT_BYTES = Math.ceil(MAX_VALUE_BYTES / 3) * 4 + 1024

export async function putItem (ctx: RequestContext): Promise<ApiResult> {
  const value = isJsonType(ctx.headers['content-type'])
    ? valueFromJson(await ctx.json(MAX_JSON_PUT_BYTES))
    : await ctx.body(MAX_VALUE_BYTES, 'value')
  checkValueSize(value)
  const result = await ctx.node.toyrrent.put(value, { signal: ctx.signal, timeout: ctx.timeout })
  const body: PutResponse = {
    key: result.cid,
    cid: result.cid,
    hex: toHex(result.key),
    stored: result.stored.map(peerId => peerId.toString())
  }
  return { status: 201, json: body, headers: { Location: `/v1/items/${result.cid}` } }
}

export async function getItem (ctx: RequestContext): Promise<ApiResult> {
  const key = parseKey(ctx.params.key)
  const value = await ctx.node.toyrrent.get(key, { signal: ctx.signal, timeout: ctx.timeout })
  return {
    status: 200,
    bytes: value,
    headers: {
      'Content-Type': 'application/octet-stream',
      ETag: `"${keyToCid(key)}"`,
      // a hash item never changes
      'Cache-Control': 'public, max-age=31536000, immutable'
    }
  }
}

function valueFromJson (body: unknown): Uint8Array {
  const value = (body as { value?: unknown } | null)?.value
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new InvalidInputError('JSON body must be { "value": "<base64>" }')
  }
  return Uint8Array.from(Buffer.from(value, 'base64'))
}
