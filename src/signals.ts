import { systemClock } from './clock.ts'
import type { Clock } from './clock.ts'

/**
 * A signal that aborts when any of `signals` does or after `timeoutMs`,
 * whichever comes first: one AbortSignal.any at most, none when there is
 * nothing but the deadline.
 */
export function deadlineSignal (signals: Array<AbortSignal | undefined>, timeoutMs: number, clock: Clock = systemClock): AbortSignal {
  const timeout = clock.timeoutSignal(timeoutMs)
  const others = signals.filter(s => s != null)
  return others.length === 0 ? timeout : AbortSignal.any([...others, timeout])
}

/** A deadline whose timer its owner releases when the work it bounds has settled. */
export interface ReleasableDeadline {
  signal: AbortSignal
  /** Clear the timer: the signal still follows `signals`, but no longer times out. */
  release(): void
}

/**
 * deadlineSignal for an operation that knows when it ends. Node (24) keeps a
 * composite of AbortSignal.any([..., AbortSignal.timeout(ms)]) reachable
 * until its timer fires, used or not: every block put of a 1 GiB add kept
 * ~0.5 KiB (signals, their sets and weak references, a Timeout) for the
 * whole 30 s operation timeout (README, Files → Memory). Here the timer
 * holds a controller of our own, so the deadline fires while the work runs
 * however its signal is held or derived from, and the owner clears it when
 * the work settles. Work left running after that (a put's stores beyond its
 * quorum) keeps its per-request deadlines.
 */
export function releasableDeadline (signals: Array<AbortSignal | undefined>, timeoutMs: number, clock: Clock = systemClock): ReleasableDeadline {
  // the simulation's clock keeps its own timers
  if (clock !== systemClock) return { signal: deadlineSignal(signals, timeoutMs, clock), release: () => {} }
  const others = signals.filter(s => s != null)
  const deadline = new AbortController()
  const timer = setTimeout(() => { deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, timeoutMs)
  timer.unref()
  const signal = others.length === 0 ? deadline.signal : AbortSignal.any([...others, deadline.signal])
  return { signal, release: () => { clearTimeout(timer) } }
}

/**
 * `work` with a maker of deadlines (`make`), each released when `work`
 * settles: a 1 GiB add makes 16,384 of them within one timeout.
 */
export async function releasingDeadlines<T> (make: () => ReleasableDeadline, work: (deadline: () => AbortSignal) => Promise<T>): Promise<T> {
  const made: Array<() => void> = []
  try {
    return await work(() => {
      const { signal, release } = make()
      made.push(release)
      return signal
    })
  } finally {
    for (const release of made) release()
  }
}

/** Wait `ms`, or reject with the signal's reason when it aborts first. */
export async function sleep (ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { clock.clearTimeout(timer); reject(signal?.reason) }
    const timer = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * `promise`, or the signal's reason as soon as it aborts: work that ignores
 * a signal (or may never settle) does not hold its caller. What it settles
 * with after that is dropped.
 */
export async function untilAborted<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {})
  signal.throwIfAborted()
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    if (onAbort != null) signal.removeEventListener('abort', onAbort)
  }
}
