/**
 * The client side of a directory upload: entries with relative paths as a
 * multipart/form-data body, produced as it is sent (a file's bytes are read
 * as the socket takes them). Each part's filename is its path; directories
 * are parts of type application/x-directory (src/files/multipart.ts).
 */
import { randomBytes } from 'node:crypto'
import { DIRECTORY_TYPE } from './multipart-names.ts'

export interface UploadEntry {
  /** Relative path, `/`-separated. */
  path: string
  /** A file's bytes; absent for a directory. */
  content?: AsyncIterable<Uint8Array>
}

export interface MultipartBody {
  contentType: string
  body: AsyncGenerator<Uint8Array>
}

export function multipartBody (entries: Iterable<UploadEntry> | AsyncIterable<UploadEntry>): MultipartBody {
  // 128 random bits: a file containing the delimiter by chance is out of reach
  const boundary = `toyrrent-${randomBytes(16).toString('hex')}`
  async function * body (): AsyncGenerator<Uint8Array> {
    for await (const entry of entries) {
      const type = entry.content == null ? DIRECTORY_TYPE : 'application/octet-stream'
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ${filenameParam(entry.path)}\r\nContent-Type: ${type}\r\n\r\n`)
      if (entry.content != null) yield * entry.content
      yield Buffer.from('\r\n')
    }
    yield Buffer.from(`--${boundary}--\r\n`)
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: body() }
}

/** `filename="..."` for plain printable ASCII, else the RFC 5987 form (`filename*=utf-8''...`), which the parser decodes. */
function filenameParam (path: string): string {
  if (/^[\x20-\x7e]*$/.test(path) && !/["\\%]/.test(path)) return `filename="${path}"`
  return `filename*=utf-8''${encodeURIComponent(path).replace(/['()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}
