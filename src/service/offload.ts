/**
 * Items on their way out: those this node holds but is no longer among the
 * R nearest for (each repair round), or every item (a graceful leave). Each
 * member of the replica set is asked whether it holds them (HOLDS) and sent
 * what it lacks; this node drops its copy only once every member confirmed
 * it and the trial period passed. Pinned items (our own users') are kept.
 */
import { MAX_KEYS_PER_REQUEST, MAX_LEAVE_PASSES } from '../constants.ts'
import { hexKey as hex } from '../bytes.ts'
import { worthPassingOn } from '../store/item-store.ts'
import { newRoundState } from './repair-round.ts'
import type { RoundState, RoundWork } from './repair-round.ts'
import type { ItemMeta } from '../store/item-store.ts'
import type { PlacementView } from './placement.ts'
import type { FoundPeer } from '../found-peer.ts'
import { systemClock } from '../clock.ts'

/** On a leave: which peers get an item stored outright rather than asked whether they hold it. */
interface LeaveRule { pushRegardless(meta: ItemMeta, peer: FoundPeer): boolean }

interface OffloadPlan {
  /** key hex -> its replica set, less us */
  sets: Map<string, FoundPeer[]>
  /** peer id -> items to store on it outright */
  direct: Map<string, { peer: FoundPeer, metas: ItemMeta[] }>
  /** peer id -> items to ask it about */
  ask: Map<string, { peer: FoundPeer, metas: ItemMeta[] }>
  /** key hex -> peers confirmed on the strength of a handoff acknowledgement alone (no drop on that) */
  onAck: Map<string, Set<string>>
}

export class Offloader {
  private readonly work: RoundWork
  /** key hex -> when this node first saw it was no longer responsible */
  private readonly leavingSince = new Map<string, number>()
  /**
   * key hex -> peers that acknowledged it in a handoff. An acknowledgement
   * spares one push (it is used once), never a drop: the newcomer may have
   * lost the item since, so a drop waits for a round that asked it (HOLDS).
   */
  private readonly acked = new Map<string, Set<string>>()
  /** key hex -> replica set a pinned, not-responsible item was last confirmed at */
  private readonly placedAt = new Map<string, string>()
  /** key hex -> when a peer last stored it here (a leaving neighbour handing it on) */
  private readonly storedAt = new Map<string, number>()

  constructor (work: RoundWork) {
    this.work = work
  }

  /**
   * A peer stored this item here: a departing neighbour may be counting on
   * this copy, so it is not dropped on the strength of checks made before.
   */
  touched (key: Uint8Array): void {
    const k = hex(key)
    this.leavingSince.delete(k)
    this.placedAt.delete(k)
    this.storedAt.set(k, (this.work.init.clock ?? systemClock).now())
  }

  /** A newcomer acknowledged these keys in a handoff. */
  recordAcks (peer: string, keys: Uint8Array[]): void {
    for (const key of keys) {
      const k = hex(key)
      if (!this.work.init.store.has(key)) continue
      let set = this.acked.get(k)
      if (set == null) this.acked.set(k, set = new Set())
      set.add(peer)
    }
  }

  /** This node is among the R nearest for the item again: its trial period starts over. */
  responsibleAgain (key: Uint8Array): void {
    this.leavingSince.delete(hex(key))
  }

  /**
   * Hand every item to the R nearest other nodes (a graceful leave): the same
   * confirm-then-push as for items on their way out, with ourselves out of the view.
   */
  async handOffAll (signal: AbortSignal): Promise<{ items: number, pushed: number }> {
    const withUs = this.work.init.placement.snapshot()
    const metas = [...this.work.init.store.metas()].filter(m => worthPassingOn(m))
    const state = newRoundState()
    const before = this.work.stats.pushed
    // a peer that joins an item's replica set only because we leave may be
    // about to drop its copy (it is not responsible while we are here):
    // store on it rather than trust a "held" answer
    const joinsBecauseWeLeave = (meta: ItemMeta, peer: FoundPeer): boolean =>
      !withUs.replicaSet(meta.key).some(p => p.peerId.equals(peer.peerId))
    // the table may still list peers that are gone (it keeps contacts until
    // asking them fails): those that failed have left it, so the next pass
    // places their share on the next nearest
    for (let pass = 0; pass < MAX_LEAVE_PASSES && !signal.aborted; pass++) {
      state.failedPeers = 0
      await this.offload(metas, this.work.init.placement.snapshot(this.work.init.selfKey), state, signal, { pushRegardless: joinsBecauseWeLeave })
      if (state.failedPeers === 0) break
    }
    return { items: metas.length, pushed: this.work.stats.pushed - before }
  }

  /**
   * Items on their way out (or all items, on leave): make sure every member of
   * the replica set holds them, then drop ours where allowed.
   */
  async offload (metas: ItemMeta[], view: PlacementView, state: RoundState, signal: AbortSignal, leaving?: LeaveRule): Promise<void> {
    const started = (this.work.init.clock ?? systemClock).now()
    const plan = this.planOffload(metas, view, state, leaving)
    await this.pushEach(plan.direct, state, signal)
    await this.checkHolds(plan.ask, state, signal)
    await this.dropConfirmed(metas, plan, view, state, started)
  }

  /** Per item its replica set (less us); per peer the items to push straight, and the items to ask about. */
  private planOffload (metas: ItemMeta[], view: PlacementView, state: RoundState, leaving?: LeaveRule): OffloadPlan {
    const plan: OffloadPlan = { sets: new Map(), direct: new Map(), ask: new Map(), onAck: new Map() }
    const add = (byPeer: Map<string, { peer: FoundPeer, metas: ItemMeta[] }>, peer: FoundPeer, meta: ItemMeta): void => {
      const entry = byPeer.get(peer.peerId.toString()) ?? { peer, metas: [] }
      entry.metas.push(meta)
      byPeer.set(peer.peerId.toString(), entry)
    }
    for (const meta of metas) {
      const k = hex(meta.key)
      const set = view.replicaSet(meta.key).filter(p => p.peerId.toString() !== this.work.init.selfKey)
      // own items already placed on this set are not asked about every round; a leaving node asks once more
      if (leaving == null && meta.pinned && this.placedAt.get(k) === fingerprint(set)) continue
      plan.sets.set(k, set)
      for (const peer of set) {
        if (leaving?.pushRegardless(meta, peer) === true) add(plan.direct, peer, meta)
        else if (this.useAck(k, peer.peerId.toString())) {
          this.work.confirm(state, meta.key, peer.peerId.toString())
          plan.onAck.set(k, (plan.onAck.get(k) ?? new Set()).add(peer.peerId.toString()))
        } else add(plan.ask, peer, meta)
      }
    }
    return plan
  }

  /** Whether `peer` acknowledged item `k` in a handoff since we last relied on it; the acknowledgement is used up. */
  private useAck (k: string, peer: string): boolean {
    const peers = this.acked.get(k)
    if (peers?.delete(peer) !== true) return false
    if (peers.size === 0) this.acked.delete(k)
    return true
  }

  /**
   * Store each item on its peer, one at a time per peer, like the checks:
   * hundreds of stores at once would only meet its per-peer inbound limit and
   * be answered busy.
   */
  private async pushEach (byPeer: Map<string, { peer: FoundPeer, metas: ItemMeta[] }>, state: RoundState, signal: AbortSignal): Promise<void> {
    await Promise.all([...byPeer.values()].map(async ({ peer, metas }) => {
      for (const meta of metas) {
        if (signal.aborted) return
        if (await this.work.push(peer, meta, signal, state)) this.work.confirm(state, meta.key, peer.peerId.toString())
        // it could not be reached and left the table: the next pass places the rest elsewhere
        else if (this.work.init.table.get(peer.peerId) == null) return
      }
    }))
  }

  /** Ask each peer which of its items it holds (HOLDS, in chunks); push what it lacks. */
  private async checkHolds (byPeer: Map<string, { peer: FoundPeer, metas: ItemMeta[] }>, state: RoundState, signal: AbortSignal): Promise<void> {
    await Promise.all([...byPeer.values()].map(async ({ peer, metas }) => {
      try {
        for (let i = 0; i < metas.length; i += MAX_KEYS_PER_REQUEST) {
          signal.throwIfAborted()
          const chunk = metas.slice(i, i + MAX_KEYS_PER_REQUEST)
          const answer = await this.work.ask(peer, state, signal, async (rpc, options) => rpc.holds(peer, chunk.map(m => m.key), options))
          const held = new Map(answer.map(h => [hex(h.key), h.seq]))
          for (const meta of chunk) {
            const seq = held.get(hex(meta.key))
            if ((seq != null && seq >= meta.seq) || await this.work.push(peer, meta, signal)) this.work.confirm(state, meta.key, peer.peerId.toString())
          }
        }
      } catch (err: any) {
        this.work.peerFailed(peer, err, state, signal)
      }
    }))
  }

  /**
   * Items every member of their replica set confirmed: pinned ones are marked
   * placed; others are dropped once the trial period passed, unless a peer
   * stored them here since the checks began (a leaving neighbour may count on us).
   */
  private async dropConfirmed (metas: ItemMeta[], plan: OffloadPlan, view: PlacementView, state: RoundState, started: number): Promise<void> {
    const now = (this.work.init.clock ?? systemClock).now()
    for (const meta of metas) {
      const k = hex(meta.key)
      const set = plan.sets.get(k)
      if (set == null) continue
      const confirmed = state.confirmed.get(k)
      const everywhere = set.length > 0 && set.every(p => confirmed?.has(p.peerId.toString()) === true)
      if (!everywhere) continue
      if (meta.pinned) {
        // confirmed by a handoff acknowledgement alone: the set is asked (HOLDS) next round before it counts as placed
        if (plan.onAck.get(k) == null) this.placedAt.set(k, fingerprint(set))
        continue
      }
      const since = this.leavingSince.get(k) ?? now
      this.leavingSince.set(k, since)
      const storedSinceChecks = (this.storedAt.get(k) ?? 0) >= started
      if (!storedSinceChecks && plan.onAck.get(k) == null && now - since >= this.work.init.trialPeriod && view.replicaSet(meta.key).every(p => p.peerId.toString() !== this.work.init.selfKey)) {
        await this.work.init.store.delete(meta.key)
        this.forget(k)
        this.work.stats.dropped++
      }
    }
  }

  forget (k: string): void {
    this.storedAt.delete(k)
    this.leavingSince.delete(k)
    this.acked.delete(k)
    this.placedAt.delete(k)
  }
}

/** A replica set as one string, to tell whether it changed. */
function fingerprint (set: FoundPeer[]): string {
  return set.map(p => p.peerId.toString()).join(',')
}
