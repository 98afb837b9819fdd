/**
 * How errors become HTTP replies: the status is the error `code`'s entry in
 * the one table of refusals (src/refusals.ts), plus the few errors only the
 * HTTP layer raises.
 */
import { ToyrrentError } from '../errors.ts'
import { REFUSALS, refusal } from '../refusals.ts'
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

/** Refusals about this moment: the client may try again shortly. */
const RETRY_LATER = new Set(['busy', 'insufficient-peers'])

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
  if (RETRY_LATER.has(code)) headers['Retry-After'] = '1'
  return { status: refusal(code).http, body: { error: { code, message } }, headers }
}

function describe (err: unknown): { code: string, message: string } {
  // a code the table does not list is an internal error: clients only ever see listed codes
  if (err instanceof ToyrrentError) return { code: Object.hasOwn(REFUSALS, err.code) ? err.code : 'internal', message: err.message }
  const e = err as { name?: string, message?: string } | undefined
  // libp2p and AbortSignal.timeout() report deadlines by name
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return { code: 'timeout', message: 'the operation did not finish before its deadline' }
  }
  return { code: 'internal', message: e?.message ?? String(err) }
}
