/**
 * Publish items. `POST /v1/records` relays a record the client signed (the
 * daemon never sees a private key); `GET /v1/records/:id` resolves the newest
 * record under an id: the raw value, or the whole record as JSON.
 */
import { InvalidInputError } from '../../errors.ts'
import { parsePublishId } from '../../records/publish-id.ts'
import { decodePublishRecord, MAX_PUBLISH_RECORD_BYTES, MAX_SEQ } from '../../records/publish-record.ts'
import { parseSeq } from '../../records/seq.ts'
import { recordToJson } from '../record-json.ts'
import { toHex } from '../types.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { DeletedResponse, PublishResponse } from '../types.ts'

export async function publishRecord (ctx: RequestContext): Promise<ApiResult> {
  const cas = ctx.query.get('cas')
  const expectedSeq = cas == null ? undefined : parseSeq(cas, 'cas', 0n, MAX_SEQ)
  // checked while it streams in: never more than the largest valid record is buffered
  const record = decodePublishRecord(await ctx.body(MAX_PUBLISH_RECORD_BYTES, 'publish record'))
  const result = await ctx.node.toyrrent.publishRecord(record, { expectedSeq, signal: ctx.signal, timeout: ctx.timeout })
  const id = toHex(result.id)
  const body: PublishResponse = { id, seq: result.seq.toString(), stored: result.stored.map(peerId => peerId.toString()) }
  return { status: 201, json: body, headers: { Location: `/v1/records/${id}` } }
}

export async function resolveRecord (ctx: RequestContext): Promise<ApiResult> {
  const id = parsePublishId(ctx.params.id)
  const asJson = wantsJson(ctx)
  const { record, seq, value, deleted } = await ctx.node.toyrrent.resolve(id, { signal: ctx.signal, timeout: ctx.timeout })
  const headers = { 'X-Toyrrent-Seq': seq.toString(), 'X-Toyrrent-Deleted': String(deleted), 'Cache-Control': 'no-cache' }
  if (asJson) return { status: 200, json: recordToJson(id, record), headers }
  if (deleted) {
    const body: DeletedResponse = { error: { code: 'deleted', message: `${toHex(id)}: deleted (seq ${seq})` }, seq: seq.toString() }
    return { status: 410, json: body, headers }
  }
  return { status: 200, bytes: value, headers: { ...headers, 'Content-Type': 'application/octet-stream' } }
}

/** `?format=json|raw`, else JSON when Accept asks for it (and not for octet-stream first). */
function wantsJson (ctx: RequestContext): boolean {
  const format = ctx.query.get('format')
  if (format === 'json') return true
  if (format === 'raw') return false
  if (format != null) throw new InvalidInputError(`format must be json or raw, got "${format}"`)
  return /(^|,)\s*application\/json\s*(;|,|$)/i.test(ctx.headers.accept ?? '')
}
