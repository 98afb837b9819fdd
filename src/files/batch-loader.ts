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
 *
 * Nothing here waits on a peer without a bound of its own (whatever the
 * source under it does): a batch is given up on just after the request
 * deadline even if its request never settles, a get waiting for room at busy
 * holders goes the single way after the hedge delay, an abort ends a get at
 * once, and every get ends by its own deadline.
 */
import { sha256 } from 'multiformats/hashes/sha2'
import { equalPositions } from '../keyspace.ts'
import { hashItemKey } from '../records/hash-item.ts'
import { hexKey } from '../bytes.ts'
import { TimeoutError } from '../errors.ts'
import { untilAborted } from '../signals.ts'
import { DEFAULT_OPERATION_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../constants.ts'
import { MAX_FETCH_MANY_KEYS } from '../rpc/fetch-many-limits.ts'
import { BLOCK_TRIES } from './constants.ts'
import type { BlockBatchSource } from '../service/block-batches.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { CID } from 'multiformats/cid'

/** A batch waits this many times the single get's hedge delay before its blocks are also asked one by one. */
export const BATCH_HEDGE_FACTOR = 2

/** A batch with no answer is given up on at this many times the request deadline (after the request's own timeout). */
export const BATCH_EXPIRY_FACTOR = 1.25

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
  /**
   * How long the single get of one block may take, its retries included
   * (ms): a get fails with TimeoutError at its batch part plus this, whatever
   * happens under it. @default BLOCK_TRIES × the source's operation timeout
   */
  singleMs?: number
  /** Hears every block a batch brought and verified. */
  onBlock?(ms: number): void
}

/** What the batches did (the bench and the specs read it). */
export interface BatchStats {
  /** FETCH_MANY requests sent. */
  requests: number
  /** Blocks they brought first (verified; a block a hedge brought sooner not counted). */
  blocks: number
  /** Blocks that went the single way after all (missing, omitted, wrong, failed, hedged, no room in time). */
  fallbacks: number
  /** Blocks a holder served that did not hash to their CID. */
  wrong: number
  /** Batches given up on with no answer at 1.25 × the request deadline (their request had not settled). */
  expired: number
  /** Gets that waited for room at their holders past the hedge delay and went the single way. */
  overdue: number
  /** Gets failed at their own deadline (nothing under them settled in time). */
  timedOut: number
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
  /** Fails the get at its deadline. */
  timer?: ReturnType<typeof setTimeout>
  onAbort?: () => void
  resolve(bytes: Uint8Array): void
  reject(err: unknown): void
}

export class BatchLoader {
  readonly stats: BatchStats = { requests: 0, blocks: 0, fallbacks: 0, wrong: 0, expired: 0, overdue: 0, timedOut: 0 }
  private readonly source: BlockBatchSource
  private readonly single: SingleLoad
  private readonly init: BatchLoaderInit
  /** Peers that answered UNKNOWN_TYPE: asked one block at a time from now on. */
  private readonly unsupported = new Set<string>()
  /** Gets not yet in a batch: this turn's, and those whose holders had no room (they wait at most the hedge delay). */
  private pending: Waiter[] = []
  /** Keys asked of each peer and not yet answered (or given up on). */
  private readonly inFlight = new Map<string, number>()
  private scheduled?: ReturnType<typeof setImmediate>
  /** Wakes the flush when the oldest get waiting for room is due to go the single way. */
  private overdueTimer?: ReturnType<typeof setTimeout>

  constructor (source: BlockBatchSource, single: SingleLoad, init: BatchLoaderInit) {
    this.source = source
    this.single = single
    this.init = init
  }

  /**
   * When the loader gives a batch up: a quarter past the source's request
   * deadline, so the request's own timeout (which counts a silent peer
   * against it) normally comes first and this is only the backstop.
   */
  private get requestMs (): number {
    return BATCH_EXPIRY_FACTOR * (this.source.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
  }

  /** A batch waits this long before its blocks are asked on their own, and a get this long for room at a holder. */
  private delay (): number {
    return BATCH_HEDGE_FACTOR * this.init.hedgeMs()
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
    const waiter: Waiter = { cid, key, hex: hexKey(key), holders, signal, started: performance.now(), settled: false, single: false, resolve, reject }
    // the get's own bound: room (the hedge delay, at most twice MAX_HEDGE_MS), a batch (1.25 × the request deadline), then the single get
    const singleMs = this.init.singleMs ?? BLOCK_TRIES * (this.source.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS)
    const deadlineMs = this.delay() + this.requestMs + singleMs
    waiter.timer = setTimeout(() => {
      this.stats.timedOut++
      this.finish(waiter, new TimeoutError(`block ${cid.toString()} not had within ${Math.round(deadlineMs)} ms`))
    }, deadlineMs)
    if (signal != null) {
      waiter.onAbort = () => { this.finish(waiter, signal.reason) }
      signal.addEventListener('abort', waiter.onAbort, { once: true })
    }
    this.pending.push(waiter)
    this.scheduled ??= setImmediate(this.flush)
    return promise
  }

  /** Send what is pending: one FETCH_MANY per holder with room and at most MAX_FETCH_MANY_KEYS blocks. */
  private readonly flush = (): void => {
    this.scheduled = undefined
    if (this.overdueTimer != null) clearTimeout(this.overdueTimer)
    this.overdueTimer = undefined
    const now = performance.now()
    const delay = this.delay()
    const waiters = this.pending.filter(w => !w.settled && !w.single)
    this.pending = []
    const room = (peer: FoundPeer): number => MAX_KEYS_IN_FLIGHT_PER_PEER - (this.inFlight.get(peer.peerId.toString()) ?? 0)
    const wait = (w: Waiter): void => {
      // holders all full past the hedge delay (a holder slow to answer keeps its slots until its deadline): the single way
      if (now - w.started >= delay) {
        this.stats.overdue++
        this.fallBack(w)
      } else {
        this.pending.push(w)
      }
    }
    // only holders with room: a block whose holders are all full waits for one of their answers
    let left = waiters.map(w => ({ waiter: w, holders: w.holders.filter(p => room(p) > 0) }))
    for (const o of left) if (o.holders.length === 0) wait(o.waiter)
    left = left.filter(o => o.holders.length > 0)
    while (left.length > 0) {
      const [[peer, group]] = groupByHolder(left)
      const taken = takeKeys(group, Math.min(room(peer), MAX_FETCH_MANY_KEYS))
      void this.ask(peer, taken.map(o => o.waiter))
      const sent = new Set(taken)
      // the rest of the group looks for another holder with room, or waits
      left = left.filter(o => !sent.has(o)).map(o => ({ waiter: o.waiter, holders: o.holders.filter(p => room(p) > 0) }))
      for (const o of left) if (o.holders.length === 0) wait(o.waiter)
      left = left.filter(o => o.holders.length > 0)
    }
    if (this.pending.length > 0) {
      // an answer frees room sooner; if none comes, the oldest waiting get goes the single way on time
      const oldest = Math.min(...this.pending.map(w => w.started))
      this.overdueTimer = setTimeout(() => { this.scheduled ??= setImmediate(this.flush) }, Math.max(0, oldest + delay - now))
    }
  }

  private async ask (peer: FoundPeer, group: Waiter[]): Promise<void> {
    const id = peer.peerId.toString()
    // one key per block, asked once however many gets wait on it (a holder refuses a key named twice)
    const byKey = new Map<string, Waiter[]>()
    for (const w of group) byKey.set(w.hex, [...(byKey.get(w.hex) ?? []), w])
    const keys = [...byKey.values()].map(ws => ws[0].key)
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + keys.length)
    // a holder slow to answer: the first block still missing (the one the window waits on) is asked on its
    // own as well, then the next after the same delay, and so on (the first copy wins); all at once would,
    // on a busy machine where hedges fire falsely, send every block of the batch twice. A batch's answer
    // carries several blocks, so the delay is twice a block's.
    const delay = this.delay()
    let hedge: ReturnType<typeof setTimeout> | undefined
    const hedgeNext = (): void => {
      const next = group.find(w => !w.settled && !w.single)
      if (next == null) return
      this.fallBack(next)
      hedge = setTimeout(hedgeNext, delay)
    }
    hedge = setTimeout(hedgeNext, delay)
    // the loader's own deadline on the request, whatever the source does with it: a holder that never
    // answers (or a request that never settles) is given up on, its slots freed and its blocks asked singly
    const giveUp = new AbortController()
    const expiry = setTimeout(() => { giveUp.abort(new TimeoutError(`no FETCH_MANY answer from ${id} within ${Math.round(this.requestMs)} ms`)) }, this.requestMs)
    const shared = sharedSignal(group)
    const signal = shared == null ? giveUp.signal : AbortSignal.any([shared, giveUp.signal])
    this.stats.requests++
    try {
      const answer = await untilAborted(this.source.fetchMany(peer, keys, signal), signal)
      for (const item of answer.items) {
        const hex = hexKey(item.key)
        const waiters = byKey.get(hex)
        // not asked, or already answered in this batch: ignored, the block takes the single way
        if (waiters == null) continue
        byKey.delete(hex)
        if (item.kind !== 'hash' || !equalPositions(hashItemKey(item.body), waiters[0].key)) {
          this.stats.wrong++
          continue
        }
        for (const w of waiters) this.settle(w, item.body)
      }
    } catch (err: any) {
      if (err?.code === 'unknown-type') this.unsupported.add(peer.peerId.toString())
      if (giveUp.signal.aborted) this.stats.expired++
    } finally {
      clearTimeout(expiry)
      clearTimeout(hedge)
      const left = (this.inFlight.get(id) ?? keys.length) - keys.length
      if (left > 0) this.inFlight.set(id, left)
      else this.inFlight.delete(id)
      // blocks waiting for room at a holder go now
      if (this.pending.length > 0) this.scheduled ??= setImmediate(this.flush)
      // whatever the batch did not bring
      for (const w of group) this.fallBack(w)
    }
  }

  private settle (waiter: Waiter, bytes: Uint8Array): void {
    if (waiter.settled) return
    this.stats.blocks++
    this.init.onBlock?.(performance.now() - waiter.started)
    this.finish(waiter, undefined, bytes)
  }

  /** End a get once: its block, or why not. */
  private finish (waiter: Waiter, err: unknown, bytes?: Uint8Array): void {
    if (waiter.settled) return
    waiter.settled = true
    clearTimeout(waiter.timer)
    if (waiter.onAbort != null) waiter.signal?.removeEventListener('abort', waiter.onAbort)
    if (bytes != null) waiter.resolve(bytes)
    else waiter.reject(err)
  }

  /** The single get for a block the batch did not bring (at most once per block). */
  private fallBack (waiter: Waiter): void {
    if (waiter.settled || waiter.single) return
    waiter.single = true
    this.stats.fallbacks++
    this.single(waiter.cid, waiter.signal).then(bytes => { this.finish(waiter, undefined, bytes) }, err => { this.finish(waiter, err) })
  }
}

/**
 * The first of `group` up to `max` distinct keys: gets of the same block (a
 * file whose blocks repeat, two reads at once) share one key of the request.
 */
function takeKeys<O extends { waiter: Waiter }> (group: O[], max: number): O[] {
  const keys = new Set<string>()
  return group.filter(o => {
    if (keys.has(o.waiter.hex)) return true
    if (keys.size >= max) return false
    keys.add(o.waiter.hex)
    return true
  })
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

/** The signal all of a group's gets share (one read's window), else none: the loader's deadline bounds it. */
function sharedSignal (group: Waiter[]): AbortSignal | undefined {
  const first = group[0]?.signal
  return group.every(w => w.signal === first) ? first : undefined
}
