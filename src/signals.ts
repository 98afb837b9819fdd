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

/** A deadline whose timer and listeners its owner releases when the work it bounds has settled. */
export interface ReleasableDeadline {
  signal: AbortSignal
  /** Clear the timer and stop following `signals`: work left running keeps only its own (per-request) deadlines. */
  release(): void
}

/**
 * deadlineSignal for an operation that knows when it ends. Node (24) keeps a
 * composite of AbortSignal.any([..., AbortSignal.timeout(ms)]) reachable
 * until its timer fires, used or not: every block put of a 1 GiB add kept
 * ~0.5 KiB (signals, their sets and weak references, a Timeout) for the
 * whole 30 s operation timeout (README, Files → Memory). Here the signal is
 * a plain controller's, held by its timer and by listeners on `signals`,
 * so it fires however it is held or derived from (AbortSignal.any holds its
 * sources weakly; a composite's can be lost to a collection), and release()
 * drops all three when the work settles.
 */
export function releasableDeadline (signals: Array<AbortSignal | undefined>, timeoutMs: number, clock: Clock = systemClock): ReleasableDeadline {
  // the simulation's clock keeps its own timers
  if (clock !== systemClock) return { signal: deadlineSignal(signals, timeoutMs, clock), release: () => {} }
  const others = signals.filter(s => s != null)
  const deadline = new AbortController()
  const release = (): void => {
    clearTimeout(timer)
    for (const other of others) other.removeEventListener('abort', follow)
  }
  const abort = (reason: unknown): void => { release(); deadline.abort(reason) }
  const follow = function (this: AbortSignal): void { abort(this.reason) }
  const timer = setTimeout(() => { abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, timeoutMs)
  timer.unref()
  for (const other of others) {
    if (other.aborted) { abort(other.reason); break }
    other.addEventListener('abort', follow, { once: true })
  }
  return { signal: deadline.signal, release }
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
