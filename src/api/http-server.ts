/**
 * The JSON HTTP API of a toyrrent node (node:http). Each request is matched
 * against the route table, given a deadline and an AbortSignal that also fires
 * when the client goes away, and answered with raw bytes (values) or JSON;
 * errors are `{ "error": { "code", "message" } }` with a fitting status.
 */
import { logger } from '@libp2p/logger'
import { DEFAULT_OPERATION_TIMEOUT_MS } from '../constants.ts'
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from './defaults.ts'
import { readBody, readJson } from './body.ts'
import { checkBrowserRequest } from './browser-guard.ts'
import { errorReply } from './errors.ts'
import { matchRoute } from './router.ts'
import { routes as defaultRoutes } from './routes/index.ts'
import type { ApiResult, RequestContext, Route } from './router.ts'
import type { ApiNode } from './types.ts'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// Not `import ... from 'node:http'`: its ESM facade reads every export, and one
// of them loads undici (Node's fetch), which a daemon then holds for its whole
// life (about 2.5 MiB of heap; see http-request.ts for the client's side).
const { createServer } = process.getBuiltinModule('node:http')

const log = logger('toyrrent:api')

export { DEFAULT_API_HOST, DEFAULT_API_PORT } from './defaults.ts'

export interface ApiServerInit {
  node: ApiNode
  /** Interface to bind (default 127.0.0.1). */
  host?: string
  /** Port to bind, 0 = any free port (default 5454). */
  port?: number
  /** Deadline of one request, in ms (default DEFAULT_OPERATION_TIMEOUT_MS). */
  requestTimeout?: number
  /** Route table (default: API v1). */
  routes?: Route[]
}

export interface ApiAddress {
  host: string
  port: number
}

export class ApiServer {
  private readonly node: ApiNode
  private readonly host: string
  private readonly port: number
  private readonly requestTimeout: number
  private readonly routes: Route[]
  private readonly server: Server
  private bound?: ApiAddress

  constructor (init: ApiServerInit) {
    this.node = init.node
    this.host = init.host ?? DEFAULT_API_HOST
    this.port = init.port ?? DEFAULT_API_PORT
    this.requestTimeout = init.requestTimeout ?? DEFAULT_OPERATION_TIMEOUT_MS
    this.routes = init.routes ?? defaultRoutes
    // Node's default requestTimeout (300 s for the whole request) reset a 1 GiB POST /v1/files slower than 3.4 MiB/s;
    // each route has its own deadline (requestTimeout above, or the client's presence for long-running ones)
    this.server = createServer({ requestTimeout: 0 }, (req, res) => { void this.handle(req, res) })
    // clients (fetch) reuse idle connections for about 4 s; closing them at
    // Node's default 5 s races a request already on its way
    this.server.keepAliveTimeout = 65_000
  }

  /** The bound address; only after start(). */
  get address (): ApiAddress {
    if (this.bound == null) throw new Error('the API server is not started')
    return this.bound
  }

  /** `HOST:PORT` (IPv6 hosts in brackets), as written to the data dir `api` file. */
  get hostPort (): string {
    return formatHostPort(this.address)
  }

  async start (): Promise<ApiAddress> {
    if (this.bound != null) return this.bound
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    const info = this.server.address() as AddressInfo
    this.bound = { host: info.address, port: info.port }
    log('listening on %s', this.hostPort)
    return this.bound
  }

  /** Stop accepting requests and cut open ones (their signals abort). */
  async stop (): Promise<void> {
    if (this.bound == null) return
    this.bound = undefined
    const closed = new Promise<void>(resolve => this.server.close(() => { resolve() }))
    this.server.closeAllConnections()
    await closed
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const clientGone = new AbortController()
    res.once('close', () => { if (!res.writableFinished) clientGone.abort() })
    try {
      checkBrowserRequest(req.method ?? 'GET', req.headers, this.host)
      const url = new URL(req.url ?? '/', 'http://localhost')
      const { route, params } = matchRoute(this.routes, req.method ?? 'GET', url.pathname)
      const signal = route.longRunning === true ? clientGone.signal : AbortSignal.any([clientGone.signal, AbortSignal.timeout(this.requestTimeout)])
      // Node's whole-request timeout is off (constructor): a body still arriving at the route's deadline is cut here
      if (route.longRunning !== true) signal.addEventListener('abort', () => { if (!req.complete) req.destroy() }, { once: true })
      const ctx: RequestContext = {
        node: this.node,
        params,
        query: url.searchParams,
        headers: req.headers,
        signal,
        timeout: this.requestTimeout,
        body: async (limit, what) => readBody(req, limit, what),
        json: async (limit) => readJson(req, limit),
        stream: () => req
      }
      const result = await route.handler(ctx)
      if ('stream' in result) await sendStream(req, res, result, signal)
      else send(req, res, result)
    } catch (err) {
      const reply = errorReply(err)
      log('%s %s -> %d %s', req.method, req.url, reply.status, reply.body.error.message)
      send(req, res, { status: reply.status, json: reply.body, headers: reply.headers })
    }
  }
}

/**
 * A streamed body, written as produced and waiting for the socket to drain.
 * The first chunk is awaited before the headers go out, so a failure at the
 * start (a missing first block) is still an error reply; a failure midway
 * cuts the connection.
 */
async function sendStream (req: IncomingMessage, res: ServerResponse, result: Extract<ApiResult, { stream: unknown }>, signal: AbortSignal): Promise<void> {
  if (res.headersSent || res.destroyed) return
  const chunks = result.stream[Symbol.asyncIterator]()
  let next = await chunks.next()
  const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', ...result.headers }
  if (!req.complete) headers.Connection = 'close'
  res.writeHead(result.status, headers)
  try {
    while (next.done !== true) {
      signal.throwIfAborted()
      if (!res.write(next.value)) await drained(res, signal)
      next = await chunks.next()
    }
    res.end()
  } catch (err: any) {
    log('%s %s: stream cut after the headers: %s', req.method, req.url, err?.message)
    await chunks.return?.(undefined)
    res.destroy(err)
  }
}

async function drained (res: ServerResponse, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      signal.removeEventListener('abort', done)
      if (signal.aborted) reject(signal.reason)
      else if (res.destroyed) reject(new Error('the client went away'))
      else resolve()
    }
    res.once('drain', done)
    res.once('close', done)
    signal.addEventListener('abort', done)
  })
}

function send (req: IncomingMessage, res: ServerResponse, result: Exclude<ApiResult, { stream: unknown }>): void {
  if (res.headersSent || res.destroyed) return
  const body = 'bytes' in result
    ? result.bytes
    : Buffer.from(JSON.stringify(result.json) + '\n')
  const headers: Record<string, string | number> = {
    'Content-Type': 'bytes' in result ? 'application/octet-stream' : 'application/json; charset=utf-8',
    'Content-Length': body.byteLength,
    ...result.headers
  }
  // a body we did not read (refused, too large) is not worth draining on a kept-alive connection
  if (!req.complete) headers.Connection = 'close'
  res.writeHead(result.status, headers)
  res.end(body)
}

export function formatHostPort (address: ApiAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
