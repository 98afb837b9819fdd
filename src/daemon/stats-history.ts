/**
 * A short memory of the node's request counters for the dashboard's charts
 * (`GET /v1/stats/history`): every 2 s the daemon reads the same counters
 * `/metrics` shows and keeps the last 15 minutes of readings in a bounded
 * ring, so a page opened now can draw the minutes before it was opened.
 * Readings are cumulative; the reader takes differences between neighbours.
 */
import { logger } from '@libp2p/logger'

const log = logger('toyrrent:stats-history')

/** One reading of the cumulative counters, at wall-clock time `t` (ms). */
export interface StatsSample {
  t: number
  /** Inbound RPC requests answered or reset since start: the sum of every `toyrrent_rpc_<type>_requests_total`. */
  requests: number
  /** Lookups finished since start (`toyrrent_lookup_duration_seconds_count`). */
  lookups: number
  /** Their total duration in seconds (`toyrrent_lookup_duration_seconds_sum`). */
  lookupSeconds: number
}

/** Reply of `GET /v1/stats/history`. */
export interface StatsHistoryResponse {
  /** The daemon's clock when it answered (ms), so a page can line its own clock up with `t`. */
  now: number
  intervalMs: number
  /** How far back the ring reaches at most. */
  spanMs: number
  /** Oldest first; only those after `?since=` when given. */
  samples: StatsSample[]
}

export interface StatsHistoryInit {
  /** The Prometheus text of the node's metrics (what `GET /metrics` serves). */
  metrics(): Promise<string>
  /** @default 2000 */
  intervalMs?: number
  /** @default 15 minutes */
  spanMs?: number
  now?(): number
}

export const STATS_HISTORY_INTERVAL_MS = 2_000
export const STATS_HISTORY_SPAN_MS = 15 * 60_000

export class StatsHistory {
  readonly intervalMs: number
  readonly spanMs: number
  private readonly metrics: () => Promise<string>
  private readonly now: () => number
  /** A ring of at most `capacity` samples; `next` is where the next one goes. */
  private readonly ring: StatsSample[] = []
  private readonly capacity: number
  private next = 0
  private timer?: ReturnType<typeof setTimeout>
  private running = false

  constructor (init: StatsHistoryInit) {
    this.metrics = init.metrics
    this.intervalMs = init.intervalMs ?? STATS_HISTORY_INTERVAL_MS
    this.spanMs = init.spanMs ?? STATS_HISTORY_SPAN_MS
    this.now = init.now ?? Date.now
    this.capacity = Math.max(2, Math.ceil(this.spanMs / this.intervalMs) + 1)
  }

  /** Take a first sample now, then one every interval until stop(). */
  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    await this.sample()
    this.schedule()
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
  }

  /** Samples oldest first, only those taken after `since` (ms) when given. */
  samples (since?: number): StatsSample[] {
    const ordered = this.ring.length < this.capacity ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)]
    return since == null ? ordered : ordered.filter(s => s.t > since)
  }

  toJSON (since?: number): StatsHistoryResponse {
    return { now: this.now(), intervalMs: this.intervalMs, spanMs: this.spanMs, samples: this.samples(since) }
  }

  /** Read the counters once and remember them (public for tests). */
  async sample (): Promise<void> {
    try {
      this.push({ t: this.now(), ...countersOf(await this.metrics()) })
    } catch (err: any) {
      // a failed reading leaves a gap in the charts, never a dead timer
      log('reading the metrics: %s', err.message)
    }
  }

  private push (sample: StatsSample): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(sample)
    } else {
      this.ring[this.next] = sample
      this.next = (this.next + 1) % this.capacity
    }
  }

  private schedule (): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      void this.sample().finally(() => { this.schedule() })
    }, this.intervalMs)
    // the daemon's own lifetime decides when the process ends
    this.timer.unref?.()
  }
}

const REQUESTS = /^toyrrent_rpc_\w+_requests_total(\{|\s)/

/** The counters a sample keeps, from Prometheus text. */
export function countersOf (text: string): Omit<StatsSample, 't'> {
  let requests = 0
  let lookups = 0
  let lookupSeconds = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith('toyrrent_')) continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (!Number.isFinite(value)) continue
    if (REQUESTS.test(line)) requests += value
    else if (line.startsWith('toyrrent_lookup_duration_seconds_count')) lookups = value
    else if (line.startsWith('toyrrent_lookup_duration_seconds_sum')) lookupSeconds = value
  }
  return { requests, lookups, lookupSeconds }
}

/** The history a daemon keeps for its node, found by the API route. */
const histories = new WeakMap<object, StatsHistory>()

export function attachStatsHistory (node: object, history: StatsHistory): void {
  histories.set(node, history)
}

export function statsHistoryOf (node: object): StatsHistory | undefined {
  return histories.get(node)
}
