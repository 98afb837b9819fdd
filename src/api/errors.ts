/**
 * How errors become HTTP replies: one table from the stable error `code` to a
 * status, plus the few errors only the HTTP layer raises.
 */
import { ToyrrentError } from '../errors.ts'
import type { ErrorResponse } from './types.ts'

/** No route has this path. */
export class UnknownRouteError extends ToyrrentError {
  static override name = 'UnknownRouteError'
  override name = 'UnknownRouteError'
  override code = 'unknown-route'
}

/** The path exists but not for this method. `allow` lists the methods it has. */
export class MethodNotAllowedError extends ToyrrentError {
  static override name = 'MethodNotAllowedError'
  override name = 'MethodNotAllowedError'
  override code = 'method-not-allowed'
  readonly allow: string[]
  constructor (method: string, path: string, allow: string[]) {
    super(`${method} is not allowed on ${path}; use ${allow.join(', ')}`)
    this.allow = allow
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  'bad-input': 400,
  // publish records refused for what they are (PublishRejectedError / RemoteRejectedError codes)
  'bad-request': 400,
  'bad-signature': 400,
  'id-mismatch': 400,
  'stale-seq': 409,
  'cas-mismatch': 409,
  'unknown-route': 404,
  'not-found': 404,
  'method-not-allowed': 405,
  'too-large': 413,
  'unsupported-media-type': 415,
  'insufficient-peers': 503,
  timeout: 504
}

export interface ErrorReply {
  status: number
  body: ErrorResponse
  headers: Record<string, string>
}

/** The reply for any error thrown while handling a request. */
export function errorReply (err: unknown): ErrorReply {
  const headers: Record<string, string> = {}
  if (err instanceof MethodNotAllowedError) headers.Allow = err.allow.join(', ')
  const { code, message } = describe(err)
  return { status: STATUS_BY_CODE[code] ?? 500, body: { error: { code, message } }, headers }
}

function describe (err: unknown): { code: string, message: string } {
  if (err instanceof ToyrrentError) return { code: err.code, message: err.message }
  const e = err as { name?: string, message?: string } | undefined
  // libp2p and AbortSignal.timeout() report deadlines by name
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return { code: 'timeout', message: 'the operation did not finish before its deadline' }
  }
  return { code: 'internal', message: e?.message ?? String(err) }
}
