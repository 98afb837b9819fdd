import { systemClock } from './clock.ts'
import type { Clock } from './clock.ts'

/**
 * A signal that aborts when any of `signals` does or after `timeoutMs`,
 * whichever comes first: one AbortSignal.any at most, none when there is
 * nothing but the deadline.
 *
 * With the system clock the deadline is not AbortSignal.timeout inside
 * AbortSignal.any: Node (24) keeps such a composite reachable until its
 * timer fires, used or not, so every operation's signals, timer and sets
 * (~1.5 KiB) stayed for the whole timeout — 30 s of a 1 GiB add's 16,384
 * block puts, ~24 MiB of heap (README, Files → Memory). Here the timer holds
 * the deadline's controller (so the deadline fires while the signal is in
 * use) and is cleared once the composite is collected.
 */
export function deadlineSignal (signals: Array<AbortSignal | undefined>, timeoutMs: number, clock: Clock = systemClock): AbortSignal {
  const others = signals.filter(s => s != null)
  // the simulation's clock keeps its own timers (cleared by nothing that depends on GC)
  if (others.length === 0 || clock !== systemClock) {
    const timeout = clock.timeoutSignal(timeoutMs)
    return others.length === 0 ? timeout : AbortSignal.any([...others, timeout])
  }
  const deadline = new AbortController()
  const timer = setTimeout(() => { deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, timeoutMs)
  timer.unref()
  const signal = AbortSignal.any([...others, deadline.signal])
  if (!signal.aborted) clearOnCollect.register(signal, timer)
  else clearTimeout(timer)
  return signal
}

/** Clears a deadline's timer once nothing holds its signal (nobody is left to hear it fire). */
const clearOnCollect = new FinalizationRegistry<ReturnType<typeof setTimeout>>(timer => { clearTimeout(timer) })

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
