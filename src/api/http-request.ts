/**
 * One HTTP/1.1 request to the daemon API over node:http. The CLI uses this
 * rather than the global fetch: fetch loads undici, which alone costs more
 * start-up time than the rest of a client command.
 */
import type { IncomingMessage } from 'node:http'

// Not `import ... from 'node:http'`: building the ESM facade of node:http
// reads every export, and one of them (lazily) loads undici all the same.
const { request: httpRequest } = process.getBuiltinModule('node:http')

export interface RequestInit {
  method: string
  body?: Uint8Array | AsyncIterable<Uint8Array>
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** The reply: status, headers, and the body read whole (json/text/bytes) or as it arrives (`body`). */
export class HttpReply {
  readonly status: number
  readonly statusText: string
  readonly headers: IncomingMessage['headers']
  /** The body as it arrives; read it at most once, instead of the helpers below. */
  readonly body: IncomingMessage

  constructor (message: IncomingMessage) {
    this.status = message.statusCode ?? 0
    this.statusText = message.statusMessage ?? ''
    this.headers = message.headers
    this.body = message
  }

  get ok (): boolean {
    return this.status >= 200 && this.status < 300
  }

  async bytes (): Promise<Uint8Array> {
    const chunks: Buffer[] = []
    for await (const chunk of this.body) chunks.push(chunk as Buffer)
    const all = Buffer.concat(chunks)
    return new Uint8Array(all.buffer, all.byteOffset, all.byteLength)
  }

  async arrayBuffer (): Promise<ArrayBuffer> {
    const bytes = await this.bytes()
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  }

  async text (): Promise<string> {
    return new TextDecoder().decode(await this.bytes())
  }

  async json (): Promise<unknown> {
    return JSON.parse(await this.text())
  }
}

/** Send the request; resolves once the status line and headers are in. Errors carry node's `code` (ECONNREFUSED...). */
export async function sendRequest (url: string, init: RequestInit): Promise<HttpReply> {
  return await new Promise<HttpReply>((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: init.headers, signal: init.signal })
    req.once('response', message => { resolve(new HttpReply(message)) })
    req.once('error', err => { reject(init.signal?.aborted === true ? init.signal.reason : err) })
    const body = init.body
    if (body == null) {
      req.end()
    } else if (body instanceof Uint8Array) {
      req.end(body)
    } else {
      void (async () => {
        try {
          for await (const chunk of body) {
            if (!req.write(chunk)) await new Promise(resolve => req.once('drain', resolve))
          }
          req.end()
        } catch (err) {
          req.destroy(err as Error)
        }
      })()
    }
  })
}
