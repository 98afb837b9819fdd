/**
 * Time as the service sees it: wall-clock now, timers and deadline signals.
 * Real nodes use `systemClock` (Date.now, setTimeout, AbortSignal.timeout:
 * behaviour unchanged); the virtual-time simulation (scripts/lib/virtual-clock.ts)
 * injects a simulated one through ToyrrentInit.clock, so the real lookup,
 * placement, replication and repair code runs hours of network life in seconds.
 */
/** A pending timer: Node's Timeout, or the simulation's own. */
export interface ClockTimer { unref?(): unknown }

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** A monotonic reading in ms with sub-ms resolution, for measuring durations. */
  monotonic(): number
  /** Run `fn` after `ms`. */
  setTimeout(fn: () => void, ms: number): ClockTimer
  clearTimeout(timer: ClockTimer | undefined): void
  /** A signal that aborts with a TimeoutError after `ms`, as AbortSignal.timeout does. */
  timeoutSignal(ms: number): AbortSignal
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: timer => { clearTimeout(timer as ReturnType<typeof setTimeout> | undefined) },
  timeoutSignal: ms => AbortSignal.timeout(ms)
}
