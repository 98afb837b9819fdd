/**
 * Joining the network: look ourselves up (our neighbours learn of us and we
 * of them), with a routed find through the peer we are connected to beside
 * it (routed-find.ts: over connections already open, no new connection per
 * hop) that names our neighbours early (the lookup asks each itself, so it
 * checks what the routed find said), and take over from our 2R nearest the items we are now among
 * the R nearest for (onboard.ts). The join's critical path is only what the
 * handoff needs: a neighbour the routed find names is pulled from at once
 * (its new connection carries the HANDOFF beside the lookup's FIND_BEFORE_N),
 * any other as soon as it answers the self lookup while among its 2R + 1
 * nearest (ourselves included), and the join
 * returns once those have all answered and been pulled from. The rest of
 * the self lookup (its other ~14 nearest: our near bands, and their tables'
 * knowledge of us) and then the far bands (Kademlia's join step; most keys'
 * replica sets are there: refresh.ts fillBands, asking only the neighbours
 * just met) go on after the join returns.
 */
import { JOIN_MAX_OPERATION_TIMEOUTS } from '../constants.ts'
import { deadlineSignal } from '../signals.ts'
import { ProgressDeadline } from './progress-deadline.ts'
import { announceReturn } from './leave-return.ts'
import type { Clock } from '../clock.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Lookups } from './lookups.ts'
import type { HandoffResult, Onboarding } from './onboard.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { TableRefresher } from './refresh.ts'
import type { ToyrrentComponents, ToyrrentOperationOptions } from './types.ts'
import type { Logger } from '@libp2p/interface'

export interface JoinerInit {
  /** To dial back, after a graceful leave, the peers it told (leave-return.ts). */
  components: Pick<ToyrrentComponents, 'datastore' | 'connectionManager' | 'peerStore'>
  onboarding: Onboarding
  refresher: TableRefresher
  lookups: Lookups
  requests: PeerRequests
  table: PeerTable
  operationTimeout: number
  clock: Clock
  log: Logger
}

export class Joiner {
  private readonly init: JoinerInit
  private joining?: Promise<HandoffResult>
  private bandFill?: Promise<void>
  /** A join has completed with peers in the table. */
  joined = false

  constructor (init: JoinerInit) {
    this.init = init
  }

  /** A join is running now. */
  get running (): boolean { return this.joining != null }

  /** Resolves once the work the last join left running (the rest of its self lookup, far-band filling, the handoff's last acknowledgements) has settled. */
  async settled (): Promise<void> {
    await this.bandFill
    await this.init.onboarding.acknowledged()
  }

  /** Join, or share the join in progress; `shutdown` aborts it with the service. */
  async join (options: ToyrrentOperationOptions, shutdown: AbortSignal): Promise<HandoffResult> {
    this.joining ??= this.whileAnswered(options, shutdown, async signal => {
      // beside meeting our neighbours: the peers our last leave told take us back (leave-return.ts)
      const back = announceReturn(this.init.components, signal, { clock: this.init.clock }).then(r => {
        if (r != null) this.init.log('join: back after a graceful leave: dialled %d of the peers it told, reached %d%s', r.dialled, r.reached, r.firstError == null ? '' : ` (first failure: ${r.firstError})`)
      })
      const result = await this.meetAndPull(signal, shutdown)
      await back
      this.joined = this.init.table.size > 0
      this.init.refresher.settleAfterJoin()
      return result
    }).finally(() => { this.joining = undefined })
    return this.joining
  }

  /**
   * A routed find of ourselves, pulling at once from the neighbours it names;
   * then the self lookup (from the peers named), pulling from each neighbour
   * as it is met; returns once the 2R nearest have answered and been pulled from.
   */
  private async meetAndPull (signal: AbortSignal, shutdown: AbortSignal): Promise<HandoffResult> {
    const { onboarding, log } = this.init
    const pulls = new Map<string, Promise<HandoffResult>>()
    const pull = (peer: FoundPeer): Promise<HandoffResult> => {
      const key = peer.peerId.toString()
      let pulling = pulls.get(key)
      if (pulling == null) {
        pulls.set(key, pulling = onboarding.pullFrom(peer, signal))
        // it rejects only when the join is aborted, which the join reports itself
        pulling.catch(() => {})
      }
      return pulling
    }
    // beside the lookup (which asks the same peer plainly), a routed find through the peer we are connected to
    // names our neighbours in one exchange (routed-find.ts). When the chain's last hop knew its whole band the
    // lookup asks them at once and the join pulls from them at once (each new connection carries both requests);
    // otherwise they are only candidates of the lookup
    let met = false
    const routing = this.init.lookups.routedFind(onboarding.self, onboarding.lookupWidth, signal).then(routed => {
      if (routed == null) return { peers: [], urgent: 0 }
      log('join: routed find through %p: %d peers named, %d hops, exhaustive %s', routed.asked.peerId, routed.answer.peers.length, routed.answer.routed, routed.answer.exhaustive)
      // an answer later than the lookup's own meeting of our neighbours is of no use to the handoff
      if (routed.answer.exhaustive && !met) onboarding.neighbours(routed.answer.peers).forEach(peer => { void pull(peer) })
      return { peers: routed.answer.peers, urgent: routed.answer.exhaustive ? onboarding.neighbourCount : 0 }
    })
    const settled = Promise.withResolvers<FoundPeer[]>()
    const onSettled = (peers: FoundPeer[]): void => { met = true; settled.resolve(peers) }
    const lookup = onboarding.selfLookup(signal, { count: onboarding.neighbourCount + 1, onNear: peer => { void pull(peer) }, onSettled }, routing)
    lookup.catch(settled.reject)
    this.bandFill = lookup.then(async nearest => { await this.fillBands(nearest, shutdown) }, (err: Error) => { log('join: the self lookup failed: %s', err.message) })
    await Promise.all(onboarding.neighbours(await settled.promise).map(pull))
    // a peer pulled from that fell out of the nearest since still handed over items: wait for all
    return onboarding.sum(await Promise.all(pulls.values()))
  }

  /** The join's far-band filling, under its own deadline (the join may have returned). */
  private async fillBands (nearest: FoundPeer[], shutdown: AbortSignal): Promise<void> {
    const { operationTimeout, clock, refresher, lookups, table, log } = this.init
    const signal = deadlineSignal([shutdown], operationTimeout, clock)
    try {
      const bands = await refresher.fillBands(signal, nearest, async (peer, target, n, s) => lookups.askOne(peer, target, n, s))
      log('join: asked about %d far bands; %d peers heard of', bands.length, table.unverified)
    } catch (err: any) {
      log('join: band filling failed: %s', err.message)
    }
  }

  /** Work of many requests: fails when no peer answered for an operation timeout, or after `options.timeout` (default JOIN_MAX_OPERATION_TIMEOUTS of them). */
  private async whileAnswered<T> (options: ToyrrentOperationOptions, shutdown: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { operationTimeout, clock, requests } = this.init
    const deadline = new ProgressDeadline({ signals: [shutdown, options.signal], stallMs: operationTimeout, maxMs: options.timeout ?? operationTimeout * JOIN_MAX_OPERATION_TIMEOUTS, clock })
    const stopListening = requests.onAnswer(() => { deadline.progress() })
    try {
      return await work(deadline.signal)
    } finally {
      stopListening()
      deadline.clear()
    }
  }
}
