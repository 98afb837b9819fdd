/**
 * A directory upload as multipart/form-data (POST /v1/files): each part is an
 * entry whose filename is its path relative to the directory (`a.txt`,
 * `photos/1.jpg`); a part of type `application/x-directory` is a directory
 * (Kubo's convention for its own add API), so empty directories survive.
 * The body is parsed as it arrives (@fastify/busboy) and each file's bytes go
 * straight to the importer; the parser is fed only as fast as the importer
 * reads, so what is held is a part's buffer and a few queued entries, never
 * a file. Counts and path lengths are checked as each part's headers arrive,
 * before its bytes are read.
 */
import { Busboy } from '@fastify/busboy'
import { InvalidInputError, TooLargeError } from '../errors.ts'
import { CHUNK_BYTES } from './constants.ts'
import { DIRECTORY_TYPE, MAX_NAME_BYTES, MAX_PATH_BYTES, MAX_UPLOAD_ENTRIES } from './multipart-names.ts'
import type { ImportCandidate } from 'ipfs-unixfs-importer'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'

/** Entries parsed ahead of the importer (each holds at most one part's buffer). */
const QUEUED_ENTRIES = 4
/** Largest part header block. */
const MAX_HEADER_BYTES = 16 * 1024

/**
 * A relative path as it may name an entry: segments separated by `/`, none
 * empty, `.` or `..`, no backslash or NUL, within the length limits.
 */
export function checkEntryPath (path: string): string {
  const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 77)}...` : path)
  if (path === '') throw new InvalidInputError('a part has an empty filename; each part\'s filename is its path in the directory')
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw new InvalidInputError(`path ${shown} is longer than ${MAX_PATH_BYTES} bytes`)
  if (path.startsWith('/')) throw new InvalidInputError(`path ${shown} is absolute; paths are relative to the directory`)
  if (/[\\\0]/.test(path)) throw new InvalidInputError(`path ${shown} contains a backslash or NUL; separate directories with "/"`)
  const segments = path.replace(/\/$/, '').split('/')
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw new InvalidInputError(`path ${shown} has an empty, "." or ".." segment`)
    if (Buffer.byteLength(segment) > MAX_NAME_BYTES) throw new InvalidInputError(`path ${shown} has a name longer than ${MAX_NAME_BYTES} bytes`)
  }
  return segments.join('/')
}

type Event =
  | { kind: 'entry', path: string, stream: Readable, directory: boolean }
  | { kind: 'end' }
  | { kind: 'error', error: Error }

/**
 * The entries of a multipart body, in order, for `importDirectory`. Read each
 * entry's content before asking for the next (the importer does, one file at
 * a time): the parser cannot reach the next part before this one is read.
 */
export async function * multipartEntries (headers: IncomingHttpHeaders, body: AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ImportCandidate> {
  let parser: ReturnType<typeof Busboy>
  try {
    parser = Busboy({
      headers: headers as IncomingHttpHeaders & { 'content-type': string },
      preservePath: true,
      fileHwm: CHUNK_BYTES,
      limits: { files: MAX_UPLOAD_ENTRIES, parts: MAX_UPLOAD_ENTRIES, fields: 0, headerPairs: 16, headerSize: MAX_HEADER_BYTES }
    })
  } catch (err: any) {
    throw new InvalidInputError(`not a multipart/form-data body: ${err.message as string}`)
  }
  const queue: Event[] = []
  let wake: (() => void) | undefined
  let failed = false
  /** The latest file part: an error ends it too, or the importer reading it would wait for ever. */
  let current: Readable | undefined
  const push = (event: Event): void => {
    if (failed) return
    if (event.kind === 'error') {
      failed = true
      if (current != null && !current.readableEnded) current.destroy(event.error)
    }
    queue.push(event)
    wake?.()
  }
  const paths = new Set<string>()
  parser.on('file', (_field, stream, filename, _encoding, type) => {
    let path: string
    try {
      path = checkEntryPath(filename ?? '')
      if (paths.has(path)) throw new InvalidInputError(`path ${JSON.stringify(path)} appears twice`)
    } catch (err) {
      stream.on('error', () => {})
      stream.resume()
      push({ kind: 'error', error: err as Error })
      return
    }
    paths.add(path)
    // its reader sees an error through its own iteration; one nobody reads must not go unhandled
    stream.on('error', () => {})
    current = stream
    push({ kind: 'entry', path, stream, directory: type === DIRECTORY_TYPE })
  })
  parser.on('field', name => { push({ kind: 'error', error: new InvalidInputError(`part "${name}" has no filename; each part must be a file whose filename is its path`) }) })
  parser.on('fieldsLimit', () => { push({ kind: 'error', error: new InvalidInputError('a part has no filename; each part must be a file whose filename is its path') }) })
  parser.on('filesLimit', () => { push({ kind: 'error', error: new TooLargeError(`more than ${MAX_UPLOAD_ENTRIES} entries in one upload`) }) })
  parser.on('partsLimit', () => { push({ kind: 'error', error: new TooLargeError(`more than ${MAX_UPLOAD_ENTRIES} parts in one upload`) }) })
  parser.on('error', (err: Error) => { push({ kind: 'error', error: new InvalidInputError(`malformed multipart body: ${err.message}`) }) })
  parser.on('finish', () => { push({ kind: 'end' }) })

  // feed the parser as the body arrives, no faster than it (and the importer behind it) takes it
  let stopped = false
  const ended = Promise.withResolvers<void>()
  const queueRoom = async (): Promise<void> => {
    while (queue.length >= QUEUED_ENTRIES && !stopped && !failed) await new Promise<void>(resolve => { roomWake = resolve })
  }
  let roomWake: (() => void) | undefined
  const feed = (async () => {
    try {
      for await (const chunk of body) {
        if (stopped || failed) return
        // a parser that failed may never call back: the consumer's end releases this too
        await Promise.race([new Promise<void>((resolve, reject) => { parser.write(chunk, err => { err == null ? resolve() : reject(err) }) }), ended.promise])
        await queueRoom()
      }
      if (!stopped && !failed) parser.end()
    } catch (err: any) {
      push({ kind: 'error', error: err instanceof Error ? err : new Error(String(err)) })
    }
  })()
  const onAbort = (): void => { push({ kind: 'error', error: signal?.reason ?? new Error('aborted') }) }
  signal?.addEventListener('abort', onAbort, { once: true })

  try {
    while (true) {
      while (queue.length === 0) await new Promise<void>(resolve => { wake = resolve })
      wake = undefined
      const event = queue.shift() as Event
      roomWake?.()
      if (event.kind === 'end') return
      if (event.kind === 'error') throw event.error
      if (event.directory) {
        event.stream.resume()
        yield { path: event.path }
      } else {
        yield { path: event.path, content: event.stream as AsyncIterable<Uint8Array> }
      }
    }
  } finally {
    stopped = true
    ended.resolve()
    roomWake?.()
    signal?.removeEventListener('abort', onAbort)
    for (const event of queue) if (event.kind === 'entry') event.stream.resume()
    parser.removeAllListeners('file')
    void feed
  }
}
