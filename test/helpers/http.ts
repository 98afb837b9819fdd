/** Raw HTTP requests for API tests (node:http, so a test controls exactly what is sent). */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http'

export interface HttpResult {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any
}

export async function readResponse (res: IncomingMessage): Promise<HttpResult> {
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  let json: unknown
  if (String(res.headers['content-type']).startsWith('application/json')) json = JSON.parse(body.toString('utf8'))
  return { status: res.statusCode ?? 0, headers: res.headers, body, json }
}

export async function http (api: string, method: string, path: string, body?: Uint8Array | string, headers: Record<string, string | number> = {}): Promise<HttpResult> {
  const req = open(api, method, path, headers)
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve)
    req.once('error', reject)
  })
  req.end(body)
  return await readResponse(await response)
}

/** Start a request and leave its body open: the caller writes and ends it. */
export function open (api: string, method: string, path: string, headers: Record<string, string | number> = {}): ClientRequest {
  const [host, port] = api.split(':')
  return request({ host, port: Number(port), method, path, headers, agent: false })
}

/** The reply is the JSON error the API promises: this status, this code, a message. */
export function assertError (res: { status: number, json: any }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.json))
  assert.equal(res.json?.error?.code, code)
  assert.equal(typeof res.json.error.message, 'string')
}
