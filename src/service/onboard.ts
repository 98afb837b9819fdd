/**
 * Joining: look ourselves up so our neighbours learn of us and we of them,
 * then pull from each neighbour, batch by batch, the items this node is now
 * among the R nearest for (the newcomer's side of the handoff protocol).
 * Each item is verified and kept (the acceptor re-hashes or checks the
 * signature) and acknowledged in the next request; the neighbour drops its
 * copies only after these acknowledgements.
 */
import { HANDOFF_BATCH_ITEMS, SELF_LOOKUP_ALPHA, SELF_LOOKUP_N } from '../constants.ts'
import type { Lookups } from './lookups.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { Settings } from './options.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { Logger } from '@libp2p/interface'

export interface HandoffResult {
  items: number
  bytes: number
  refused: number
}

export interface OnboardingInit {
  settings: Settings
  lookups: Lookups
  requests: PeerRequests
  neighbourhood: Neighbourhood
  acceptor: ItemAcceptor
  metrics?: ToyrrentMetrics
  log: Logger
}

export class Onboarding {
  private readonly init: OnboardingInit

  constructor (init: OnboardingInit) {
    this.init = init
  }

  /** Look ourselves up: our neighbours learn of us and we of them. */
  async selfLookup (signal: AbortSignal): Promise<FoundPeer[]> {
    const shape = { ...this.init.lookups.exactShape(SELF_LOOKUP_N), alpha: SELF_LOOKUP_ALPHA }
    return (await this.init.lookups.nearest(this.init.neighbourhood.self, SELF_LOOKUP_N, signal, shape)).peers
  }

  /**
   * Find our neighbours and pull from each the items we are now among the R
   * nearest for. `nearest` is a self lookup's result when one just ran (the
   * join): its first 2R are our neighbours, no second lookup needed.
   */
  async onboard (signal: AbortSignal, nearest?: FoundPeer[]): Promise<HandoffResult> {
    const { neighbourhood, settings, metrics, log } = this.init
    const neighbours = (nearest ?? (await this.init.lookups.nearest(neighbourhood.self, settings.replicas * 2, signal)).peers)
      .filter(p => !p.peerId.equals(neighbourhood.selfId)).slice(0, settings.replicas * 2)
    const total: HandoffResult = { items: 0, bytes: 0, refused: 0 }
    await Promise.all(neighbours.map(async peer => {
      try {
        const r = await this.pull(peer, signal)
        total.items += r.items
        total.bytes += r.bytes
        total.refused += r.refused
      } catch (err: any) {
        metrics?.count('handoff_failures')
        log('handoff from %p failed: %s', peer.peerId, err.message)
      }
    }))
    metrics?.count('handoff_items_received', total.items)
    log('onboarding: took over %d items (%d bytes) from %d neighbours', total.items, total.bytes, neighbours.length)
    return total
  }

  /** Pull one neighbour's share for us; bounded: every batch advances the cursor through its finite key set. */
  private async pull (peer: FoundPeer, signal: AbortSignal): Promise<HandoffResult> {
    const { requests, acceptor, log } = this.init
    const result: HandoffResult = { items: 0, bytes: 0, refused: 0 }
    let cursor: Uint8Array = new Uint8Array(0)
    let acked: Uint8Array[] = []
    while (true) {
      signal.throwIfAborted()
      const batch = await requests.ask(peer, { signal }, async (rpc, options) => rpc.handoff(peer, cursor, HANDOFF_BATCH_ITEMS, acked, options))
      acked = []
      for (const item of batch.items) {
        const verdict = await acceptor.accept(item, { signal })
        if (verdict.refused == null) {
          acked.push(item.key)
          result.items++
          result.bytes += item.body.byteLength
        } else {
          result.refused++
          log('handoff from %p: refused an item: %s', peer.peerId, verdict.message)
        }
      }
      if (batch.done || batch.items.length === 0) break
      cursor = batch.cursor
    }
    if (acked.length > 0) {
      const last = acked
      await requests.ask(peer, { signal }, async (rpc, options) => rpc.acknowledgeHandoff(peer, last, options))
    }
    return result
  }
}
