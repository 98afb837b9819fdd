/**
 * Joining: look ourselves up so our neighbours learn of us and we of them,
 * then pull from each neighbour, batch by batch, the items this node is now
 * among the R nearest for (the newcomer's side of the handoff protocol).
 * Each item is verified and kept (the acceptor re-hashes or checks the
 * signature) and acknowledged in the next request; the neighbour drops its
 * copies only after these acknowledgements. The last one goes out without
 * the pull waiting for it (`acknowledged()` does).
 */
import { HANDOFF_BATCH_ITEMS, SELF_LOOKUP_ALPHA, SELF_LOOKUP_N } from '../constants.ts'
import type { LookupShape, Lookups } from './lookups.ts'
import type { NearWatch } from './lookup.ts'
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
  /** Last acknowledgements still in flight (pull() does not wait for them). */
  private readonly acks = new Set<Promise<void>>()

  constructor (init: OnboardingInit) {
    this.init = init
  }

  /** Look ourselves up: our neighbours learn of us and we of them (`near`: the join watches its nearest). */
  async selfLookup (signal: AbortSignal, near?: NearWatch, more?: Promise<{ peers: FoundPeer[], urgent: number }>): Promise<FoundPeer[]> {
    return (await this.init.lookups.nearest(this.init.neighbourhood.self, SELF_LOOKUP_N, signal, this.selfShape(), undefined, near, more)).peers
  }

  /** Our own position. */
  get self (): Uint8Array { return this.init.neighbourhood.self }

  /** How many peers a self lookup keeps in its shortlist (what the join's routed find asks for). */
  get lookupWidth (): number { return this.selfShape().width }

  private selfShape (): LookupShape {
    return { ...this.init.lookups.exactShape(SELF_LOOKUP_N), alpha: SELF_LOOKUP_ALPHA }
  }

  /** How many neighbours a newcomer pulls from: 2R. */
  get neighbourCount (): number { return this.init.settings.replicas * 2 }

  /** Our neighbours among a self lookup's peers (ourselves left out): the first 2R. */
  neighbours (nearest: FoundPeer[]): FoundPeer[] {
    const { neighbourhood } = this.init
    return nearest.filter(p => !p.peerId.equals(neighbourhood.selfId)).slice(0, this.neighbourCount)
  }

  /**
   * Find our neighbours and pull from each the items we are now among the R
   * nearest for. `nearest` is a self lookup's result when one just ran (the
   * join): its first 2R are our neighbours, no second lookup needed.
   */
  async onboard (signal: AbortSignal, nearest?: FoundPeer[]): Promise<HandoffResult> {
    const { neighbourhood, settings } = this.init
    const neighbours = this.neighbours(nearest ?? (await this.init.lookups.nearest(neighbourhood.self, settings.replicas * 2, signal)).peers)
    return this.sum(await Promise.all(neighbours.map(async peer => this.pullFrom(peer, signal))))
  }

  /** Pull one neighbour's share for us; its failure is logged and counted, not thrown (the join's own abort is). */
  async pullFrom (peer: FoundPeer, signal: AbortSignal): Promise<HandoffResult> {
    // a client is in no replica set (no server lists it, nor does it count itself): it takes nothing over,
    // and a HANDOFF would put it in the neighbour's table (protocols/rpc.md, "Routing table")
    if (!this.init.neighbourhood.serves()) return { items: 0, bytes: 0, refused: 0 }
    try {
      return await this.pull(peer, signal)
    } catch (err: any) {
      signal.throwIfAborted()
      this.init.metrics?.count('handoff_failures')
      this.init.log('handoff from %p failed: %s', peer.peerId, err.message)
      return { items: 0, bytes: 0, refused: 0 }
    }
  }

  /** The handoffs' total, counted and logged. */
  sum (results: HandoffResult[]): HandoffResult {
    const total: HandoffResult = { items: 0, bytes: 0, refused: 0 }
    for (const r of results) {
      total.items += r.items
      total.bytes += r.bytes
      total.refused += r.refused
    }
    this.init.metrics?.count('handoff_items_received', total.items)
    this.init.log('onboarding: took over %d items (%d bytes) from %d neighbours', total.items, total.bytes, results.length)
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
      // we hold these items already: the last acknowledgement (after which the neighbour may drop its
      // copies) needs no wait of ours; lost, it leaves the neighbour holding them, which is safe
      const last = acked
      const ack: Promise<void> = requests.ask(peer, { signal }, async (rpc, options) => rpc.acknowledgeHandoff(peer, last, options))
        .then(() => {}, (err: Error) => { log('handoff from %p: the last acknowledgement failed: %s', peer.peerId, err.message) })
        .finally(() => { this.acks.delete(ack) })
      this.acks.add(ack)
    }
    return result
  }

  /** Resolves once the last acknowledgements of the pulls so far have been answered (or failed). */
  async acknowledged (): Promise<void> {
    await Promise.all([...this.acks])
  }
}
