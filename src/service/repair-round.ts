/**
 * What every part of a repair round shares: its state (bytes, peers found
 * gone, who confirmed which item), the stats, and the three things a round
 * does to a peer: ask it, push an item to it, and take note when it failed.
 */
import { RemoteRejectedError } from '../errors.ts'
import { hexKey as hex } from '../bytes.ts'
import { toItem } from '../store/item-store.ts'
import type { ItemMeta, ItemStore } from '../store/item-store.ts'
import type { Placement } from './placement.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerRpc, RequestOptions } from '../rpc/peer-rpc.ts'
import type { PeerTable } from './peer-table.ts'
import type { Writer } from './writer.ts'
import type { Logger } from '@libp2p/interface'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { RepairStats } from './types.ts'

export type { RepairStats }

export interface RepairInit {
  store: ItemStore
  placement: Placement
  table: PeerTable
  requests: PeerRequests
  selfKey: string
  log: Logger
  /** How long an item stays here after this node stopped being responsible, in ms. */
  trialPeriod: number
  /** Between republishes of our own (pinned) items, in ms. */
  republishInterval: number
  /** Stores on one peer (pushes) and replicates afresh (republishes). */
  writer: Pick<Writer, 'storeOn' | 'replicate'>
  /** Bump a metrics counter. */
  count?(name: 'repair_rounds' | 'repair_items_pushed' | 'repair_failures', n?: number): void
  clock?: Clock
}

export interface RoundState {
  bytes: number
  failedPeers: number
  /** key hex -> peers confirmed to hold the item this round */
  confirmed: Map<string, Set<string>>
}

export function newRoundState (): RoundState {
  return { bytes: 0, failedPeers: 0, confirmed: new Map() }
}

export class RoundWork {
  readonly init: RepairInit
  readonly stats: RepairStats = { lastRoundAt: 0, lastRoundMs: 0, lastRoundBytes: 0, rounds: 0, pushed: 0, dropped: 0, republished: 0, responsible: 0, underReplicated: 0, overReplicated: 0 }

  constructor (init: RepairInit) {
    this.init = init
  }

  /** Store one item on a peer. With `state`, a peer that could not be reached (not one that refused) counts as failed. */
  async push (peer: FoundPeer, meta: ItemMeta, signal: AbortSignal, state?: RoundState): Promise<boolean> {
    const stored = await this.init.store.get(meta.key)
    if (stored == null) return false
    try {
      await this.init.writer.storeOn(peer, toItem(meta.key, stored, (this.init.clock ?? systemClock).now()), signal)
      this.stats.pushed++
      this.init.count?.('repair_items_pushed')
      return true
    } catch (err: any) {
      this.init.log('repair: could not push %s to %p: %s', hex(meta.key), peer.peerId, err.message)
      if (state != null && !(err instanceof RemoteRejectedError)) {
        this.peerFailed(peer, err, state, signal)
      }
      return false
    }
  }

  /** One request of a round, its bytes counted. */
  async ask<T> (peer: FoundPeer, state: RoundState, signal: AbortSignal, call: (rpc: PeerRpc, options: RequestOptions) => Promise<T>): Promise<T> {
    return this.init.requests.ask(peer, { signal, onBytes: bytes => { state.bytes += bytes } }, call)
  }

  /** A request failed (PeerRequests already judged the peer): when it left the table, the round places its share again. */
  peerFailed (peer: FoundPeer, err: Error, state: RoundState, signal: AbortSignal): void {
    if (signal.aborted) return
    this.init.count?.('repair_failures')
    if (this.init.table.get(peer.peerId) != null) return
    this.init.log('repair: %p did not answer (%s); it left the table', peer.peerId, err.message)
    state.failedPeers++
  }

  confirm (state: RoundState, key: Uint8Array, peer: string): void {
    const k = hex(key)
    let set = state.confirmed.get(k)
    if (set == null) state.confirmed.set(k, set = new Set())
    set.add(peer)
  }
}
