/**
 * A deadline for long work made of many requests (the join: a self lookup,
 * a lookup per far band, handoff from each neighbour): it fails when no peer
 * has answered for `stallMs`, and in any case after `maxMs`. A fixed
 * operation deadline failed joins that were slow only because the machine
 * was (50 nodes joining in one process under load): every peer answered,
 * the join just had more requests to make than 30 s allowed.
 */
import { deadlineSignal } from '../signals.ts'
import { TimeoutError } from '../errors.ts'
import { systemClock } from '../clock.ts'
import type { Clock, ClockTimer } from '../clock.ts'

export interface ProgressDeadlineInit {
  /** Abort with any of these (the caller's signal, the service's shutdown). */
  signals: Array<AbortSignal | undefined>
  /** Fail after this long without progress(). */
  stallMs: number
  /** Fail after this long whatever happens. */
  maxMs: number
  clock?: Clock
}

export class ProgressDeadline {
  readonly signal: AbortSignal
  private readonly stalled = new AbortController()
  private readonly stallMs: number
  private readonly clock: Clock
  private timer?: ClockTimer

  constructor (init: ProgressDeadlineInit) {
    this.clock = init.clock ?? systemClock
    this.stallMs = Math.min(init.stallMs, init.maxMs)
    this.signal = deadlineSignal([...init.signals, this.stalled.signal], init.maxMs, this.clock)
    this.arm()
  }

  /** Something answered: the stall timer starts again. */
  progress (): void {
    if (this.signal.aborted) return
    this.clock.clearTimeout(this.timer)
    this.arm()
  }

  /** The work is over: no timer left behind. */
  clear (): void {
    this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private arm (): void {
    this.timer = this.clock.setTimeout(() => {
      this.stalled.abort(new TimeoutError(`no peer answered for ${this.stallMs} ms`))
    }, this.stallMs)
    this.timer.unref?.()
  }
}
