/**
 * Forwarded reads (protocols/rpc.md, "Forwarded reads"; issue 13's cold
 * path). A get or resolve whose replicas we have no open connection to
 * would pay a new connection (TCP, multistream, Noise, yamux, identify:
 * 5–6 round trips) before its one-round-trip FETCH. Instead we ask the peer
 * nearest to the key among those we do have an open connection to: it
 * fetches from the replicas it is connected to and hands back their
 * answers, two round trips in all. Nothing it says is trusted: the caller
 * checks every item (a hash item's bytes hash to its key; a record's
 * signature and id check), and a forwarder that served something that does
 * not check is not asked again for a while.
 *
 * The direct path (lookup, dial) is the fallback: at once when the
 * forwarded read fails or brings back nothing usable, and in parallel
 * after a hedge of a few of the forwarder's round trips (within the read
 * hedge budget of peer-rtt.ts), so a slow forwarder costs the tail little.
 */
import { compareDistance, nearestPositioned, peerPosition } from '../keyspace.ts'
import { READ_HEDGE_MS } from '../constants.ts'
import { HEDGE_MIN_MS } from './peer-rtt.ts'
import type { PeerRtt } from './peer-rtt.ts'
import type { PeerTable } from './peer-table.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { Settings } from './options.ts'
import type { ForwardAnswer, ForwardHints, ForwardMode, PeerRpc } from '../rpc/peer-rpc.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { Clock } from '../clock.ts'
import type { ForwardFetcher } from '../rpc/handlers/forward.ts'
import type { Logger, PeerId } from '@libp2p/interface'

/** Which peers we have an open direct connection to (the transport knows: rpc/client.ts FrameTransport). */
export interface OpenConnections {
  isOpen(peer: PeerId): boolean
  /** An RPC stream is open there too (no new stream's protocol select first). */
  isWarm?(peer: PeerId): boolean
}

/** Why a forwarded read's fallback started: it failed or brought nothing usable, took longer than the hedge, or said at once it reaches too few replicas. */
export type FallbackReason = 'failed' | 'hedge' | 'short'

/** A forwarded read waits this many of the forwarder's round trips (it takes two) before the direct path starts beside it. */
export const FORWARD_HEDGE_RTTS = 4
/** A forwarder that served something that did not check is not asked again for this long. */
export const DISTRUST_MS = 10 * 60_000
const MAX_DISTRUSTED = 256

export interface ForwardedReadsInit {
  settings: Pick<Settings, 'replicas' | 'requestTimeout' | 'clock' | 'forwardHops'>
  rpc: PeerRpc
  table: PeerTable
  neighbourhood: Neighbourhood
  connections: OpenConnections
  rtt: PeerRtt
  log: Logger
  metrics?: ToyrrentMetrics
}

export class ForwardedReads {
  private readonly init: ForwardedReadsInit
  /** Forwarders caught serving what does not check: peer id → until when (ms, the clock's now). */
  private readonly distrusted = new Map<string, number>()

  constructor (init: ForwardedReadsInit) {
    this.init = init
  }

  /**
   * Up to `count` peers to forward a read of `key` through, best first; none
   * when the read needs no forwarding. A read is forwarded when it would
   * otherwise open a connection (fewer than `needOpen` of the key's R
   * nearest by our table, ourselves counted when we are one, have an open
   * connection) or when our table's R nearest are likely not the replica
   * set (Neighbourhood.mayMiss: the replicas we would ask only name nearer
   * peers, which we would dial). Forwarded puts choose the same way. The
   * forwarder is the table peer nearest to the key among those we have an
   * open direct connection to: nearer to the key, it knows the replica set
   * better, and it answers a get from its own copy at once when it holds
   * one. The second is asked when the first brings back nothing usable,
   * beside the direct path (`hedged`).
   */
  forwardersFor (key: Uint8Array, needOpen: number, count = 2): FoundPeer[] {
    const { table, connections, neighbourhood, settings } = this.init
    const replicas = table.closest(key, settings.replicas)
    let open = neighbourhood.among(key, settings.replicas) ? 1 : 0
    for (const p of replicas) if (connections.isOpen(p.peerId)) open++
    if (open >= needOpen && !neighbourhood.mayMiss(key, settings.replicas)) return []
    const now = settings.clock.now()
    const candidates = table.all().filter(p => connections.isOpen(p.peerId) && !this.isDistrusted(p.peerId.toString(), now))
    // one with an RPC stream open saves the new stream's round trip, but only between the two nearest: the
    // nearest warm one of all was often far from the key, with a view too poor to reach its replicas
    // (at 200 nodes, 43 of 97 forwarded puts that fell short went through one while a nearer peer was
    // connected, 11 of them with one among the key's 10 nearest)
    const nearestTwo = nearestPositioned(key, candidates, 2)
    const first = [nearestTwo.find(p => connections.isWarm?.(p.peerId) ?? true) ?? nearestTwo[0]].filter(p => p != null)
    if (first.length === 0 || count <= 1) return first
    const firstKey = first[0].peerId.toString()
    return first.concat(nearestPositioned(key, candidates.filter(p => p.peerId.toString() !== firstKey), count - 1))
  }

  /**
   * Where a read of `key` goes: through forwarders when forwardersFor says
   * so; otherwise (our view looks right) the direct path over open
   * connections only (`overOpen`), whose answer is `done`; a view that only
   * looked right ends that pass and the read goes through the connected
   * peer nearest the key after all. No forwarders: the dialling direct path.
   */
  async route<T>(key: Uint8Array, needOpen: number, signal: AbortSignal, direct: (signal: AbortSignal, mayAsk: (peer: FoundPeer) => boolean) => Promise<T>): Promise<{ done: T } | { forwarders: FoundPeer[] }> {
    const forwarders = this.forwardersFor(key, needOpen)
    if (forwarders.length > 0) return { forwarders }
    const open = await this.overOpen(signal, direct)
    if (open !== undefined) return { done: open }
    return { forwarders: this.forwardersFor(key, Number.POSITIVE_INFINITY) }
  }

  /**
   * The direct path over open connections only, for a read whose table view
   * looks right: `direct` runs with `mayAsk`, and the first peer it would
   * have to dial ends it (undefined: forward instead). A view that only
   * looked right (its peers name nearer ones we are not connected to) then
   * costs a forward over open connections, not a new connection.
   */
  async overOpen<T>(signal: AbortSignal, direct: (signal: AbortSignal, mayAsk: (peer: FoundPeer) => boolean) => Promise<T>): Promise<T | undefined> {
    const stop = new AbortController()
    let wouldDial = false
    const mayAsk = (peer: FoundPeer): boolean => {
      if (this.init.connections.isOpen(peer.peerId)) return true
      wouldDial = true
      stop.abort()
      return false
    }
    try {
      const result = await direct(AbortSignal.any([signal, stop.signal]), mayAsk)
      // a pass cut short is never taken, even when it ended with an answer: it did not ask the nearer peers it was told of
      if (!wouldDial) return result
    } catch (err) {
      if (!wouldDial || signal.aborted) throw err
    }
    return undefined
  }

  /** Ask `forwarder` to read `key`, over the open connection only; throws when it cannot be asked or does not answer in time. */
  async ask (forwarder: FoundPeer, key: Uint8Array, mode: ForwardMode, signal: AbortSignal, hints?: ForwardHints): Promise<ForwardAnswer> {
    const { requestTimeout, forwardHops } = this.init.settings
    this.init.metrics?.count('forwarded_reads')
    // the forwarder gets half our deadline: its answer must still reach us within ours; with forwardHops 1 a
    // forwarder that reaches too little passes the read on to its peer nearest the key ("A second hop")
    return await this.init.rpc.forward(forwarder, key, mode, Math.floor(requestTimeout / 2), { signal, timeout: requestTimeout, noDial: true }, { ...hints, hops: forwardHops })
  }

  /**
   * How long the fallback waits on a forwarded read before it starts beside
   * it: FORWARD_HEDGE_RTTS of the forwarder's measured round trips, in
   * round trips only (no fixed cap: a forwarded read takes two, so a 200 ms
   * cap fired on every read over a 100 ms link), at most half the request
   * timeout; READ_HEDGE_MS while unmeasured.
   */
  hedgeMs (forwarder: FoundPeer): number {
    const rtt = this.init.rtt.estimate(forwarder.peerId.toString())
    if (rtt == null) return READ_HEDGE_MS
    return Math.min(Math.floor(this.init.settings.requestTimeout / 2), Math.max(HEDGE_MIN_MS, FORWARD_HEDGE_RTTS * rtt))
  }


  /** `forwarder` served an item that does not check: a failed answer, and it is not asked again for a while. */
  distrust (forwarder: FoundPeer, why: string): void {
    this.init.log('forwarder %p served %s; not asking it again for %d s', forwarder.peerId, why, DISTRUST_MS / 1000)
    if (this.distrusted.size >= MAX_DISTRUSTED) this.distrusted.delete(this.distrusted.keys().next().value!)
    this.distrusted.set(forwarder.peerId.toString(), this.init.settings.clock.now() + DISTRUST_MS)
  }

  /** The fallback started: `why` 'failed' (the forwarded read failed or brought nothing usable), 'hedge' (it took longer than the hedge) or 'short' (the forwarder said at once it reaches too few replicas). */
  fellBack (why: FallbackReason): void {
    this.init.metrics?.count('forwarded_read_fallbacks')
  }

  private isDistrusted (key: string, now: number): boolean {
    const until = this.distrusted.get(key)
    if (until == null) return false
    if (until > now) return true
    this.distrusted.delete(key)
    return false
  }

  /**
   * A forwarded read with the direct path as fallback: `forwarded` through
   * the first forwarder; when it fails or yields nothing, or beside it after
   * the hedge, the second forwarder (if any) and then `direct` the same way;
   * without a second, `direct` at once when it fails or yields nothing, or beside it after
   * the hedge (`hedgeMs`, else a few of the forwarder's round trips). The first result wins and the other is aborted; an error only
   * when both are over (the direct path's error, which says why). The first forwarder's read gets `early`: calling it starts the
   * fallback now while that read goes on (a forwarder that said at once it reaches too few replicas).
   */
  async hedged<T>(forwarders: FoundPeer | FoundPeer[], hedgeMs: number | undefined, signal: AbortSignal, forwarded: (forwarder: FoundPeer, signal: AbortSignal, early?: () => void) => Promise<T | undefined>, direct: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const [forwarder, second] = Array.isArray(forwarders) ? forwarders : [forwarders]
    // the hedge spends from the read hedge budget (peer-rtt.ts): an overloaded node does not dial for every read
    this.init.rtt.readStarted()
    const { clock } = this.init.settings
    // the fallback asks a second forwarder first when there is one (two round trips if it reaches
    // the replicas, against a new connection's five or six), hedged by the direct path the same way
    const fallback = second == null
      ? direct
      : async (s: AbortSignal) => await hedged(clock, hedgeMs ?? this.hedgeMs(second), () => this.init.rtt.takeHedge(), () => {}, s, async s2 => forwarded(second, s2), direct)
    return await hedged(clock, hedgeMs ?? this.hedgeMs(forwarder), () => this.init.rtt.takeHedge(), why => { this.fellBack(why) }, signal, async (s, early) => forwarded(forwarder, s, early), fallback)
  }
}

/** See ForwardedReads.hedged; the race itself, on `clock`. */
export async function hedged<T> (clock: Clock, hedgeMs: number, mayHedge: () => boolean, onFallback: (why: FallbackReason) => void, signal: AbortSignal, first: (signal: AbortSignal, early: () => void) => Promise<T | undefined>, fallback: (signal: AbortSignal) => Promise<T>): Promise<T> {
  signal.throwIfAborted()
  const firstStop = new AbortController()
  const fallbackStop = new AbortController()
  const { promise, resolve, reject } = Promise.withResolvers<T>()
  let done = false
  let firstOver = false
  let fallbackError: { err: unknown } | undefined
  let started = false
  const finish = (value: T): void => {
    if (done) return
    done = true
    firstStop.abort()
    fallbackStop.abort()
    resolve(value)
  }
  const fail = (err: unknown): void => {
    if (done) return
    done = true
    firstStop.abort()
    reject(err)
  }
  const startFallback = (why: FallbackReason): void => {
    if (started || done) return
    started = true
    onFallback(why)
    fallback(AbortSignal.any([signal, fallbackStop.signal])).then(finish, err => {
      fallbackError = { err }
      if (firstOver) fail(err)
    })
  }
  const firstDone = (value: T | undefined): void => {
    firstOver = true
    if (value !== undefined) { finish(value); return }
    if (fallbackError != null) { fail(fallbackError.err); return }
    startFallback('failed')
  }
  first(AbortSignal.any([signal, firstStop.signal]), () => { startFallback('short') }).then(firstDone, () => { firstDone(undefined) })
  const timer = clock.setTimeout(() => { if (!firstOver && mayHedge()) startFallback('hedge') }, hedgeMs)
  try {
    return await promise
  } finally {
    clock.clearTimeout(timer)
  }
}

/** A forwarder's second hop for `key` (reads and puts): its connected table peer nearest the key, never `requester`, when nearer to the key than it is; undefined: none. */
export function nextHopToward (selfId: PeerId, table: PeerTable, connections: OpenConnections): (key: Uint8Array, requester: PeerId) => FoundPeer | undefined {
  const selfPosition = peerPosition(selfId)
  return (key, requester) => {
    const connected = table.all().filter(p => connections.isOpen(p.peerId) && !p.peerId.equals(requester))
    const [nearest] = nearestPositioned(key, connected, 1)
    // only towards the key: a hop that is not nearer than we are knows no more of its neighbourhood
    return nearest != null && compareDistance(key, nearest.position, selfPosition) < 0 ? nearest : undefined
  }
}

/** What serving FORWARD needs (rpc/handlers/forward.ts): FETCH, and a second hop's FORWARD, over open connections only, never a dial. */
export function forwardFetcher (selfId: PeerId, s: Settings, rpc: PeerRpc, table: PeerTable, connections: OpenConnections | undefined, metrics: ToyrrentMetrics): ForwardFetcher | undefined {
  if (connections == null) return undefined
  return {
    selfId,
    replicas: s.replicas,
    maxTimeoutMs: Math.floor(s.requestTimeout / 2),
    isOpen: peer => connections.isOpen(peer),
    ...(connections.isWarm != null ? { isWarm: (peer: PeerId) => connections.isWarm!(peer) } : {}),
    fetch: async (peer, key, signal, timeout) => (await rpc.fetch(peer, key, 0, { signal, timeout, noDial: true })).item,
    served: () => { metrics.count('forwarded_reads_served') },
    nextHop: nextHopToward(selfId, table, connections),
    forward: async (peer, key, mode, timeout, signal, hints) => {
      metrics.count('forwarded_reads_passed_on')
      // half of what is left to the next hop: its answer must still reach us, and ours the requester
      return await rpc.forward(peer, key, mode, Math.floor(timeout / 2), { signal, timeout, noDial: true }, { ...hints, hops: 0 })
    }
  }
}
