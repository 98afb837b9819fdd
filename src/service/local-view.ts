/**
 * What this node holds and how the network looks from here, with no network
 * traffic: `stats()`, `heldItems()`, the network size estimate (for
 * `toyrrent stats`, /v1/stats, the metrics and the dashboard).
 */
import { isExpired } from '../store/item-store.ts'
import { tableSizeEstimate } from './size-estimate.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { InboundQueue } from '../rpc/inbound-queue.ts'
import type { PeerTable } from './peer-table.ts'
import type { Placement } from './placement.ts'
import type { SizeEstimate } from './size-estimate.ts'
import type { HeldItem, NetworkStats, RepairStats, ToyrrentStats, UnreadableStats } from './types.ts'

export interface LocalViewInit {
  selfKey: string
  replicas: number
  writeQuorum: number
  forwardPuts: boolean
  store: ItemStore
  table: PeerTable
  placement: Placement
  inbound: InboundQueue
  repairStats(): RepairStats
  /** Peers kept out after their LEAVE (departed-peers.ts). */
  departed?(): string[]
  /** Items dropped because their bodies could not be read back from disk, and the pinned ones fetched again. */
  unreadable?(): UnreadableStats
}

export class LocalView {
  private readonly init: LocalViewInit

  constructor (init: LocalViewInit) {
    this.init = init
  }

  /** What this node holds and how replication looks from here. */
  stats (): ToyrrentStats {
    const { store, table } = this.init
    return {
      items: store.size,
      bytes: store.bytes,
      pinned: [...store.metas()].filter(m => m.pinned).length,
      pinnedBytes: [...store.metas()].reduce((sum, m) => m.pinned ? sum + m.bytes : sum, 0),
      peers: table.size,
      replicas: this.init.replicas,
      writeQuorum: this.init.writeQuorum,
      forwardPuts: this.init.forwardPuts,
      repair: { ...this.init.repairStats() },
      unreadable: this.init.unreadable?.() ?? { dropped: 0, restored: 0, failed: 0 },
      network: this.networkStats()
    }
  }

  heldItems (): HeldItem[] {
    const self = this.init.selfKey
    return this.init.placement.assignments().filter(({ meta }) => !isExpired(meta)).map(({ meta: m, replicaSet }) => ({
      key: m.key,
      kind: m.kind,
      seq: m.seq,
      pinned: m.pinned,
      expiresAt: Number(m.expiresAt),
      responsible: replicaSet.includes(self)
    }))
  }

  /** True when this node holds a live copy of the item. */
  holdsLocally (key: Uint8Array): boolean {
    const meta = this.init.store.meta(key)
    return meta != null && !isExpired(meta)
  }

  /** Network size estimated from the distances to our nearest peers. */
  networkSize (): SizeEstimate {
    return tableSizeEstimate(this.init.table)
  }

  /** The network as this node sees it, for `toyrrent stats` and /v1/stats. */
  networkStats (): NetworkStats {
    return { tableBands: this.init.table.bands().size, networkSize: this.networkSize(), inbound: this.init.inbound.stats(), departed: this.init.departed?.() ?? [] }
  }
}
