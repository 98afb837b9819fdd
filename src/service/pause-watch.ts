/**
 * Notices that this process was stopped for a while (SIGSTOP, a frozen VM, a
 * long stall): a timer ticks every `tickMs`, and a tick that comes `gapMs` or
 * more late means the node was silent that long — long enough for its peers
 * to have timed out on it, dropped it from their tables and moved on without
 * it. `check()` tells the same at once when asked between ticks (a request
 * read right after the resume, before the overdue tick ran).
 */
import type { Clock, ClockTimer } from '../clock.ts'

export interface PauseWatchInit {
  clock: Clock
  tickMs: number
  /** Lateness of a tick that counts as a pause. */
  gapMs: number
  /** Called once per pause noticed, with how late the tick was. */
  onPause(gapMs: number): void
}

export class PauseWatch {
  private readonly init: PauseWatchInit
  private last = 0
  private timer?: ClockTimer
  private running = false

  constructor (init: PauseWatchInit) {
    this.init = init
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.last = this.init.clock.monotonic()
    this.schedule()
  }

  stop (): void {
    this.running = false
    this.init.clock.clearTimeout(this.timer)
  }

  /** Whether a pause ended just now (noticed here or by the tick); true once per pause. */
  check (): boolean {
    if (!this.running) return false
    const now = this.init.clock.monotonic()
    const late = now - this.last - this.init.tickMs
    if (late < this.init.gapMs) return false
    this.last = now
    this.init.onPause(late)
    return true
  }

  private schedule (): void {
    this.timer = this.init.clock.setTimeout(() => {
      if (!this.running) return
      if (!this.check()) this.last = this.init.clock.monotonic()
      this.schedule()
    }, this.init.tickMs)
    this.timer.unref?.()
  }
}
