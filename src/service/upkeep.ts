/**
 * A node's background upkeep, wired from its settings: the anti-entropy
 * repair rounds (repair.ts) and the routing-table refresh (refresh.ts).
 */
import { Repairer } from './repair.ts'
import { TableRefresher } from './refresh.ts'
import { SELF_LOOKUP_N } from '../constants.ts'
import { deadlineSignal } from '../signals.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { Lookups } from './lookups.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { Placement } from './placement.ts'
import type { Writer } from './writer.ts'
import type { Settings } from './options.ts'
import type { ToyrrentComponents } from './types.ts'

export interface UpkeepInit {
  components: Pick<ToyrrentComponents, 'peerId' | 'logger'>
  settings: Settings
  store: ItemStore
  table: PeerTable
  placement: Placement
  requests: PeerRequests
  writer: Writer
  lookups: Lookups
  metrics: ToyrrentMetrics
}

export function createRepairer (init: UpkeepInit): Repairer {
  const { settings: s, metrics } = init
  return new Repairer({
    store: init.store,
    placement: init.placement,
    table: init.table,
    requests: init.requests,
    writer: init.writer,
    selfKey: init.components.peerId.toString(),
    log: init.components.logger.forComponent('toyrrent:repair'),
    trialPeriod: s.trialPeriod,
    republishInterval: s.republishInterval,
    count: (name, n) => { metrics.count(name, n) },
    clock: s.clock
  })
}

export function createRefresher (init: UpkeepInit): TableRefresher {
  const { settings: s, lookups } = init
  return new TableRefresher({
    table: init.table,
    bucketSize: s.bucketSize,
    interval: s.refreshInterval,
    log: init.components.logger.forComponent('toyrrent:refresh'),
    lookup: async (target, signal) => { await lookups.nearest(target, SELF_LOOKUP_N, deadlineSignal([signal], s.operationTimeout, s.clock)) },
    clock: s.clock
  })
}
