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
