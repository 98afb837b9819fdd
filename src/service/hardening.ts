/**
 * Service options for running in the open: the inbound queue, frame
 * deadlines and routing-table refresh. ToyrrentInit extends this.
 */
import type { InboundQueueInit, InboundQueueStats } from '../rpc/inbound-queue.ts'
import type { SizeEstimate } from './size-estimate.ts'

export interface HardeningInit {
  /** Limits of the inbound request queue (concurrency 16, 256 waiting, 32 per peer by default). */
  inboundQueue?: InboundQueueInit
  /** A request frame that has begun must arrive whole within this many ms, or its stream is reset. @default 10000 */
  frameTimeout?: number
  /** An inbound RPC stream with nothing in flight for this many ms is closed. @default 300000 */
  idleTimeout?: number
  /** ms between routing-table refreshes (self lookup + a lookup per band that is not full); 0 = off. @default 600000 */
  refreshInterval?: number
}

/** Ten minutes: enough to notice churn, cheap next to the traffic of a busy node. */
export const DEFAULT_REFRESH_INTERVAL_MS = 600_000

/** The network as one node sees it (part of `stats()`). */
export interface NetworkStats {
  /** Distance bands with at least one peer in the routing table. */
  tableBands: number
  /** Estimated number of nodes, from the distances to the nearest peers. */
  networkSize: SizeEstimate
  inbound: InboundQueueStats
}
