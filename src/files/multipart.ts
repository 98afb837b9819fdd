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
import { sleep } from '../signals.ts'
import { CHUNK_BYTES } from './constants.ts'
import { DIRECTORY_TYPE, MAX_NAME_BYTES, MAX_PATH_BYTES, MAX_UPLOAD_ENTRIES } from './multipart-names.ts'
import type { ImportCandidate } from 'ipfs-unixfs-importer'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'

/** Entries parsed ahead of the importer (each holds at most one part's buffer). */
const QUEUED_ENTRIES = 4
/** Largest part header block. */
const MAX_HEADER_BYTES = 16 * 1024
/** After a refusal, body bytes read and dropped so the client can read the reply; a bigger body is cut. */
const DRAIN_BYTES = 1024 * 1024
/** ... and for at most this long. */
const DRAIN_MS = 2_000

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
  const upload = new Upload(headers)
  const feeding = upload.feed(body)
  const onAbort = (): void => { upload.push({ kind: 'error', error: signal?.reason ?? new Error('aborted') }) }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    while (true) {
      const event = await upload.next()
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
    signal?.removeEventListener('abort', onAbort)
    upload.stop()
    // the rest of a small refused body is read before the reply goes out (Upload.feed)
    const waited = new AbortController()
    await Promise.race([feeding, sleep(DRAIN_MS, waited.signal).catch(() => {})])
    waited.abort()
  }
}

/** One upload being parsed: the parser's events as a queue the entries generator reads, and the feeding of the body into the parser. */
class Upload {
  private readonly parser: ReturnType<typeof Busboy>
  private readonly queue: Event[] = []
  private readonly paths = new Set<string>()
  private readonly ended = Promise.withResolvers<void>()
  private wake?: () => void
  private roomWake?: () => void
  private failed = false
  private stopped = false
  /** The latest file part: an error ends it too, or the importer reading it would wait for ever. */
  private current?: Readable

  constructor (headers: IncomingHttpHeaders) {
    try {
      this.parser = Busboy({
        headers: headers as IncomingHttpHeaders & { 'content-type': string },
        preservePath: true,
        fileHwm: CHUNK_BYTES,
        limits: { files: MAX_UPLOAD_ENTRIES, parts: MAX_UPLOAD_ENTRIES, fields: 0, headerPairs: 16, headerSize: MAX_HEADER_BYTES }
      })
    } catch (err: any) {
      throw new InvalidInputError(`not a multipart/form-data body: ${err.message as string}`)
    }
    const refuse = (error: Error) => () => { this.push({ kind: 'error', error }) }
    const noFilename = 'has no filename; each part must be a file whose filename is its path'
    this.parser.on('file', (_field, stream, filename, _encoding, type) => { this.onFile(stream, filename, type) })
    this.parser.on('field', name => { this.push({ kind: 'error', error: new InvalidInputError(`part "${name}" ${noFilename}`) }) })
    this.parser.on('fieldsLimit', refuse(new InvalidInputError(`a part ${noFilename}`)))
    this.parser.on('filesLimit', refuse(new TooLargeError(`more than ${MAX_UPLOAD_ENTRIES} entries in one upload`)))
    this.parser.on('partsLimit', refuse(new TooLargeError(`more than ${MAX_UPLOAD_ENTRIES} parts in one upload`)))
    this.parser.on('error', (err: Error) => { this.push({ kind: 'error', error: new InvalidInputError(`malformed multipart body: ${err.message}`) }) })
    this.parser.on('finish', () => { this.push({ kind: 'end' }) })
  }

  push (event: Event): void {
    if (this.failed) return
    if (event.kind === 'error') {
      this.failed = true
      if (this.current != null && !this.current.readableEnded) this.current.destroy(event.error)
    }
    this.queue.push(event)
    this.wake?.()
  }

  async next (): Promise<Event> {
    while (this.queue.length === 0) await new Promise<void>(resolve => { this.wake = resolve })
    this.wake = undefined
    const event = this.queue.shift() as Event
    this.roomWake?.()
    return event
  }

  /**
   * Feed the parser as the body arrives, no faster than it (and the importer
   * behind it) takes it. After a refusal the rest of a small body is read and
   * dropped (DRAIN_BYTES), so the client, still sending, gets to read the
   * 400 rather than a broken pipe. The iterator is never returned early:
   * that would destroy the request, and the socket the reply goes out on.
   */
  async feed (body: AsyncIterable<Uint8Array>): Promise<void> {
    const chunks = body[Symbol.asyncIterator]()
    let dropped = 0
    try {
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
        if (this.stopped || this.failed) {
          dropped += next.value.byteLength
          if (dropped > DRAIN_BYTES) return
          continue
        }
        // a parser that failed may never call back: the consumer's end releases this too
        await Promise.race([new Promise<void>((resolve, reject) => { this.parser.write(next.value, err => { err == null ? resolve() : reject(err) }) }), this.ended.promise])
        while (this.queue.length >= QUEUED_ENTRIES && !this.stopped && !this.failed) await new Promise<void>(resolve => { this.roomWake = resolve })
      }
      if (!this.stopped && !this.failed) this.parser.end()
    } catch (err: any) {
      this.push({ kind: 'error', error: err instanceof Error ? err : new Error(String(err)) })
    }
  }

  /** The consumer is done (finished or failed): release the feeder and drain what nobody will read. */
  stop (): void {
    this.stopped = true
    this.ended.resolve()
    this.roomWake?.()
    for (const event of this.queue) if (event.kind === 'entry') event.stream.resume()
    this.parser.removeAllListeners('file')
  }

  private onFile (stream: Readable, filename: string | undefined, type: string): void {
    // its reader sees an error through its own iteration; one nobody reads must not go unhandled
    stream.on('error', () => {})
    let path: string
    try {
      path = checkEntryPath(filename ?? '')
      if (this.paths.has(path)) throw new InvalidInputError(`path ${JSON.stringify(path)} appears twice`)
    } catch (err) {
      stream.resume()
      this.push({ kind: 'error', error: err as Error })
      return
    }
    this.paths.add(path)
    this.current = stream
    this.push({ kind: 'entry', path, stream, directory: type === DIRECTORY_TYPE })
  }
}
