/**
 * A simulated clock for the virtual-time simulation (scripts/lib/virtual-sim.ts):
 * the Clock of src/clock.ts whose time moves only when nothing else can run.
 *
 * Timers go into a heap ordered by (due time, creation order). A pump fires
 * them one at a time: it first lets every pending microtask and immediate run
 * (two setImmediate turns), then jumps the clock to the earliest due timer and
 * fires it. Work that is pure computation (the service over the in-memory
 * network) therefore sees exactly the delays and deadlines it asked for, and
 * an hour of network life costs only the CPU of the requests made in it.
 * Real I/O (none on the memory network with a MemoryDatastore) would not be
 * waited for.
 */
import type { Clock, ClockTimer } from '../../src/clock.ts'

interface Timer extends ClockTimer {
  at: number
  seq: number
  fn: () => void
  cancelled: boolean
}

const idle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

export class VirtualClock implements Clock {
  private t: number
  private readonly start: number
  private seq = 0
  private readonly heap: Timer[] = []
  private pumping = false
  /** Timers fired so far. */
  fired = 0

  /** Starts at the real now: the store stamps expiry with Date.now() (48 h TTLs), virtual runs stay far shorter. */
  constructor (startMs = Date.now()) {
    this.t = startMs
    this.start = startMs
  }

  now (): number { return this.t }

  monotonic (): number { return this.t - this.start }

  /** Virtual ms since the clock was made. */
  elapsed (): number { return this.t - this.start }

  setTimeout (fn: () => void, ms: number): ClockTimer {
    const timer: Timer = { at: this.t + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: this.seq++, fn, cancelled: false, unref: () => timer }
    this.push(timer)
    this.kick()
    return timer
  }

  clearTimeout (timer: ClockTimer | undefined): void {
    if (timer != null) (timer as Timer).cancelled = true
  }

  timeoutSignal (ms: number): AbortSignal {
    const controller = new AbortController()
    this.setTimeout(() => { controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, ms)
    return controller.signal
  }

  async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => { this.setTimeout(resolve, ms) })
  }

  /** Resolves once virtual time reaches `at` (ms since the clock was made). */
  async until (at: number): Promise<void> {
    if (this.elapsed() >= at) return
    await this.sleep(at - this.elapsed())
  }

  get pending (): number { return this.heap.length }

  private kick (): void {
    if (this.pumping) return
    this.pumping = true
    void this.pump()
  }

  private async pump (): Promise<void> {
    try {
      while (this.heap.length > 0) {
        await idle()
        await idle()
        const next = this.pop()
        if (next == null) break
        if (next.cancelled) continue
        if (next.at > this.t) this.t = next.at
        this.fired++
        try { next.fn() } catch {}
      }
    } finally {
      this.pumping = false
    }
  }

  // ---- binary heap on (at, seq)

  private less (a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq) }

  private push (timer: Timer): void {
    const h = this.heap
    h.push(timer)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(h[i], h[parent])) break
      ;[h[i], h[parent]] = [h[parent], h[i]]
      i = parent
    }
  }

  private pop (): Timer | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.less(h[l], h[m])) m = l
        if (r < h.length && this.less(h[r], h[m])) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m], h[i]]
        i = m
      }
    }
    return top
  }
}
