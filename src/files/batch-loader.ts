/**
 * Block gets in batches: the gets a fetch window starts in one turn of the
 * event loop are grouped by holder and each group asked with one FETCH_MANY
 * (protocols/rpc.md) instead of one FETCH per block, so a holder sends
 * several blocks as one answer: one frame, fewer Noise messages and Yamux
 * window updates per block. Each block is one of its R nearest peers' to
 * serve; a batch goes to the holder the most of the turn's blocks share
 * (nearest first on a tie), then the next, so the groups are as big as the
 * replica sets allow.
 *
 * Every block a batch brings is hashed against its CID here. Whatever a
 * batch does not bring (not held there, left out, a wrong block, a failed
 * or refused request) takes the single get with its lookup, hedges and
 * retries (`single`), and so does one block after another while a batch
 * goes unanswered past the hedge delay: a batch can only make a block
 * arrive sooner, never fail it. A peer that answers
 * UNKNOWN_TYPE (an older node) is asked no more batches.
 */
import { sha256 } from 'multiformats/hashes/sha2'
import { equalPositions } from '../keyspace.ts'
import { hashItemKey } from '../records/hash-item.ts'
import { hexKey } from '../bytes.ts'
import { MAX_FETCH_MANY_KEYS } from '../rpc/fetch-many-limits.ts'
import type { BlockBatchSource } from '../service/block-batches.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { CID } from 'multiformats/cid'

/** A batch waits this many times the single get's hedge delay before its blocks are also asked one by one. */
export const BATCH_HEDGE_FACTOR = 2

/**
 * Keys one reader keeps in flight at one peer: half of what a responder
 * takes from one peer at once (its inbound queue charges a FETCH_MANY by its
 * keys, 32 per peer by default), so the reader's other requests to that peer
 * (lookups, repair, single gets) are not answered BUSY behind its batches.
 */
export const MAX_KEYS_IN_FLIGHT_PER_PEER = 16

export type SingleLoad = (cid: CID, signal?: AbortSignal) => Promise<Uint8Array>

export interface BatchLoaderInit {
  /** How long a batch may go unanswered before its blocks are also asked for one by one (ms). */
  hedgeMs(): number
  /** Hears every block a batch brought and verified. */
  onBlock?(ms: number): void
}

/** What the batches did (the bench and the specs read it). */
export interface BatchStats {
  /** FETCH_MANY requests sent. */
  requests: number
  /** Blocks they brought first (verified; a block a hedge brought sooner not counted). */
  blocks: number
  /** Blocks that went the single way after all (missing, omitted, wrong, failed, hedged). */
  fallbacks: number
  /** Blocks a holder served that did not hash to their CID. */
  wrong: number
}

interface Waiter {
  cid: CID
  key: Uint8Array
  hex: string
  holders: FoundPeer[]
  signal?: AbortSignal
  started: number
  settled: boolean
  /** The single get was started for it. */
  single: boolean
  resolve(bytes: Uint8Array): void
  reject(err: unknown): void
}

export class BatchLoader {
  readonly stats: BatchStats = { requests: 0, blocks: 0, fallbacks: 0, wrong: 0 }
  private readonly source: BlockBatchSource
  private readonly single: SingleLoad
  private readonly init: BatchLoaderInit
  /** Peers that answered UNKNOWN_TYPE: asked one block at a time from now on. */
  private readonly unsupported = new Set<string>()
  private pending: Waiter[] = []
  /** Keys asked of each peer and not yet answered. */
  private readonly inFlight = new Map<string, number>()
  private scheduled?: ReturnType<typeof setImmediate>

  constructor (source: BlockBatchSource, single: SingleLoad, init: BatchLoaderInit) {
    this.source = source
    this.single = single
    this.init = init
  }

  /** The verified block `cid` names: through a batch when some peer may hold it, else the single get. */
  readonly load = async (cid: CID, signal?: AbortSignal): Promise<Uint8Array> => {
    if (cid.multihash.code !== sha256.code || cid.multihash.digest.byteLength !== 32) return this.single(cid, signal)
    const key = cid.multihash.digest
    if (this.source.holdsHere(key)) return this.single(cid, signal)
    const holders = this.source.holdersOf(key).filter(p => !this.unsupported.has(p.peerId.toString()))
    if (holders.length === 0) return this.single(cid, signal)
    signal?.throwIfAborted()
    const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>()
    this.pending.push({ cid, key, hex: hexKey(key), holders, signal, started: performance.now(), settled: false, single: false, resolve, reject })
    this.scheduled ??= setImmediate(this.flush)
    return promise
  }

  /** Send what the turn gathered: one FETCH_MANY per holder and at most MAX_FETCH_MANY_KEYS blocks. */
  private readonly flush = (): void => {
    this.scheduled = undefined
    const waiters = this.pending.filter(w => {
      if (w.signal?.aborted !== true) return true
      w.reject(w.signal.reason)
      return false
    })
    this.pending = []
    const room = (peer: FoundPeer): number => MAX_KEYS_IN_FLIGHT_PER_PEER - (this.inFlight.get(peer.peerId.toString()) ?? 0)
    // only holders with room: a block whose holders are all full waits for one of their answers
    const open = waiters.map(w => ({ waiter: w, holders: w.holders.filter(p => room(p) > 0) }))
    this.pending = open.filter(o => o.holders.length === 0).map(o => o.waiter)
    let left = open.filter(o => o.holders.length > 0)
    while (left.length > 0) {
      const [[peer, group]] = groupByHolder(left)
      const taken = group.slice(0, Math.min(room(peer), MAX_FETCH_MANY_KEYS))
      void this.ask(peer, taken.map(o => o.waiter))
      const sent = new Set(taken)
      // the rest of the group looks for another holder with room, or waits
      left = left.filter(o => !sent.has(o)).map(o => ({ waiter: o.waiter, holders: o.holders.filter(p => room(p) > 0) }))
      for (const o of left) if (o.holders.length === 0) this.pending.push(o.waiter)
      left = left.filter(o => o.holders.length > 0)
    }
  }

  private async ask (peer: FoundPeer, group: Waiter[]): Promise<void> {
    const id = peer.peerId.toString()
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + group.length)
    const signal = sharedSignal(group)
    // a holder slow to answer: the first block still missing (the one the window waits on) is asked on its
    // own as well, then the next after the same delay, and so on (the first copy wins); all at once would,
    // on a busy machine where hedges fire falsely, send every block of the batch twice. A batch's answer
    // carries several blocks, so the delay is twice a block's. A holder that never answers is given up
    // on at the request's deadline, and then all its blocks go the single way.
    const delay = BATCH_HEDGE_FACTOR * this.init.hedgeMs()
    let hedge: ReturnType<typeof setTimeout> | undefined
    const hedgeNext = (): void => {
      const next = group.find(w => !w.settled && !w.single)
      if (next == null) return
      this.fallBack(next)
      hedge = setTimeout(hedgeNext, delay)
    }
    hedge = setTimeout(hedgeNext, delay)
    this.stats.requests++
    try {
      const answer = await this.source.fetchMany(peer, group.map(w => w.key), signal)
      const byKey = new Map(group.map(w => [w.hex, w]))
      for (const item of answer.items) {
        const waiter = byKey.get(hexKey(item.key))
        // not asked, or already answered in this batch: ignored, the block takes the single way
        if (waiter == null) continue
        byKey.delete(waiter.hex)
        if (item.kind !== 'hash' || !equalPositions(hashItemKey(item.body), waiter.key)) {
          this.stats.wrong++
          continue
        }
        this.settle(waiter, item.body)
      }
    } catch (err: any) {
      if (err?.code === 'unknown-type') this.unsupported.add(peer.peerId.toString())
    } finally {
      const left = (this.inFlight.get(id) ?? group.length) - group.length
      if (left > 0) this.inFlight.set(id, left)
      else this.inFlight.delete(id)
      // blocks waiting for room at a holder go now
      if (this.pending.length > 0) this.scheduled ??= setImmediate(this.flush)
      clearTimeout(hedge)
      // whatever the batch did not bring
      for (const w of group) this.fallBack(w)
    }
  }

  private settle (waiter: Waiter, bytes: Uint8Array): void {
    if (waiter.settled) return
    waiter.settled = true
    this.stats.blocks++
    this.init.onBlock?.(performance.now() - waiter.started)
    waiter.resolve(bytes)
  }

  /** The single get for a block the batch did not bring (at most once per block). */
  private fallBack (waiter: Waiter): void {
    if (waiter.settled || waiter.single) return
    waiter.single = true
    this.stats.fallbacks++
    this.single(waiter.cid, waiter.signal).then(bytes => {
      if (waiter.settled) return
      waiter.settled = true
      waiter.resolve(bytes)
    }, err => {
      if (waiter.settled) return
      waiter.settled = true
      waiter.reject(err)
    })
  }
}

/**
 * Waiters grouped by the peer to ask: repeatedly the holder that the most
 * remaining waiters list among their R nearest (the nearer one on a tie,
 * summing ranks), with every waiter that lists it.
 */
export function groupByHolder<W extends { holders: FoundPeer[] }> (waiters: W[]): Array<[FoundPeer, W[]]> {
  const groups: Array<[FoundPeer, W[]]> = []
  let left = waiters
  while (left.length > 0) {
    const score = new Map<string, { peer: FoundPeer, count: number, rank: number }>()
    for (const w of left) {
      w.holders.forEach((peer, rank) => {
        const id = peer.peerId.toString()
        const s = score.get(id)
        if (s == null) score.set(id, { peer, count: 1, rank })
        else {
          s.count++
          s.rank += rank
        }
      })
    }
    let best: { peer: FoundPeer, count: number, rank: number } | undefined
    for (const s of score.values()) {
      if (best == null || s.count > best.count || (s.count === best.count && s.rank < best.rank)) best = s
    }
    if (best == null) break
    const id = best.peer.peerId.toString()
    const mine = left.filter(w => w.holders.some(p => p.peerId.toString() === id))
    groups.push([best.peer, mine])
    left = left.filter(w => !w.holders.some(p => p.peerId.toString() === id))
  }
  return groups
}

/** The signal all of a group's gets share (one read's window), else none: the request's own deadline bounds it. */
function sharedSignal (group: Waiter[]): AbortSignal | undefined {
  const first = group[0]?.signal
  return group.every(w => w.signal === first) ? first : undefined
}
