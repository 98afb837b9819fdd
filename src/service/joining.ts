/**
 * Joining the network: look ourselves up (our neighbours learn of us and we
 * of them), then take over from our neighbours the items we are now among
 * the R nearest for (onboard.ts). Meeting the far bands (Kademlia's join
 * step; most keys' replica sets are there) is no part of the join's critical
 * path: it starts beside the handoff, asks only the neighbours just met
 * (refresh.ts fillBands) and may go on after the join returns.
 */
import { JOIN_MAX_OPERATION_TIMEOUTS } from '../constants.ts'
import { deadlineSignal } from '../signals.ts'
import { ProgressDeadline } from './progress-deadline.ts'
import type { Clock } from '../clock.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Lookups } from './lookups.ts'
import type { HandoffResult, Onboarding } from './onboard.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { TableRefresher } from './refresh.ts'
import type { ToyrrentOperationOptions } from './types.ts'
import type { Logger } from '@libp2p/interface'

export interface JoinerInit {
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

  /** Resolves once the work the last join left running (far-band filling) has settled. */
  async settled (): Promise<void> { await this.bandFill }

  /** Join, or share the join in progress; `shutdown` aborts it with the service. */
  async join (options: ToyrrentOperationOptions, shutdown: AbortSignal): Promise<HandoffResult> {
    this.joining ??= this.whileAnswered(options, shutdown, async signal => {
      const { onboarding, table } = this.init
      const nearest = await onboarding.selfLookup(signal)
      this.bandFill = this.fillBands(nearest, shutdown)
      const result = await onboarding.onboard(signal, nearest)
      this.joined = table.size > 0
      this.init.refresher.settleAfterJoin()
      return result
    }).finally(() => { this.joining = undefined })
    return this.joining
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
