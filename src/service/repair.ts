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
 * A neighbour that fails to answer leaves the table and the round runs once
 * more, so the next nearest node takes its place at once.
 */
import { Frame } from '../rpc/pb/rpc.ts'
import { MAX_KEYS_PER_REQUEST } from '../constants.ts'
import { RemoteRejectedError } from '../errors.ts'
import { bucketOf } from './digest.ts'
import { sharedDigest, sharedItems } from './shared-set.ts'
import { hexKey as hex } from '../bytes.ts'
import { isExpired, toItem, worthPassingOn } from '../store/item-store.ts'
import type { ItemMeta, ItemStore } from '../store/item-store.ts'
import type { Assignment, Placement, PlacementView } from './placement.ts'
import type { FoundPeer } from './types.ts'
import type { RpcClient } from '../rpc/client.ts'
import type { PeerTable } from './peer-table.ts'
import type { Item } from '../rpc/pb/rpc.ts'
import type { Logger } from '@libp2p/interface'

/** Passes of a leave handoff: each one after the first places the share of peers found gone in the one before. */
const MAX_LEAVE_PASSES = 3

export interface RepairStats {
  /** Unix ms the last round finished; 0 before the first. */
  lastRoundAt: number
  lastRoundMs: number
  /** Bytes of repair requests and responses in the last round (frames as encoded). */
  lastRoundBytes: number
  rounds: number
  /** Items pushed to peers that lacked them, in total. */
  pushed: number
  /** Items dropped because others hold them where they belong, in total. */
  dropped: number
  /** Held items this node is among the R nearest for. */
  responsible: number
  /** Items with fewer than R confirmed holders among the R nearest, at the last round. */
  underReplicated: number
  /** Items held here though this node is not among the R nearest (pinned own data, or on its way out). */
  overReplicated: number
}

export interface RepairInit {
  store: ItemStore
  placement: Placement
  table: PeerTable
  rpc: RpcClient
  selfKey: string
  log: Logger
  requestTimeout: number
  /** How long an item stays here after this node stopped being responsible. */
  trialPeriodMs: number
  republishIntervalMs: number
  /** Store an item on one peer (throws on failure). */
  storeOn(peer: FoundPeer, item: Item, signal: AbortSignal): Promise<void>
  /** Replicate a pinned item afresh. */
  republish(item: Item, signal: AbortSignal): Promise<void>
  /** Bump a metrics counter. */
  count?(name: 'repair_rounds' | 'repair_items_pushed' | 'repair_failures', n?: number): void
}

interface RoundState {
  bytes: number
  failedPeers: number
  /** key hex -> peers confirmed to hold the item this round */
  confirmed: Map<string, Set<string>>
}

export class Repairer {
  readonly stats: RepairStats = { lastRoundAt: 0, lastRoundMs: 0, lastRoundBytes: 0, rounds: 0, pushed: 0, dropped: 0, responsible: 0, underReplicated: 0, overReplicated: 0 }
  private readonly init: RepairInit
  /** key hex -> when this node first saw it was no longer responsible */
  private readonly leavingSince = new Map<string, number>()
  /** key hex -> peers that acknowledged it in a handoff */
  private readonly acked = new Map<string, Set<string>>()
  /** key hex -> replica set a pinned, not-responsible item was last confirmed at */
  private readonly placedAt = new Map<string, string>()
  private readonly lastRepublish = new Map<string, number>()
  /** key hex -> when a peer last stored it here (a leaving neighbour handing it on) */
  private readonly storedAt = new Map<string, number>()
  private running?: Promise<void>

  constructor (init: RepairInit) {
    this.init = init
  }

  /**
   * A peer stored this item here: a departing neighbour may be counting on
   * this copy, so it is not dropped on the strength of checks made before.
   */
  touched (key: Uint8Array): void {
    const k = hex(key)
    this.leavingSince.delete(k)
    this.placedAt.delete(k)
    this.storedAt.set(k, Date.now())
  }

  /** A newcomer acknowledged these keys in a handoff. */
  recordAcks (peer: string, keys: Uint8Array[]): void {
    for (const key of keys) {
      const k = hex(key)
      if (!this.init.store.has(key)) continue
      let set = this.acked.get(k)
      if (set == null) this.acked.set(k, set = new Set())
      set.add(peer)
    }
  }

  /** Run one round (or join the one running). */
  async round (signal: AbortSignal): Promise<RepairStats> {
    this.running ??= this.runRound(signal).finally(() => { this.running = undefined })
    await this.running
    return this.stats
  }

  /**
   * Hand every item to the R nearest other nodes (a graceful leave): the same
   * confirm-then-push as for items on their way out, with ourselves out of the view.
   */
  async handOffAll (signal: AbortSignal): Promise<{ items: number, pushed: number }> {
    const withUs = this.init.placement.snapshot()
    const metas = [...this.init.store.metas()].filter(m => worthPassingOn(m))
    const state: RoundState = { bytes: 0, failedPeers: 0, confirmed: new Map() }
    const before = this.stats.pushed
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
      await this.offload(metas, this.init.placement.snapshot(this.init.selfKey), state, signal, { pushRegardless: joinsBecauseWeLeave })
      if (state.failedPeers === 0) break
    }
    return { items: metas.length, pushed: this.stats.pushed - before }
  }

  private async runRound (signal: AbortSignal): Promise<void> {
    const started = Date.now()
    const state: RoundState = { bytes: 0, failedPeers: 0, confirmed: new Map() }
    await this.dropExpired()
    await this.pass(state, signal)
    if (state.failedPeers > 0 && !signal.aborted) {
      // dead neighbours left the table: place their items on the next nearest now
      await this.pass(state, signal)
    }
    await this.republishDue(signal)
    this.stats.rounds++
    this.init.count?.('repair_rounds')
    this.stats.lastRoundAt = Date.now()
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
    const now = Date.now()
    let responsible = 0
    for (const { meta, replicaSet } of assignments) {
      if (!worthPassingOn(meta, now)) continue
      if (replicaSet.includes(self)) {
        responsible++
        this.leavingSince.delete(hex(meta.key))
        for (const id of replicaSet) {
          const peer = peers.get(id)
          if (peer != null) neighbours.set(id, peer)
        }
      } else {
        leaving.push(meta)
      }
    }
    await Promise.all([...neighbours.values()].map(async peer => this.syncWith(peer, assignments, state, signal)))
    if (leaving.length > 0) await this.offload(leaving, this.init.placement.snapshot(), state, signal)
    this.countReplicas(state, responsible)
  }

  /** Compare our shared set with one neighbour's; push what it lacks. */
  private async syncWith (peer: FoundPeer, assignments: Assignment[], state: RoundState, signal: AbortSignal): Promise<void> {
    const peerKey = peer.peerId.toString()
    const shared = sharedItems(assignments, this.init.selfKey, peerKey)
    const ours = sharedDigest(shared)
    try {
      const response = await this.request(peer, { type: Frame.Type.DIGEST, digestRequest: { count: ours.total.count, hash: ours.total.hash } }, state, signal)
      const theirs = response.digestResponse
      if (theirs == null) return
      const matched = new Set<number>()
      if (theirs.match) {
        for (const index of ours.buckets.keys()) matched.add(index)
      } else {
        for (const b of theirs.buckets) if (ours.buckets.get(b.index)?.equals(b.count, b.hash) === true) matched.add(b.index)
      }
      const mismatched = new Set<number>()
      for (const meta of shared) {
        const bucket = bucketOf(meta.key)
        if (matched.has(bucket)) this.confirm(state, meta.key, peerKey)
        else mismatched.add(bucket)
      }
      for (const bucket of mismatched) await this.syncBucket(peer, shared.filter(m => bucketOf(m.key) === bucket), bucket, state, signal)
    } catch (err: any) {
      this.peerFailed(peer, err, state, signal)
    }
  }

  private async syncBucket (peer: FoundPeer, metas: ItemMeta[], bucket: number, state: RoundState, signal: AbortSignal): Promise<void> {
    const peerKey = peer.peerId.toString()
    for (let i = 0; i < metas.length; i += MAX_KEYS_PER_REQUEST) {
      const chunk = metas.slice(i, i + MAX_KEYS_PER_REQUEST)
      const response = await this.request(peer, { type: Frame.Type.SYNC_KEYS, syncKeysRequest: { bucket, keys: chunk.map(m => ({ key: m.key as Uint8Array<ArrayBuffer>, seq: m.seq })) } }, state, signal)
      const missing = new Set((response.syncKeysResponse?.missing ?? []).map(hex))
      for (const meta of chunk) {
        if (!missing.has(hex(meta.key)) || await this.push(peer, meta, signal)) this.confirm(state, meta.key, peerKey)
      }
    }
  }

  /**
   * Items on their way out (or all items, on leave): make sure every member of
   * the replica set holds them, then drop ours where allowed.
   */
  private async offload (metas: ItemMeta[], view: PlacementView, state: RoundState, signal: AbortSignal, leaving?: { pushRegardless(meta: ItemMeta, peer: FoundPeer): boolean }): Promise<void> {
    const started = Date.now()
    const byPeer = new Map<string, { peer: FoundPeer, metas: ItemMeta[] }>()
    const direct: Array<{ peer: FoundPeer, meta: ItemMeta }> = []
    const sets = new Map<string, FoundPeer[]>()
    for (const meta of metas) {
      const k = hex(meta.key)
      const set = view.replicaSet(meta.key).filter(p => p.peerId.toString() !== this.init.selfKey)
      const fingerprint = set.map(p => p.peerId.toString()).join(',')
      // own items already placed on this set are not asked about every round; a leaving node asks once more
      if (leaving == null && meta.pinned && this.placedAt.get(k) === fingerprint) continue
      sets.set(k, set)
      for (const peer of set) {
        if (leaving?.pushRegardless(meta, peer) === true) {
          direct.push({ peer, meta })
          continue
        }
        if (this.acked.get(k)?.has(peer.peerId.toString()) === true) {
          this.confirm(state, meta.key, peer.peerId.toString())
          continue
        }
        const entry = byPeer.get(peer.peerId.toString()) ?? { peer, metas: [] }
        entry.metas.push(meta)
        byPeer.set(peer.peerId.toString(), entry)
      }
    }
    // one peer at a time per peer, like the checks below: hundreds of stores
    // at once would only meet its per-peer inbound limit and be answered busy
    const directByPeer = new Map<string, Array<{ peer: FoundPeer, meta: ItemMeta }>>()
    for (const d of direct) {
      const list = directByPeer.get(d.peer.peerId.toString()) ?? []
      list.push(d)
      directByPeer.set(d.peer.peerId.toString(), list)
    }
    await Promise.all([...directByPeer.values()].map(async list => {
      for (const { peer, meta } of list) {
        if (signal.aborted) return
        if (await this.push(peer, meta, signal, state)) this.confirm(state, meta.key, peer.peerId.toString())
        // it could not be reached and left the table: the next pass places the rest elsewhere
        else if (this.init.table.get(peer.peerId) == null) return
      }
    }))
    await Promise.all([...byPeer.values()].map(async ({ peer, metas }) => {
      try {
        for (let i = 0; i < metas.length; i += MAX_KEYS_PER_REQUEST) {
          signal.throwIfAborted()
          const chunk = metas.slice(i, i + MAX_KEYS_PER_REQUEST)
          const response = await this.request(peer, { type: Frame.Type.HOLDS, holdsRequest: { keys: chunk.map(m => m.key as Uint8Array<ArrayBuffer>) } }, state, signal)
          const held = new Map((response.holdsResponse?.held ?? []).map(h => [hex(h.key), h.seq]))
          for (const meta of chunk) {
            const seq = held.get(hex(meta.key))
            if ((seq != null && seq >= meta.seq) || await this.push(peer, meta, signal)) this.confirm(state, meta.key, peer.peerId.toString())
          }
        }
      } catch (err: any) {
        this.peerFailed(peer, err, state, signal)
      }
    }))
    const now = Date.now()
    for (const meta of metas) {
      const k = hex(meta.key)
      const set = sets.get(k)
      if (set == null) continue
      const confirmed = state.confirmed.get(k)
      const everywhere = set.length > 0 && set.every(p => confirmed?.has(p.peerId.toString()) === true)
      if (!everywhere) continue
      if (meta.pinned) {
        this.placedAt.set(k, set.map(p => p.peerId.toString()).join(','))
        continue
      }
      const since = this.leavingSince.get(k) ?? now
      this.leavingSince.set(k, since)
      const storedSinceChecks = (this.storedAt.get(k) ?? 0) >= started
      if (!storedSinceChecks && now - since >= this.init.trialPeriodMs && view.replicaSet(meta.key).every(p => p.peerId.toString() !== this.init.selfKey)) {
        await this.init.store.delete(meta.key)
        this.forget(k)
        this.stats.dropped++
      }
    }
  }

  /** Store one item on a peer. With `state`, a peer that could not be reached (not one that refused) counts as failed. */
  private async push (peer: FoundPeer, meta: ItemMeta, signal: AbortSignal, state?: RoundState): Promise<boolean> {
    const stored = await this.init.store.get(meta.key)
    if (stored == null) return false
    try {
      await this.init.storeOn(peer, toItem(meta.key, stored), signal)
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

  private async republishDue (signal: AbortSignal): Promise<void> {
    const now = Date.now()
    for (const meta of [...this.init.store.metas()]) {
      if (!meta.pinned || signal.aborted) continue
      const k = hex(meta.key)
      if (now - (this.lastRepublish.get(k) ?? 0) < this.init.republishIntervalMs) continue
      const stored = await this.init.store.get(meta.key)
      if (stored == null) continue
      try {
        await this.init.republish(toItem(meta.key, stored), signal)
        this.lastRepublish.set(k, now)
      } catch (err: any) {
        this.init.log('republish of %s failed: %s', k, err.message)
      }
    }
  }

  private async dropExpired (): Promise<void> {
    const now = Date.now()
    for (const meta of [...this.init.store.metas()]) {
      if (!meta.pinned && isExpired(meta, now)) {
        await this.init.store.delete(meta.key)
        this.forget(hex(meta.key))
      }
    }
  }

  private countReplicas (state: RoundState, responsible: number): void {
    let under = 0
    let over = 0
    const now = Date.now()
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

  private async request (peer: FoundPeer, frame: Partial<Frame>, state: RoundState, signal: AbortSignal): Promise<Frame> {
    const { response, bytes } = await this.init.rpc.requestCounted(peer.peerId, frame, { signal, timeout: this.init.requestTimeout })
    state.bytes += bytes
    return response
  }

  private peerFailed (peer: FoundPeer, err: Error, state: RoundState, signal: AbortSignal): void {
    if (signal.aborted) return
    this.init.log('repair: %p did not answer (%s); it leaves the table', peer.peerId, err.message)
    this.init.table.remove(peer.peerId)
    state.failedPeers++
    this.init.count?.('repair_failures')
  }

  private confirm (state: RoundState, key: Uint8Array, peer: string): void {
    const k = hex(key)
    let set = state.confirmed.get(k)
    if (set == null) state.confirmed.set(k, set = new Set())
    set.add(peer)
  }

  private forget (k: string): void {
    this.storedAt.delete(k)
    this.leavingSince.delete(k)
    this.acked.delete(k)
    this.placedAt.delete(k)
    this.lastRepublish.delete(k)
  }
}
