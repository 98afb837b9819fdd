/**
 * One request and its response on the in-memory network, as bytes: encoded
 * with `Frame.encode`, decoded on the target's side and answered by its real
 * server path (inbound queue, handler dispatch: `RpcServer.answer`), the
 * response encoded and decoded in turn, and the bytes counted; all under
 * the caller's deadline and signal.
 */
import { Frame } from '../rpc/pb/rpc.ts'
import { TimeoutError } from '../errors.ts'
import type { RpcServer } from '../rpc/server.ts'
import type { Exchange } from '../rpc/channel.ts'
import type { ExchangeOptions } from '../rpc/client.ts'
import type { Clock } from '../clock.ts'
import type { PeerId } from '@libp2p/interface'

export interface MemoryNetworkStats {
  /** Exchanges that reached a target's server. */
  exchanges: number
  /** Bytes of those exchanges, request and response frames as encoded. */
  bytes: number
  /** Exchanges refused (target down, removed, stopped or partitioned away). */
  refused: number
  /** Bytes of the exchanges by request type (FIND_BEFORE_N, STORE, DIGEST, …). */
  bytesByType: Record<string, number>
}

/** Makes the exchange fail when `signal` aborts (the target going down while it runs). */
export type FailOn = (signal: AbortSignal) => void

/**
 * Settles with what `run` brings back, or fails on the caller's signal, the
 * deadline (`options.timeout` on `clock`), or a signal `run` hands to
 * `failOn`, whichever comes first; an answer that comes after the deadline
 * is told to `options.onLateAnswer` (the target is alive).
 */
export async function underDeadline (clock: Clock, options: ExchangeOptions, run: (failOn: FailOn) => Promise<Exchange>): Promise<Exchange> {
  options.signal?.throwIfAborted()
  const { promise, resolve, reject } = Promise.withResolvers<Exchange>()
  let settled = false
  const undo: Array<() => void> = []
  const failOn = (signal: AbortSignal): void => {
    if (settled) return
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    undo.push(() => { signal.removeEventListener('abort', onAbort) })
  }
  const timer = clock.setTimeout(() => { reject(new TimeoutError(`no response within ${options.timeout} ms`)) }, options.timeout)
  if (options.signal != null) failOn(options.signal)
  // an answer after the deadline still tells the asker the target is alive
  run(failOn).then(exchange => {
    if (settled) options.onLateAnswer?.()
    resolve(exchange)
  }, reject)
  try {
    return await promise
  } finally {
    settled = true
    clock.clearTimeout(timer)
    for (const u of undo) u()
  }
}

/** The target's server answers an encoded request; the response comes back encoded, and both are counted in `stats`. */
export async function answerEncoded (server: RpcServer, from: PeerId, request: Uint8Array, alive: AbortSignal, stats: MemoryNetworkStats): Promise<Exchange> {
  const decoded = Frame.decode(request)
  const response = await server.answer(decoded, from, alive)
  const encoded = Frame.encode({ ...response, id: decoded.id, type: decoded.type, response: true })
  const bytes = request.byteLength + encoded.byteLength
  stats.exchanges++
  stats.bytes += bytes
  stats.bytesByType[decoded.type] = (stats.bytesByType[decoded.type] ?? 0) + bytes
  return { response: Frame.decode(encoded), bytes }
}
