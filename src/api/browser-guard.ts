/**
 * Keeps web pages other than the dashboard out of the API. Any page a browser
 * on this machine opens can send requests to 127.0.0.1:5454, so two checks
 * stand before every route:
 *  - while the API listens on loopback, the Host header must name a loopback
 *    address: a DNS-rebinding page reaches 127.0.0.1 under its own host name;
 *  - a request that changes something (not GET or HEAD) and carries an Origin
 *    must come from the API's own origin, which is the dashboard's. Browsers
 *    send an Origin with every such request; the CLI and other programs send
 *    none and are not affected.
 */
import { ToyrrentError } from '../errors.ts'
import type { IncomingHttpHeaders } from 'node:http'

export class ForbiddenRequestError extends ToyrrentError {
  static override name = 'ForbiddenRequestError'
  override name = 'ForbiddenRequestError'
  override code = 'forbidden'
}

const READ_ONLY = new Set(['GET', 'HEAD'])

/** Throws ForbiddenRequestError for a request a foreign web page could have sent. */
export function checkBrowserRequest (method: string, headers: IncomingHttpHeaders, listenHost: string): void {
  const host = headers.host ?? ''
  if (isLoopback(listenHost) && !isLoopback(hostname(host))) {
    throw new ForbiddenRequestError(`the API listens on loopback; Host "${host}" is not a loopback address`)
  }
  const origin = headers.origin
  if (origin != null && !READ_ONLY.has(method) && originHost(origin) !== host.toLowerCase()) {
    throw new ForbiddenRequestError(`a ${method} from the web page at ${origin} is refused: only the dashboard served here may change things`)
  }
}

/** `127.0.0.1:5454` → `127.0.0.1`, `[::1]:5454` → `::1`. */
function hostname (host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host)
  if (bracketed != null) return bracketed[1]
  return host.replace(/:\d+$/, '')
}

function isLoopback (host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** The host:port of an Origin header; undefined for `null` or garbage (never equal to a Host). */
function originHost (origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase()
  } catch {
    return undefined
  }
}
