/**
 * Files of any size (src/files): `POST /v1/files` streams a body in and
 * answers with the root CID (`?format=car` imports a CAR instead;
 * `multipart/form-data` is a directory, each part a file at its filename's path);
 * `GET /v1/files/:cid` streams a file out with Content-Length, ETag,
 * immutable caching and single byte ranges (206, 416), lists a directory as
 * JSON, or (`?format=car`) exports the whole DAG as a CAR. Pins:
 * `GET /v1/pins`, `POST /v1/pins/:cid`, `DELETE /v1/pins/:cid`. The 64 KiB
 * limit of /v1/items is untouched: these routes store 64 KiB blocks.
 */
import { InvalidInputError, ToyrrentError } from '../../errors.ts'
import { filesOf } from '../../files/files.ts'
import { parseCid } from '../../files/blocks.ts'
import { multipartEntries } from '../../files/multipart.ts'
import { isMultipart } from '../../files/multipart-names.ts'
import type { Entry } from '../../files/reader.ts'
import type { ApiResult, RequestContext } from '../router.ts'

/** A Range header that no byte of the file satisfies: 416. */
export class RangeNotSatisfiableError extends ToyrrentError {
  static override name = 'RangeNotSatisfiableError'
  override name = 'RangeNotSatisfiableError'
  override code = 'range-not-satisfiable'
}

const IMMUTABLE = 'public, max-age=31536000, immutable'
const CAR_TYPE = 'application/vnd.ipld.car; version=1'

/** Reply of `POST /v1/files`. */
export interface AddFileResponse {
  cid: string
  /** File bytes. */
  size: number
  /** Blocks stored. */
  blocks: number
  name?: string
}

export async function addFile (ctx: RequestContext): Promise<ApiResult> {
  const files = filesOf(ctx.node.toyrrent)
  if (wantsCar(ctx)) {
    const result = await files.importCar(ctx.stream(), ctx.signal)
    return { status: 201, json: { roots: result.roots.map(r => r.toString()), blocks: result.blocks, bytes: result.bytes } }
  }
  const name = ctx.query.get('name') ?? undefined
  if (name != null && (name.length > 255 || name.includes('/'))) throw new InvalidInputError('name must be at most 255 characters and contain no "/"')
  // several files with relative paths: one directory (src/files/multipart.ts)
  const result = isMultipart(ctx.headers['content-type'])
    ? await files.addDirectory(multipartEntries(ctx.headers, ctx.stream(), ctx.signal), { name, signal: ctx.signal })
    : await files.add(ctx.stream(), { name, signal: ctx.signal })
  const body: AddFileResponse = { cid: result.cid.toString(), size: result.size, blocks: result.blocks, ...(name == null ? {} : { name }) }
  return { status: 201, json: body, headers: { Location: `/v1/files/${body.cid}` } }
}

export async function getFile (ctx: RequestContext): Promise<ApiResult> {
  const files = filesOf(ctx.node.toyrrent)
  if (wantsCar(ctx)) {
    const root = parseCid(ctx.params.cid)
    return { status: 200, stream: files.exportCar(root, ctx.signal), headers: { 'Content-Type': CAR_TYPE, ETag: `"${root.toString()}.car"`, 'Cache-Control': IMMUTABLE } }
  }
  const entry = await files.stat(ctx.params.cid, ctx.signal)
  const etag = `"${entry.cid.toString()}"`
  if (ctx.headers['if-none-match'] === etag) return { status: 304, bytes: new Uint8Array(0), headers: { ETag: etag, 'Cache-Control': IMMUTABLE } }
  if (entry.type === 'directory') {
    return { status: 200, json: { cid: entry.cid.toString(), type: 'directory', entries: await files.list(entry, ctx.signal) }, headers: { ETag: etag, 'Cache-Control': IMMUTABLE } }
  }
  if (entry.type !== 'file') throw new InvalidInputError(`${entry.cid.toString()} is a ${entry.type}; only files and directories can be read`)
  return fileReply(ctx, files, entry, etag)
}

function fileReply (ctx: RequestContext, files: ReturnType<typeof filesOf>, entry: Entry, etag: string): ApiResult {
  const headers: Record<string, string> = { ETag: etag, 'Cache-Control': IMMUTABLE, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' }
  let range: { start: number, end: number } | undefined
  try {
    range = parseRange(ctx.headers.range, entry.size)
  } catch (err: any) {
    if (!(err instanceof RangeNotSatisfiableError)) throw err
    return { status: 416, json: { error: { code: err.code, message: err.message } }, headers: { 'Content-Range': `bytes */${entry.size}`, ETag: etag } }
  }
  if (range == null) {
    headers['Content-Length'] = String(entry.size)
    return { status: 200, stream: files.read(entry, { signal: ctx.signal }), headers }
  }
  headers['Content-Length'] = String(range.end - range.start)
  headers['Content-Range'] = `bytes ${range.start}-${range.end - 1}/${entry.size}`
  return { status: 206, stream: files.read(entry, { offset: range.start, length: range.end - range.start, signal: ctx.signal }), headers }
}

/**
 * One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) as [start, end).
 * No header, or several ranges (allowed to be ignored), is the whole file;
 * a range outside the file is RangeNotSatisfiableError.
 */
export function parseRange (header: string | undefined, size: number): { start: number, end: number } | undefined {
  if (header == null) return undefined
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (match == null) {
    if (/^\s*bytes\s*=.*,/i.test(header)) return undefined
    throw new RangeNotSatisfiableError(`malformed Range "${header}"; expected bytes=START-END, bytes=START- or bytes=-SUFFIX`)
  }
  const [, first, last] = match
  let start: number
  let end: number
  if (first === '') {
    if (last === '') throw new RangeNotSatisfiableError(`malformed Range "${header}"`)
    const suffix = Number(last)
    if (suffix === 0) throw new RangeNotSatisfiableError(`Range "${header}" asks for no bytes of a ${size}-byte file`)
    start = Math.max(0, size - suffix)
    end = size
  } else {
    start = Number(first)
    end = last === '' ? size : Math.min(size, Number(last) + 1)
    if (last !== '' && Number(last) < start) throw new RangeNotSatisfiableError(`Range "${header}" ends before it starts`)
  }
  if (start >= size) throw new RangeNotSatisfiableError(`Range "${header}" starts past the end of a ${size}-byte file`)
  return { start, end }
}

function wantsCar (ctx: RequestContext): boolean {
  const format = ctx.query.get('format')
  if (format != null && format !== 'car') throw new InvalidInputError(`format must be "car", got "${format}"`)
  return format === 'car' || /application\/vnd\.ipld\.car/i.test(ctx.headers.accept ?? '') || /application\/vnd\.ipld\.car/i.test(ctx.headers['content-type'] ?? '')
}

export async function listPins (ctx: RequestContext): Promise<ApiResult> {
  return { status: 200, json: { pins: await filesOf(ctx.node.toyrrent).pins.ls({ signal: ctx.signal }) } }
}

export async function addPin (ctx: RequestContext): Promise<ApiResult> {
  const root = parseCid(ctx.params.cid)
  return { status: 200, json: await filesOf(ctx.node.toyrrent).pins.add(root, { signal: ctx.signal }) }
}

export async function removePin (ctx: RequestContext): Promise<ApiResult> {
  const root = parseCid(ctx.params.cid)
  const { unpinned } = await filesOf(ctx.node.toyrrent).pins.rm(root, { signal: ctx.signal })
  return { status: 200, json: { cid: root.toString(), unpinned } }
}
