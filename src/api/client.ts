/**
 * The HTTP client of the daemon API, used by the CLI. Every method throws a
 * ToyrrentError: ApiError with the server's code for an error reply, or
 * DaemonNotRunningError when nothing answers at the address.
 */
import { ToyrrentError } from '../errors.ts'
import { sendRequest } from './http-request.ts'
import type { HttpReply } from './http-request.ts'
import type { ConnectResponse, ErrorResponse, FindBeforeNResponse, HealthResponse, HoldersResponse, IdResponse, PeersResponse, PublishResponse, PutResponse, RecordJson } from './types.ts'

/** An error reply of the API: `code` and `message` come from the daemon. */
export class ApiError extends ToyrrentError {
  static override name = 'ApiError'
  override name = 'ApiError'
  readonly status: number
  constructor (message: string, code: string, status: number) {
    super(message)
    this.code = code
    this.status = status
  }
}

/** Nothing listens at the API address. */
export class DaemonNotRunningError extends ToyrrentError {
  static override name = 'DaemonNotRunningError'
  override name = 'DaemonNotRunningError'
  override code = 'daemon-not-running'
}

export interface ClientOptions {
  /** Abort the request with this signal. */
  signal?: AbortSignal
}

export class ToyrrentClient {
  /** `HOST:PORT` of the daemon API. */
  readonly address: string
  private readonly base: string

  constructor (address: string) {
    this.address = address
    this.base = `http://${address}`
  }

  async put (value: Uint8Array, options: ClientOptions = {}): Promise<PutResponse> {
    const res = await this.request('POST', '/v1/items', options, {
      body: value,
      headers: { 'Content-Type': 'application/octet-stream' }
    })
    return await res.json() as PutResponse
  }

  async get (key: string, options: ClientOptions = {}): Promise<Uint8Array> {
    const res = await this.request('GET', `/v1/items/${encodeURIComponent(key)}`, options)
    return await res.bytes()
  }

  /**
   * Relay an encoded record signed on this side. `expectedSeq` makes it a
   * compare-and-swap (0 = only if nothing was published under the id yet).
   */
  async publishRecord (record: Uint8Array, options: ClientOptions & { expectedSeq?: bigint } = {}): Promise<PublishResponse> {
    const query = options.expectedSeq == null ? '' : `?cas=${options.expectedSeq}`
    const res = await this.request('POST', `/v1/records${query}`, options, {
      body: record,
      headers: { 'Content-Type': 'application/octet-stream' }
    })
    return await res.json() as PublishResponse
  }

  /** The newest record under a 64-hex id, tombstones included (`deleted: true`). */
  async resolve (id: string, options: ClientOptions = {}): Promise<RecordJson> {
    const res = await this.request('GET', `/v1/records/${encodeURIComponent(id)}?format=json`, options)
    return await res.json() as RecordJson
  }

  async id (options: ClientOptions = {}): Promise<IdResponse> {
    return await (await this.request('GET', '/v1/id', options)).json() as IdResponse
  }

  async peers (options: ClientOptions = {}): Promise<PeersResponse> {
    return await (await this.request('GET', '/v1/peers', options)).json() as PeersResponse
  }

  /** Have the daemon dial `multiaddr` and join through it. */
  async connect (multiaddr: string, options: ClientOptions = {}): Promise<ConnectResponse> {
    const res = await this.request('POST', '/v1/connect', options, {
      body: new TextEncoder().encode(JSON.stringify({ multiaddr })),
      headers: { 'Content-Type': 'application/json' }
    })
    return await res.json() as ConnectResponse
  }

  async findBeforeN (id: string, n?: number, options: ClientOptions = {}): Promise<FindBeforeNResponse> {
    const query = n == null ? '' : `?n=${n}`
    const res = await this.request('GET', `/v1/find-before-n/${encodeURIComponent(id)}${query}`, options)
    return await res.json() as FindBeforeNResponse
  }

  async holders (key: string, options: ClientOptions = {}): Promise<HoldersResponse> {
    return await (await this.request('GET', `/v1/holders/${encodeURIComponent(key)}`, options)).json() as HoldersResponse
  }

  async stats (options: ClientOptions = {}): Promise<Record<string, any>> {
    return await (await this.request('GET', '/v1/stats', options)).json() as Record<string, any>
  }

  async health (options: ClientOptions = {}): Promise<HealthResponse> {
    return await (await this.request('GET', '/v1/health', options)).json() as HealthResponse
  }

  private async request (method: string, path: string, options: ClientOptions, init: { body?: Uint8Array | AsyncIterable<Uint8Array>, headers?: Record<string, string> } = {}): Promise<HttpReply> {
    let res: HttpReply
    try {
      res = await sendRequest(this.base + path, { method, body: init.body, headers: init.headers, signal: options.signal })
    } catch (err) {
      throw this.networkError(err)
    }
    if (res.ok) return res
    throw replyError(this.address, res.status, res.statusText, await res.text())
  }

  private networkError (err: unknown): Error {
    // fetch wraps the socket error in `cause`; node:http gives it directly
    const cause = (err as { cause?: { code?: string } }).cause ?? err as { code?: string }
    if (cause?.code === 'ECONNREFUSED') {
      return new DaemonNotRunningError(`no daemon is running at ${this.address} (start one with \`toyrrent daemon\`)`)
    }
    if ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError') return err as Error
    const reason = cause?.code ?? (cause as Error | undefined)?.message ?? (err as Error).message
    return new ToyrrentError(`cannot reach the daemon at ${this.address}: ${reason}`)
  }
}

/** The ApiError a failed reply stands for: its JSON error, or the bare status when the body is not one. */
export function replyError (address: string, status: number, statusText: string, body: string): ApiError {
  let error: ErrorResponse['error'] | undefined
  try {
    error = (JSON.parse(body) as ErrorResponse).error
  } catch {}
  if (typeof error?.code !== 'string') return new ApiError(`the daemon at ${address} answered ${status} ${statusText}`, 'http-error', status)
  return new ApiError(error.message, error.code, status)
}
