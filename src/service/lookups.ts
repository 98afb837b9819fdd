/**
 * The service's lookups: the shapes each operation searches with, where a
 * lookup starts, and the find_before_n query. The engine itself is
 * `lookup()` in lookup.ts; every query goes through PeerRequests, which
 * applies the deadline and the failure rule, and a peer that answers joins
 * the routing table there.
 */
import { lookup } from './lookup.ts'
import { routedSelfFind } from './routed-find.ts'
import type { RoutedSelfFind } from './routed-find.ts'
import { nearestN, nearestPositioned, peerPosition } from '../keyspace.ts'
import type { PeerRtt } from './peer-rtt.ts'
import { READ_HEDGE_MS } from '../constants.ts'
import { InsufficientPeersError, NotFoundError } from '../errors.ts'
import type { LookupResult, NearWatch, QueryOutcome } from './lookup.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { Settings } from './options.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { HoldersResult } from './types.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { PeerId } from '@libp2p/interface'

/** A lookup's result, with its target and the peers whose query failed (silence, or an answer the caller could not use). */
export interface RunResult extends LookupResult {
  target: Uint8Array
  failedPeers: FoundPeer[]
}

/** How wide a lookup searches and how many queries it keeps in flight. */
export interface LookupShape { width: number, alpha: number, initialAlpha?: number, hedgeMs?: number }

export interface LookupsInit {
  settings: Settings
  requests: PeerRequests
  table: PeerTable
  neighbourhood: Neighbourhood
  metrics?: ToyrrentMetrics
  /** Measured round trips per peer: hedges in round trips. */
  rtt?: PeerRtt
  /** Peers we are connected to: where a lookup starts while the table is still empty (just after bootstrap). */
  connectedPeers(): PeerId[]
}

export class Lookups {
  private readonly init: LookupsInit

  constructor (init: LookupsInit) {
    this.init = init
  }

  /**
   * find_before_n lookup of the `n` nearest to `target`; `onHolds` hears each
   * responder's "I hold the item with this key" flag.
   */
  async nearest (target: Uint8Array, n: number, signal: AbortSignal, shape = this.exactShape(n), onHolds?: (peer: FoundPeer, holds: boolean) => void, near?: NearWatch, more?: Promise<{ peers: FoundPeer[], urgent: number }>): Promise<LookupResult> {
    return this.run(target, shape, signal, async (peer, querySignal) => {
      const answer = await this.init.requests.ask(peer, { signal: querySignal }, async (rpc, options) => rpc.findBeforeN(peer, target, shape.width, options))
      onHolds?.(peer, answer.holds)
      // peers named but never asked are heard of: later lookups may start from them (and so verify them)
      this.init.table.hearOf(answer.peers)
      return { closer: answer.peers }
    }, near, more)
  }

  /**
   * The join's first step: a routed find of `target` (our own position)
   * through the peer we are connected to nearest to it (routed-find.ts);
   * undefined when there is none or it fails.
   */
  async routedFind (target: Uint8Array, n: number, signal: AbortSignal): Promise<RoutedSelfFind | undefined> {
    if (!this.init.settings.routedJoin) return undefined
    return await routedSelfFind(this.init, target, n, signal)
  }

  /**
   * One find_before_n to one peer (no lookup): the peers it knows nearest to
   * `target`, kept as heard of. The join's band filling asks the neighbours
   * it already met this way instead of running a lookup per band.
   */
  async askOne (peer: FoundPeer, target: Uint8Array, n: number, signal: AbortSignal): Promise<FoundPeer[]> {
    const answer = await this.init.requests.ask(peer, { signal }, async (rpc, options) => rpc.findBeforeN(peer, target, n, options))
    this.init.table.hearOf(answer.peers)
    return answer.peers
  }

  /**
   * Who holds a key: each of its R nearest live nodes says (find_before_n
   * answers carry a `holds` flag); any other holder the lookup met is listed too.
   */
  async holders (key: Uint8Array, heldHere: boolean, signal: AbortSignal): Promise<HoldersResult> {
    const { replicas } = this.init.settings
    const holds = new Map<string, boolean>()
    const result = await this.nearest(key, replicas, signal, this.replicaShape(), (peer, held) => { holds.set(peer.peerId.toString(), held) })
    holds.set(this.init.neighbourhood.selfId.toString(), heldHere)
    const replicaSet = result.peers.slice(0, replicas)
    const inSet = new Set(replicaSet.map(p => p.peerId.toString()))
    return {
      replicaSet: replicaSet.map(p => ({ peerId: p.peerId, holds: holds.get(p.peerId.toString()) ?? false })),
      otherHolders: [...holds].filter(([peer, held]) => held && !inSet.has(peer)).map(([peer]) => peer)
    }
  }

  /**
   * A lookup with any query. Only silence counts against the peer asked
   * (PeerRequests' rule); for the lookup, a query that throws (no answer, or
   * an answer the caller could not use) is a failure, and the result lists
   * those peers so missingError can tell which of the nearest answered.
   */
  async run (target: Uint8Array, shape: LookupShape, signal: AbortSignal, query: (peer: FoundPeer, signal: AbortSignal) => Promise<QueryOutcome>, near?: NearWatch, more?: Promise<{ peers: FoundPeer[], urgent: number }>): Promise<RunResult> {
    const started = this.init.settings.clock.monotonic()
    const failedPeers: FoundPeer[] = []
    const seeds = this.seeds(target, shape.width)
    const result = await lookup({
      target,
      n: shape.width,
      alpha: shape.alpha,
      initialAlpha: shape.initialAlpha,
      hedgeMs: this.hedge(target, shape, seeds),
      mayHedge: () => this.init.rtt?.takeHedge() ?? true,
      clock: this.init.settings.clock,
      self: this.init.neighbourhood.selfPeer(),
      selfServes: this.init.neighbourhood.serves(),
      seeds,
      more,
      signal,
      near,
      query: async (peer, querySignal) => {
        try {
          return await query(peer, querySignal)
        } catch (err) {
          // a query the lookup abandoned once it ended is no failure
          if (!querySignal.aborted) failedPeers.push(peer)
          throw err
        }
      }
    })
    this.init.metrics?.lookup(result.hops, this.init.settings.clock.monotonic() - started)
    return { ...result, target, failedPeers: [...failedPeers] }
  }

  /**
   * A hedged shape waits three measured round trips of the peers its
   * narrow start asks (see peer-rtt.ts), or READ_HEDGE_MS when one of them
   * has not answered us before.
   */
  private hedge (target: Uint8Array, shape: LookupShape, seeds: FoundPeer[]): number | undefined {
    if (shape.hedgeMs == null || this.init.rtt == null) return shape.hedgeMs
    this.init.rtt.readStarted()
    const first = nearestN(target, seeds, shape.initialAlpha ?? shape.alpha, p => p.position)
    return Math.min(shape.hedgeMs, this.init.rtt.hedgeFor(first.map(p => p.peerId.toString())))
  }

  /**
   * find_before_n keeps a shortlist of at least `lookupWidth` peers (Kademlia's
   * k) whatever n the caller wants, `alpha` queries in flight: exact even where
   * tables are thin.
   */
  exactShape (n: number): LookupShape {
    return { width: Math.max(n, this.init.settings.lookupWidth), alpha: this.init.settings.alpha }
  }

  /**
   * Writes, resolves and holder checks need the replica set: a shortlist of 2R
   * asked all at once. Where our table already knows the neighbourhood of the
   * key (the usual case) that is one round trip; where it does not, the
   * answers name nearer peers and the lookup goes on.
   */
  replicaShape (): LookupShape {
    const { replicas } = this.init.settings
    return { width: replicas * 2, alpha: replicas * 2 }
  }

  /**
   * A resolve reads the replica set itself: first the nearest R − W + 1 (a
   * read quorum, which meets every W-acknowledged write), the rest of the R
   * only when those disagree, fail, or are slow to answer.
   */
  readShape (): LookupShape {
    const { replicas, readQuorum } = this.init.settings
    return { width: replicas, alpha: replicas, initialAlpha: readQuorum, hedgeMs: READ_HEDGE_MS }
  }

  /** A get needs one verified copy: ask the nearest first, widen on a miss, a failure, or a slow answer. */
  firstCopyShape (hedgeMs = READ_HEDGE_MS): LookupShape {
    const { replicas, alpha } = this.init.settings
    return { width: replicas * 2, alpha, initialAlpha: 1, hedgeMs }
  }

  /**
   * Not found only after asking: of the R nearest nodes the lookup met
   * (answered or failed; ourselves included, our own store having been
   * checked), at least a read quorum (R − W + 1, which meets every
   * W-acknowledged write) must have answered that they do not hold the key.
   * Otherwise we cannot tell, and say so: InsufficientPeersError, never
   * not-found — also when there was nobody to ask at all.
   */
  missingError (name: string, result: LookupResult | RunResult): Error {
    const { replicas, readQuorum } = this.init.settings
    const answered = result.peers
    const failed = 'failedPeers' in result ? result.failedPeers : []
    const nearest = 'target' in result
      ? nearestPositioned(result.target, [...answered, ...failed], replicas)
      : answered.slice(0, replicas)
    const failedKeys = new Set(failed.map(p => p.peerId.toString()))
    const asked = nearest.filter(p => !failedKeys.has(p.peerId.toString())).length
    if (asked >= readQuorum) return new NotFoundError(`${name} not found (${asked} of its ${replicas} nearest nodes asked)`)
    const why = result.failed > 0 ? `${result.failed} failed to answer` : 'no other node to ask'
    return new InsufficientPeersError(`only ${asked} of the ${readQuorum} nearest nodes needed to be sure answered for ${name} (${why}); cannot tell whether it exists`)
  }

  /** Where a lookup starts: the nearest peers in the table (members and peers heard of), or while it is still empty the peers we are connected to. */
  private seeds (target: Uint8Array, count: number): FoundPeer[] {
    const known = this.init.table.closestForLookup(target, count)
    if (known.length > 0) return known
    return this.init.connectedPeers().map(peerId => ({ peerId, multiaddrs: [], position: peerPosition(peerId) }))
  }
}
