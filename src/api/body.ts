/**
 * Reading request bodies with a hard cap: a declared Content-Length over the
 * cap is refused before a byte is read, and a streamed body is refused as soon
 * as it passes the cap, so no more than `limit` bytes are ever buffered.
 */
import type { IncomingMessage } from 'node:http'
import { InvalidInputError, TooLargeError } from '../errors.ts'

export async function readBody (req: IncomingMessage, limit: number, what = 'body'): Promise<Uint8Array> {
  const declared = req.headers['content-length']
  if (declared != null && Number(declared) > limit) {
    throw tooLarge(what, limit, Number(declared))
  }
  // events rather than for-await: leaving a for-await early destroys the
  // request, and with it the socket the 413 reply has to go out on
  return await new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = []
    let length = 0
    const onData = (chunk: Buffer): void => {
      length += chunk.byteLength
      if (length > limit) {
        finish()
        req.pause()
        reject(tooLarge(what, limit))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      finish()
      const body = Buffer.concat(chunks, length)
      resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength))
    }
    const onError = (err: Error): void => { finish(); reject(err) }
    const onClose = (): void => { finish(); reject(new Error('the client closed the request before sending all of its body')) }
    const finish = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

export async function readJson (req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!isJsonType(type)) {
    throw new InvalidInputError(`expected a JSON body (Content-Type: application/json), got "${type}"`)
  }
  const text = Buffer.from(await readBody(req, limit, 'JSON body')).toString('utf8')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`body is not valid JSON: ${(err as Error).message}`)
  }
}

export function isJsonType (contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? '')
}

function tooLarge (what: string, limit: number, size?: number): TooLargeError {
  const got = size == null ? `more than ${limit} bytes` : `${size} bytes`
  const kib = limit % 1024 === 0 ? ` (${limit / 1024} KiB)` : ''
  return new TooLargeError(`${what} is ${got}; the limit is ${limit} bytes${kib}`)
}
