/**
 * toyrrent's own metrics, registered through whatever libp2p `metrics`
 * implementation the node was built with (createToyrrentNode uses
 * @libp2p/prometheus-metrics when asked to). Without one every call is a
 * no-op, so the service never depends on a metrics backend.
 *
 * Names (Prometheus form):
 * - toyrrent_items_held, toyrrent_bytes_held                    gauges, read at scrape time
 * - toyrrent_peer_table_size, toyrrent_network_size_estimate    gauges
 * - toyrrent_inbound_queue{state=running|queued}                gauge
 * - toyrrent_rpc_<type>_requests_total{outcome=...}             counters; type is the request type
 *   in lower case (find_before_n, store, fetch, digest, sync_keys, holds, handoff...) or unknown; outcome is the reply status in kebab case (ok, not-found, busy...) or
 *   `reset` for a frame that broke the protocol
 * - toyrrent_lookup_hops, toyrrent_lookup_duration_seconds      histograms, one sample per lookup
 * - toyrrent_repair_*_total, toyrrent_handoff_*_total           counters, see COUNTERS
 */
import type { Counter, Histogram, Metrics } from '@libp2p/interface'

/** Plain counters any part of the service may bump with `metrics.count(name)`. */
export const COUNTERS = {
  repair_rounds: 'toyrrent_repair_rounds_total',
  repair_items_pushed: 'toyrrent_repair_items_pushed_total',
  repair_failures: 'toyrrent_repair_failures_total',
  handoff_items_sent: 'toyrrent_handoff_items_sent_total',
  handoff_items_received: 'toyrrent_handoff_items_received_total',
  handoff_failures: 'toyrrent_handoff_failures_total',
  rpc_streams_reset: 'toyrrent_rpc_streams_reset_total',
  forwarded_reads: 'toyrrent_forwarded_reads_total',
  forwarded_read_fallbacks: 'toyrrent_forwarded_read_fallbacks_total',
  forwarded_reads_served: 'toyrrent_forwarded_reads_served_total',
  forwarded_reads_passed_on: 'toyrrent_forwarded_reads_passed_on_total',
  forwarded_puts: 'toyrrent_forwarded_puts_total',
  forwarded_put_fallbacks: 'toyrrent_forwarded_put_fallbacks_total',
  forwarded_puts_served: 'toyrrent_forwarded_puts_served_total',
  forwarded_puts_passed_on: 'toyrrent_forwarded_puts_passed_on_total',
  forwarded_placements: 'toyrrent_forwarded_placements_total'
} as const

export type CounterName = keyof typeof COUNTERS

export interface MetricSources {
  items(): number
  bytes(): number
  tableSize(): number
  networkSize(): number
  queue(): { running: number, queued: number }
}

/** A request type as metric names show it: `find_before_n`, `store`, ..., `unknown`. */
export type RequestTypeName = string

interface CounterGroupLike { increment(values: Record<string, number | true>): void }

export class ToyrrentMetrics {
  private readonly counters = new Map<CounterName, Counter>()
  private readonly requests = new Map<RequestTypeName, CounterGroupLike>()
  private readonly metrics?: Metrics
  private readonly hops?: Histogram
  private readonly duration?: Histogram

  constructor (metrics: Metrics | undefined, sources: MetricSources) {
    if (metrics == null) return
    this.metrics = metrics
    metrics.registerMetric('toyrrent_items_held', { help: 'items this node holds', calculate: () => sources.items() })
    metrics.registerMetric('toyrrent_bytes_held', { help: 'bytes of items this node holds, as stored', calculate: () => sources.bytes() })
    metrics.registerMetric('toyrrent_peer_table_size', { help: 'peers in the routing table', calculate: () => sources.tableSize() })
    metrics.registerMetric('toyrrent_network_size_estimate', { help: 'nodes in the network, estimated from the distances to the nearest peers', calculate: () => sources.networkSize() })
    metrics.registerMetricGroup('toyrrent_inbound_queue', { label: 'state', help: 'inbound requests running or waiting', calculate: () => sources.queue() })
    for (const type of ['find_before_n', 'store', 'fetch', 'unknown']) this.requestGroup(type)
    for (const [key, name] of Object.entries(COUNTERS)) {
      this.counters.set(key as CounterName, metrics.registerCounter(name, { help: name.replace(/^toyrrent_|_total$/g, '').replaceAll('_', ' ') }))
    }
    this.hops = metrics.registerHistogram('toyrrent_lookup_hops', { help: 'hops of a lookup: the longest chain of referrals that reached its answer', buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20] })
    this.duration = metrics.registerHistogram('toyrrent_lookup_duration_seconds', { help: 'how long lookups take', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] })
  }

  /** One inbound request answered (outcome = status code) or that reset its stream. */
  request (type: RequestTypeName, outcome: string): void {
    this.requestGroup(type)?.increment({ [outcome]: true })
  }

  private requestGroup (type: RequestTypeName): CounterGroupLike | undefined {
    if (this.metrics == null) return undefined
    let group = this.requests.get(type)
    if (group == null) {
      group = this.metrics.registerCounterGroup(`toyrrent_rpc_${type}_requests_total`, { label: 'outcome', help: `inbound ${type} requests by outcome` })
      this.requests.set(type, group)
    }
    return group
  }

  lookup (hops: number, ms: number): void {
    this.hops?.observe(hops)
    this.duration?.observe(ms / 1000)
  }

  count (name: CounterName, n = 1): void {
    this.counters.get(name)?.increment(n)
  }
}
