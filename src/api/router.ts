/**
 * A table of routes matched by method and path. Patterns are literal segments
 * and `:name` parameters: `/v1/items/:key`. A path that exists for another
 * method is a 405 (with Allow), a path that does not exist a 404.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { MethodNotAllowedError, UnknownRouteError } from './errors.ts'
import type { ApiNode } from './types.ts'

export interface RequestContext {
  node: ApiNode
  params: Record<string, string>
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** Aborts at the request deadline or when the client goes away. Pass it to every node call. */
  signal: AbortSignal
  /** Milliseconds left for the node call (pass as `timeout`). */
  timeout: number
  /** The raw body, at most `limit` bytes (TooLargeError naming `what` as soon as it is exceeded). */
  body(limit: number, what?: string): Promise<Uint8Array>
  /** The body parsed as JSON, at most `limit` bytes (InvalidInputError when it is not JSON). */
  json(limit: number): Promise<unknown>
  /** The body as it arrives, never buffered whole (files of any size); read it once, instead of body/json. */
  stream(): AsyncIterable<Uint8Array>
}

export type ApiResult =
  | { status: number, json: unknown, headers?: Record<string, string> }
  | { status: number, bytes: Uint8Array, headers?: Record<string, string> }
  /** A body sent as it is produced, with backpressure; an error after the headers cuts the connection. */
  | { status: number, stream: AsyncIterable<Uint8Array>, headers?: Record<string, string> }

/** A handler takes a request context and returns a result; it never touches the socket. */
export type Handler = (ctx: RequestContext) => Promise<ApiResult>

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  handler: Handler
  /**
   * No overall request deadline (files of any size): the handler bounds each
   * step itself; the signal still fires when the client goes away.
   */
  longRunning?: boolean
}

export interface RouteMatch {
  route: Route
  params: Record<string, string>
}

/** Find the route for a request; throws UnknownRouteError / MethodNotAllowedError. */
export function matchRoute (routes: Route[], method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/').slice(1)
  const allow: string[] = []
  for (const route of routes) {
    const params = matchPath(route.path, segments)
    if (params == null) continue
    if (route.method === method) return { route, params }
    allow.push(route.method)
  }
  if (allow.length > 0) throw new MethodNotAllowedError(method, pathname, allow)
  throw new UnknownRouteError(`no such route: ${pathname}`)
}

function matchPath (pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').slice(1)
  if (parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(':')) {
      if (segments[i] === '') return undefined
      try {
        params[parts[i].slice(1)] = decodeURIComponent(segments[i])
      } catch {
        return undefined
      }
    } else if (parts[i] !== segments[i]) {
      return undefined
    }
  }
  return params
}
