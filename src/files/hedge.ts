/**
 * When a file's block get asks more than the nearest holder. The service
 * asks a second and third holder after READ_HEDGE_MS without an answer,
 * which suits one get. A file read keeps a window of gets in flight, and on
 * a busy machine each waits on that queue too: a fixed 200 ms then fires
 * for nearly every block, each asks three nodes, every copy is sent and
 * decrypted, and the extra work slows the next blocks further (measured:
 * 2–3 requests per remote block under load, one when quiet). So the files
 * layer waits a multiple of the latency its block gets have been seeing,
 * never less than the service's default: a holder that is slower than the
 * others still gets hedged, a busy machine does not hedge itself.
 */
import { READ_HEDGE_MS } from '../constants.ts'

/** Hedge after this many times the recent block latency. */
export const HEDGE_LATENCY_FACTOR = 3
/** Never wait longer than this before asking more: well under the request deadline (5 s), so a silent holder still costs less than a timeout. */
export const MAX_HEDGE_MS = 2_000
/** Weight of the newest latency in the moving average. */
const WEIGHT = 0.2

export class BlockLatency {
  private average?: number

  /** A block get that succeeded in `ms`. */
  observe (ms: number): void {
    this.average = this.average == null ? ms : this.average + WEIGHT * (ms - this.average)
  }

  /** The hedge delay to pass with the next get. */
  hedgeMs (): number {
    return Math.min(MAX_HEDGE_MS, Math.max(READ_HEDGE_MS, Math.round(HEDGE_LATENCY_FACTOR * (this.average ?? 0))))
  }
}
