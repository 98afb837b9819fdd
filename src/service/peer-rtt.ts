/**
 * Round-trip times measured per peer, for hedging reads in round trips
 * instead of a fixed wait: a get or resolve asks the nearest replica(s)
 * first and asks more once the first have taken three of their own
 * round trips — 60 ms instead of 200 ms over a 20 ms link — and never sooner
 * than HEDGE_MIN_MS, so a node busy for a moment on loopback is not sent
 * every read twice (a first try with two RTTs and a 20 ms floor sent more
 * hedges on a loaded machine without a measurable gain).
 *
 * Smoothed as TCP does (srtt ← 7/8 srtt + 1/8 sample), from answered
 * requests only; a bounded map (the oldest peer forgotten first).
 */
import { READ_HEDGE_MS } from '../constants.ts'

/** Never hedge sooner than this. */
export const HEDGE_MIN_MS = 50
/** A hedge waits this many smoothed round trips of the slowest peer asked. */
export const HEDGE_RTTS = 3
const MAX_PEERS = 4096
/**
 * At most this share of reads may send a hedge (over a burst of HEDGE_BURST):
 * on an overloaded node every answer is late, every hedge fired, and each
 * read cost twice the requests, which loaded it more (2.2 FETCHes per
 * concurrent get at 50 nodes in one process, against 1.0 for sequential ones).
 */
export const HEDGE_SHARE = 0.1
export const HEDGE_BURST = 10

export class PeerRtt {
  private readonly srtt = new Map<string, number>()
  private hedges = HEDGE_BURST

  /** A hedged read started: it earns a share of a hedge. */
  readStarted (): void {
    this.hedges = Math.min(HEDGE_BURST, this.hedges + HEDGE_SHARE)
  }

  /** May a read's hedge fire now? Spends one when it may. */
  takeHedge (): boolean {
    if (this.hedges < 1) return false
    this.hedges -= 1
    return true
  }

  record (peer: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return
    const old = this.srtt.get(peer)
    if (old == null) {
      if (this.srtt.size >= MAX_PEERS) this.srtt.delete(this.srtt.keys().next().value!)
      this.srtt.set(peer, ms)
    } else {
      this.srtt.set(peer, old + (ms - old) / 8)
    }
  }

  /** Smoothed RTT of `peer` in ms, when it has answered before. */
  estimate (peer: string): number | undefined {
    return this.srtt.get(peer)
  }

  /** How long to wait on `peers` before asking more: READ_HEDGE_MS when any of them is unmeasured. */
  hedgeFor (peers: string[]): number {
    let slowest = 0
    for (const p of peers) {
      const rtt = this.srtt.get(p)
      if (rtt == null) return READ_HEDGE_MS
      slowest = Math.max(slowest, rtt)
    }
    return Math.min(READ_HEDGE_MS, Math.max(HEDGE_MIN_MS, HEDGE_RTTS * slowest))
  }
}
