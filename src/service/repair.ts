/**
 * Anti-entropy and the moving of items to where they belong. Each round:
 *  1. drops expired items;
 *  2. for the items this node is responsible for, compares a digest of what
 *     it shares with each neighbour in their replica sets (one small request
 *     per neighbour when nothing is missing), narrows a mismatch to buckets
 *     and keys, and pushes what the neighbour lacks;
 *  3. for the items it holds but is no longer among the R nearest for, asks
 *     the replica set which it holds, pushes what is missing, and drops its
 *     copy only once every member confirmed it and the trial period passed
 *     (pinned items are kept);
 *  4. republishes pinned items that are due.
 * A neighbour that fails to answer is judged by the one failure rule
 * (PeerRequests); when that takes it out of the table the round runs once
 * more, so the next nearest node takes its place at once.
 */
import { MAX_KEYS_PER_REQUEST } from '../constants.ts'
import { bucketOf } from '../store/digest.ts'
import { sharedDigest, sharedItems } from './shared-set.ts'
import { hexKey as hex } from '../bytes.ts'
import { isExpired, toItem, worthPassingOn } from '../store/item-store.ts'
import { RoundWork, newRoundState } from './repair-round.ts'
import { Offloader } from './offload.ts'
import type { RepairInit, RepairStats, RoundState } from './repair-round.ts'
import type { ItemMeta } from '../store/item-store.ts'
import type { Assignment } from './placement.ts'
import type { FoundPeer } from '../found-peer.ts'
import { systemClock } from '../clock.ts'
import type { Clock, ClockTimer } from '../clock.ts'

export type { RepairInit, RepairStats }

export class Repairer {
  private readonly init: RepairInit
  private readonly work: RoundWork
  private readonly offloader: Offloader
  private readonly lastRepublish = new Map<string, number>()
  private running?: Promise<void>
  private timer?: ClockTimer
  private controller = new AbortController()

  private get clock (): Clock { return this.init.clock ?? systemClock }

  constructor (init: RepairInit) {
    this.init = init
    this.work = new RoundWork(init)
    this.offloader = new Offloader(this.work)
  }

  get stats (): RepairStats {
    return this.work.stats
  }

  /**
   * Our own item was just stored on its replica set (a put or publish): its
   * next republish is an interval from now. Without this, the first round
   * after a large add read back and re-sent every block stored so far.
   */
  republished (key: Uint8Array): void {
    this.lastRepublish.set(hex(key), this.clock.now())
  }

  /**
   * A peer stored this item here: a departing neighbour may be counting on
   * this copy, so it is not dropped on the strength of checks made before.
   */
  touched (key: Uint8Array): void {
    this.offloader.touched(key)
  }

  /** A newcomer acknowledged these keys in a handoff. */
  recordAcks (peer: string, keys: Uint8Array[]): void {
    this.offloader.recordAcks(peer, keys)
  }

  /** Hand every item to the R nearest other nodes (a graceful leave). */
  async handOffAll (signal: AbortSignal): Promise<{ items: number, pushed: number }> {
    return this.offloader.handOffAll(signal)
  }

  /** A round every `interval` ms (0: none), until stop(). */
  start (interval: number): void {
    this.controller = new AbortController()
    if (interval <= 0) return
    const schedule = (): void => {
      this.timer = this.clock.setTimeout(() => {
        this.round(this.controller.signal).catch((err: Error) => { this.init.log('repair round failed: %s', err.message) })
          .finally(() => { if (!this.controller.signal.aborted) schedule() })
      }, interval)
      this.timer.unref?.()
    }
    schedule()
  }

  /** No more rounds; the one running is aborted. */
  stop (): void {
    this.clock.clearTimeout(this.timer)
    this.controller.abort()
  }

  /** Run one round (or join the one running). */
  async round (signal: AbortSignal): Promise<RepairStats> {
    this.running ??= this.runRound(signal).finally(() => { this.running = undefined })
    await this.running
    return this.stats
  }

  private async runRound (signal: AbortSignal): Promise<void> {
    const started = this.clock.now()
    const state = newRoundState()
    await this.dropExpired()
    await this.pass(state, signal)
    if (state.failedPeers > 0 && !signal.aborted) {
      // dead neighbours left the table: place their items on the next nearest now
      await this.pass(state, signal)
    }
    await this.republishDue(signal)
    this.stats.rounds++
    this.init.count?.('repair_rounds')
    this.stats.lastRoundAt = this.clock.now()
    this.stats.lastRoundMs = this.stats.lastRoundAt - started
    this.stats.lastRoundBytes = state.bytes
  }

  private async pass (state: RoundState, signal: AbortSignal): Promise<void> {
    state.failedPeers = 0
    const self = this.init.selfKey
    const assignments = this.init.placement.assignments()
    const peers = new Map(this.init.table.all().map(p => [p.peerId.toString(), p]))
    const neighbours = new Map<string, FoundPeer>()
    const leaving: ItemMeta[] = []
    const now = this.clock.now()
    let responsible = 0
    for (const { meta, replicaSet } of assignments) {
      if (!worthPassingOn(meta, now)) continue
      if (replicaSet.includes(self)) {
        responsible++
        this.offloader.responsibleAgain(meta.key)
        for (const id of replicaSet) {
          const peer = peers.get(id)
          if (peer != null) neighbours.set(id, peer)
        }
      } else {
        leaving.push(meta)
      }
    }
    await Promise.all([...neighbours.values()].map(async peer => this.syncWith(peer, assignments, state, signal)))
    if (leaving.length > 0) await this.offloader.offload(leaving, this.init.placement.snapshot(), state, signal)
    this.countReplicas(state, responsible)
  }

  /** Compare our shared set with one neighbour's; push what it lacks. */
  private async syncWith (peer: FoundPeer, assignments: Assignment[], state: RoundState, signal: AbortSignal): Promise<void> {
    const peerKey = peer.peerId.toString()
    const shared = sharedItems(assignments, this.init.selfKey, peerKey, this.clock.now())
    const ours = sharedDigest(shared)
    try {
      const theirs = await this.work.ask(peer, state, signal, async (rpc, options) => rpc.digest(peer, ours.total, options))
      const matched = new Set<number>()
      if (theirs.match) {
        for (const index of ours.buckets.keys()) matched.add(index)
      } else {
        for (const b of theirs.buckets) if (ours.buckets.get(b.index)?.equals(b.count, b.hash) === true) matched.add(b.index)
      }
      const mismatched = new Set<number>()
      for (const meta of shared) {
        const bucket = bucketOf(meta.key)
        if (matched.has(bucket)) this.work.confirm(state, meta.key, peerKey)
        else mismatched.add(bucket)
      }
      for (const bucket of mismatched) await this.syncBucket(peer, shared.filter(m => bucketOf(m.key) === bucket), bucket, state, signal)
    } catch (err: any) {
      this.work.peerFailed(peer, err, state, signal)
    }
  }

  private async syncBucket (peer: FoundPeer, metas: ItemMeta[], bucket: number, state: RoundState, signal: AbortSignal): Promise<void> {
    const peerKey = peer.peerId.toString()
    for (let i = 0; i < metas.length; i += MAX_KEYS_PER_REQUEST) {
      const chunk = metas.slice(i, i + MAX_KEYS_PER_REQUEST)
      const keys = chunk.map(m => ({ key: m.key, seq: m.seq }))
      const missing = new Set((await this.work.ask(peer, state, signal, async (rpc, options) => rpc.syncKeys(peer, bucket, keys, options))).map(hex))
      for (const meta of chunk) {
        if (!missing.has(hex(meta.key)) || await this.work.push(peer, meta, signal)) this.work.confirm(state, meta.key, peerKey)
      }
    }
  }

  private async republishDue (signal: AbortSignal): Promise<void> {
    const now = this.clock.now()
    for (const meta of [...this.init.store.metas()]) {
      if (!meta.pinned || signal.aborted) continue
      const k = hex(meta.key)
      if (now - (this.lastRepublish.get(k) ?? await this.placedAt(meta.key, k)) < this.init.republishInterval) continue
      const stored = await this.init.store.get(meta.key)
      if (stored == null) continue
      try {
        await this.init.writer.replicate(toItem(meta.key, stored, now), signal)
        this.lastRepublish.set(k, now)
        this.work.stats.republished++
        await this.init.store.markRepublished(meta.key, now)
      } catch (err: any) {
        this.init.log('republish of %s failed: %s', k, err.message)
      }
    }
  }

  /**
   * When a pinned item was last placed on its replica set, as the record on
   * disk says (the last republish, else when it was stored here: our own
   * put placed it then), for an item this process has not republished:
   * without it, every start republished every pinned item at its first round.
   */
  private async placedAt (key: Uint8Array, k: string): Promise<number> {
    const header = await this.init.store.header(key).catch(() => undefined)
    const at = header == null ? 0 : Number(header.republishedAt > header.storedAt ? header.republishedAt : header.storedAt)
    this.lastRepublish.set(k, at)
    return at
  }

  private async dropExpired (): Promise<void> {
    const now = this.clock.now()
    for (const meta of [...this.init.store.metas()]) {
      if (!meta.pinned && isExpired(meta, now)) {
        await this.init.store.delete(meta.key)
        this.offloader.forget(hex(meta.key))
        this.lastRepublish.delete(hex(meta.key))
      }
    }
  }

  private countReplicas (state: RoundState, responsible: number): void {
    let under = 0
    let over = 0
    const now = this.clock.now()
    const self = this.init.selfKey
    for (const { meta, replicaSet } of this.init.placement.assignments()) {
      if (isExpired(meta, now)) continue
      if (!replicaSet.includes(self)) { over++; continue }
      const confirmed = state.confirmed.get(hex(meta.key))
      const holders = 1 + replicaSet.filter(id => confirmed?.has(id) === true).length
      if (holders < replicaSet.length) under++
    }
    this.stats.responsible = responsible
    this.stats.underReplicated = under
    this.stats.overReplicated = over
  }
}
