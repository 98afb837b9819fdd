/**
 * The one table of error codes: for each stable code the wire status a peer
 * answers with (by name, as in protocols/rpc.proto), the HTTP status the API
 * replies with, the CLI's exit code, and whether the refusal is final (about
 * the item or request itself: asking another peer would get the same answer)
 * or retryable (about this peer or this moment). Every layer reads it; a code
 * not listed is an internal error.
 */

/** Wire status names (the `Status` enum of protocols/rpc.proto). */
export type WireStatusName = 'OK' | 'NOT_FOUND' | 'BAD_REQUEST' | 'TOO_LARGE' | 'HASH_MISMATCH' | 'BAD_SIGNATURE' | 'ID_MISMATCH' |
'STALE_SEQ' | 'CAS_MISMATCH' | 'FULL' | 'BUSY' | 'UNKNOWN_TYPE' | 'ERROR' | 'INVALID_RECORD' | 'UNKNOWN_NAMESPACE'

export interface Refusal {
  /** What a peer answers on the wire; none for codes that never travel. */
  wire?: WireStatusName
  http: number
  /** CLI exit code: 1 the operation failed, 2 the command line was wrong, 3 the outcome is unknown. */
  exit: 1 | 2 | 3
  /** True when the same request to another peer would be refused too. */
  final: boolean
}

export const REFUSALS = {
  // the request or item is wrong: final
  'bad-input': { wire: 'BAD_REQUEST', http: 400, exit: 1, final: true },
  'bad-request': { wire: 'BAD_REQUEST', http: 400, exit: 1, final: true },
  'too-large': { wire: 'TOO_LARGE', http: 413, exit: 1, final: true },
  // a value that does not hash to its key: the content is wrong, not the request's form
  'hash-mismatch': { wire: 'HASH_MISMATCH', http: 422, exit: 1, final: true },
  'bad-signature': { wire: 'BAD_SIGNATURE', http: 400, exit: 1, final: true },
  'id-mismatch': { wire: 'ID_MISMATCH', http: 400, exit: 1, final: true },
  'stale-seq': { wire: 'STALE_SEQ', http: 409, exit: 1, final: true },
  'cas-mismatch': { wire: 'CAS_MISMATCH', http: 409, exit: 1, final: true },
  'not-found': { wire: 'NOT_FOUND', http: 404, exit: 1, final: true },
  // routing records (protocols/routing-record.md): the namespace's validator refused it, or no validator knows its namespace
  'invalid-record': { wire: 'INVALID_RECORD', http: 400, exit: 1, final: true },
  'unknown-namespace': { wire: 'UNKNOWN_NAMESPACE', http: 400, exit: 1, final: true },
  // a key of the other kind (a hash item key to resolve, a publish id to get)
  'wrong-kind': { http: 400, exit: 1, final: true },
  // this peer or this moment: another peer, or later, may do
  full: { wire: 'FULL', http: 507, exit: 1, final: false },
  busy: { wire: 'BUSY', http: 503, exit: 1, final: false },
  'unknown-type': { wire: 'UNKNOWN_TYPE', http: 502, exit: 1, final: false },
  // a peer failed inside (its answer says no more)
  error: { wire: 'ERROR', http: 502, exit: 1, final: false },
  'protocol-error': { http: 502, exit: 1, final: false },
  'insufficient-peers': { http: 503, exit: 1, final: false },
  timeout: { http: 504, exit: 1, final: false },
  // a write that may or may not have taken effect (too few answers to know): read before retrying
  'outcome-unknown': { http: 504, exit: 3, final: false },
  // raised here, never by a peer
  usage: { http: 400, exit: 2, final: true },
  'unknown-route': { http: 404, exit: 1, final: true },
  // a request a web page other than the dashboard could have sent (src/api/browser-guard.ts)
  forbidden: { http: 403, exit: 1, final: true },
  'method-not-allowed': { http: 405, exit: 1, final: true },
  'unsupported-media-type': { http: 415, exit: 1, final: true },
  // a byte range outside the file (GET /v1/files/:cid with Range)
  'range-not-satisfiable': { http: 416, exit: 1, final: true },
  internal: { http: 500, exit: 1, final: false }
} as const satisfies Record<string, Refusal>

export type RefusalCode = keyof typeof REFUSALS

/** The entry for a code; unknown codes are internal errors. */
export function refusal (code: string): Refusal {
  return (REFUSALS as Record<string, Refusal>)[code] ?? REFUSALS.internal
}

/** The code a wire status reports (`STALE_SEQ` → `stale-seq`). */
export function codeOfWire (status: WireStatusName): RefusalCode | 'ok' {
  if (status === 'OK') return 'ok'
  for (const [code, entry] of Object.entries(REFUSALS) as Array<[RefusalCode, Refusal]>) {
    // two codes share BAD_REQUEST: the wire's own name wins
    if (entry.wire === status && code !== 'bad-input') return code
  }
  return 'error'
}

/** The wire status a code is answered with (codes that never travel become ERROR). */
export function wireOf (code: string): WireStatusName {
  return refusal(code).wire ?? 'ERROR'
}

/** True when the refusal is about the request itself, so asking another peer would not help. */
export function isFinal (code: string): boolean {
  return refusal(code).final
}
