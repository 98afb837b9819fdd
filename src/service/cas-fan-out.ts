/**
 * The fan-out behind each compare-and-swap phase: send requests, hear each
 * answer (or failure) as it comes, settle as soon as a decision is made, and
 * abandon the requests still running.
 */
import { InsufficientPeersError } from '../errors.ts'
import type { FoundPeer } from '../found-peer.ts'

/** One peer's answer to a phase, or why there was none. */
export type Answer<T> = { peer: FoundPeer, ok: true, value: T } | { peer: FoundPeer, ok: false, error: Error }

/** Launch one request (start may call it again, for peers learned on the way). */
export type Launch<T> = (peer: FoundPeer, call: (signal: AbortSignal) => Promise<T>) => void

/**
 * Send requests and settle as soon as `decide` returns something. `start`
 * launches the first requests (and again when `relaunch` is called);
 * requests still running are abandoned once decided.
 */
export async function fanOut<T, R> (
  signal: AbortSignal,
  start: (launch: Launch<T>) => FoundPeer[],
  decide: (answer: Answer<T>, relaunch: () => void) => R | undefined
): Promise<R> {
  const controller = new AbortController()
  const inner = AbortSignal.any([signal, controller.signal])
  const { promise, resolve, reject } = Promise.withResolvers<R>()
  let done = false
  let running = 0
  const onAbort = (): void => { reject(signal.reason) }
  signal.addEventListener('abort', onAbort, { once: true })
  const settle = (answer: Answer<T>): void => {
    running--
    if (done) return
    let decision: R | undefined
    try {
      decision = decide(answer, () => { start(launch) })
    } catch (err) {
      done = true
      reject(err)
      return
    }
    if (decision !== undefined) {
      done = true
      resolve(decision)
    } else if (running === 0) {
      done = true
      reject(new Error('compare-and-swap: no decision with every answer in (a bug)'))
    }
  }
  const launch: Launch<T> = (peer, call) => {
    running++
    call(inner).then(value => ({ peer, ok: true as const, value }), (error: Error) => ({ peer, ok: false as const, error })).then(settle, () => {})
  }
  try {
    const set = start(launch)
    if (set.length === 0) throw new InsufficientPeersError('no peers to ask')
    return await promise
  } finally {
    done = true
    signal.removeEventListener('abort', onAbort)
    controller.abort()
  }
}
