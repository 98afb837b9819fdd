/**
 * Writes: an item goes to the R nearest nodes and a write succeeds once W
 * acknowledged (the rest land in the background). Where our table already
 * knows the replica set, the stores go straight there and their answers
 * confirm it in the same round trip; otherwise a lookup finds it first.
 *
 * W is never lowered to the size of the network: fewer than W acknowledgements
 * is InsufficientPeersError. Acknowledgements of fallback nodes (beyond the R
 * nearest, asked when a replica does not answer) count toward W unless the
 * caller says `countFallbacks: false` (publish records).
 */
import { replicate } from './replicate.ts'
import type { ReplicateResult } from './replicate.ts'
import { compareDistance, nearestPositioned, peerPosition } from '../keyspace.ts'
import { keyToCid } from '../records/hash-item.ts'
import { InsufficientPeersError, RemoteRejectedError } from '../errors.ts'
import { uniquePeers } from '../found-peer.ts'
import { READ_HEDGE_MS } from '../constants.ts'
import type { Lookups } from './lookups.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { Settings } from './options.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { ForwardedPuts } from './forwarded-put.ts'
import type { Item } from '../records/item.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Logger, PeerId } from '@libp2p/interface'

/** Rounds a write may spend going on to the nearer peers store answers name, before it looks the replica set up. */
export const CORRECTION_ROUNDS = 2

export interface WriterInit {
  settings: Settings
  requests: PeerRequests
  lookups: Lookups
  table: PeerTable
  neighbourhood: Neighbourhood
  acceptor: ItemAcceptor
  log: Logger
  /** Open connections (rpc/client.ts): the fast path hears every replica it reaches without a dial before it decides (replicate.ts awaitAnswer). */
  connections?: { isOpen(peer: PeerId): boolean }
  /** Hash puts through a connected peer when fewer than W replicas are connected (forwarded-put.ts); absent: always direct. */
  forwardedPuts?: ForwardedPuts
}

export interface WriteOptions {
  /** Compare-and-swap: the seq the writer expects replicas to hold (publish items). */
  expectedSeq?: bigint
  /**
   * Whether acknowledgements from nodes beyond the R nearest (fallbacks taken
   * when a replica does not answer) count toward W. @default true
   */
  countFallbacks?: boolean
  /** A forwarded put (forwarded-put.ts) waits this long before the direct path starts beside it; default a few of the forwarder's round trips. */
  hedgeMs?: number
}

export class Writer {
  private readonly init: WriterInit

  constructor (init: WriterInit) {
    this.init = init
  }

  /**
   * Store an item on the R nearest nodes; resolves with the peers that
   * acknowledged once W did (fallbacks only when `countFallbacks`), else
   * throws InsufficientPeersError. W is never lowered to what the network
   * has: a one-node network needs `replicas: 1`.
   */
  async replicate (item: Item, signal: AbortSignal, options: WriteOptions = {}): Promise<PeerId[]> {
    const hashPut = item.kind === 'hash' && options.expectedSeq == null
    const forwarded = this.init.forwardedPuts
    const forwarder = forwardable(item, options) ? this.forwarderFor(item.key) : undefined
    const stored = forwarder != null
      ? await forwarded!.put(item, forwarder, signal, options.hedgeMs, async (peer, s) => { await this.storeOn(peer, item, s) }, async (s, acked, known) => this.replicateDirect(item, s, options, acked, known))
      : await this.replicateDirect(item, signal, options)
    if (!hashPut || !this.farFromKey(item.key, stored)) return stored
    // every peer the write met took the acknowledgers for the replica set: none of them knew the key's neighbourhood
    this.init.log('%s: acknowledged far from the key for a network of ~%d nodes; looking the replica set up', keyToCid(item.key), Math.round(this.init.neighbourhood.networkSize()))
    return await this.replicateLookedUp(item, signal, options)
  }

  /**
   * The peer to forward a put of `key` through (forwarded-put.ts
   * `forwarderFor`), or, when our table's R nearest look within reach, the
   * connected peer nearest the key all the same if the view a direct write
   * stores on (`knownView`: the waiting and heard-of peers too) has fewer
   * than W of its R nearest within reach without a dial: that write would
   * dial on its critical path (at 50 nodes 6 % of puts, the slowest).
   */
  private forwarderFor (key: Uint8Array): FoundPeer | undefined {
    const forwarded = this.init.forwardedPuts
    if (forwarded == null) return undefined
    const chosen = forwarded.forwarderFor(key)
    if (chosen != null || this.init.connections == null) return chosen
    const { replicas, writeQuorum } = this.init.settings
    const reached = this.knownView(key).slice(0, replicas).filter(p => this.reachedWithoutDial(p)).length
    return reached >= writeQuorum ? undefined : forwarded.placerFor(key)
  }

  /** The 2R nearest a direct write stores on: our table's view, the peers waiting for a place in full bands (the far ones hold most keys), and `earlier` (peers that acknowledged this write already). */
  private knownView (key: Uint8Array, earlier: Iterable<FoundPeer> = []): FoundPeer[] {
    const { replicas } = this.init.settings
    return nearestPositioned(key, uniquePeers([...this.init.neighbourhood.nearestPeers(key, replicas * 2), ...this.init.table.closestWithWaiting(key, replicas * 2), ...earlier]), replicas * 2)
  }

  /**
   * The W-th nearest acknowledgement is more than VIEW_SLACK times as far
   * from the key as the R-th nearest node of a network of our estimated size
   * would be (Neighbourhood.mayMiss): not the replica set, though no store
   * answer named a nearer peer (thin tables: at 200 nodes, tables of 52 of
   * 199, 1 put in 400 was acknowledged by the 30th and 31st nearest, and
   * read as not found).
   */
  private farFromKey (key: Uint8Array, stored: PeerId[]): boolean {
    const { writeQuorum, replicas } = this.init.settings
    if (stored.length < writeQuorum) return false
    const wth = nearestPositioned(key, stored.map(peerId => ({ peerId, position: peerPosition(peerId) })), writeQuorum)[writeQuorum - 1]
    return this.init.neighbourhood.mayMiss(key, replicas, wth.position)
  }

  /** The direct path; `acked`: peers that already acknowledged this write (a forwarded put's), not asked again; `known`: peers a forwarder named nearest the key. */
  private async replicateDirect (item: Item, signal: AbortSignal, options: WriteOptions, acked?: Map<string, FoundPeer>, known: FoundPeer[] = []): Promise<PeerId[]> {
    const { replicas } = this.init.settings
    if (this.init.table.size >= replicas * 2) {
      const stored = await this.replicateToKnown(item, signal, options, acked, known)
      if (stored != null) return stored
    }
    this.init.log('%s: the replica set our table knows fell short; looking it up', keyToCid(item.key))
    return await this.replicateLookedUp(item, signal, options, acked)
  }

  /** Look the replica set up (an iterative lookup of the 2R nearest), then store there. */
  private async replicateLookedUp (item: Item, signal: AbortSignal, options: WriteOptions, acked?: Map<string, FoundPeer>): Promise<PeerId[]> {
    const { peers } = await this.init.lookups.nearest(item.key, this.init.settings.replicas * 2, signal, this.init.lookups.replicaShape())
    const result = await this.fanOut(peers, item, signal, options, undefined, acked)
    return result.acked.map(p => p.peerId)
  }

  /** Store an item on one peer (or here); with `closerCount`, return the peers it knows nearest to the key. */
  async storeOn (peer: FoundPeer, item: Item, signal: AbortSignal, expectedSeq?: bigint, closerCount = 0): Promise<FoundPeer[]> {
    if (peer.peerId.equals(this.init.neighbourhood.selfId)) {
      const result = await this.init.acceptor.accept(item, { signal, expectedSeq })
      if (result.refused != null) throw new RemoteRejectedError(`local store refused: ${result.message ?? ''}`, result.refused)
      return closerCount > 0 ? this.init.neighbourhood.nearestPeers(item.key, closerCount) : []
    }
    const answer = await this.init.requests.ask(peer, { signal }, async (rpc, options) => rpc.store(peer, item, { expectedSeq, closerCount }, options))
    return answer.closer
  }

  /**
   * Copies for `peers` that lack `item` (read repair): stored directly on
   * ourselves and the peers we have an open connection to; the rest in one
   * FORWARD_STORE through `via` (a peer that just reached them for us: a
   * forwarder of the read) when forwarded puts are on, dialled only when it
   * did not reach them. Best effort, in the background: resolves with the
   * peers that took a copy.
   */
  async repairCopies (peers: FoundPeer[], item: Item, signal: AbortSignal, via?: FoundPeer): Promise<FoundPeer[]> {
    const { forwardedPuts, connections } = this.init
    const behindDial = peers.filter(p => !this.reachedWithoutDial(p))
    const through = via != null && forwardedPuts != null && connections?.isOpen(via.peerId) === true && behindDial.length > 0 && forwardable(item, {})
      ? await forwardedPuts.place(item, via, signal).catch(() => undefined)
      : undefined
    const took: FoundPeer[] = []
    await Promise.all(peers.map(async peer => {
      if (through?.signers.has(peer.peerId.toString()) === true) { took.push(peer); return }
      try {
        await this.storeOn(peer, item, signal)
        took.push(peer)
      } catch {}
    }))
    return took
  }

  /**
   * The fast path: store straight on the replica set our table knows, each
   * store answer naming the responder's own nearest peers to the key. When
   * none of them knows a nearer peer, our view was right and the write took
   * one round trip. When they do, those named peers are the replica set our
   * table missed (the replicas know their own neighbourhood best): the write
   * goes on to them in one more round, keeping the acknowledgements it has,
   * up to CORRECTION_ROUNDS times; only then (undefined) does the caller look
   * the replica set up from scratch.
   */
  private async replicateToKnown (item: Item, signal: AbortSignal, options: WriteOptions, earlier?: Map<string, FoundPeer>, known: FoundPeer[] = []): Promise<PeerId[] | undefined> {
    const { replicas } = this.init.settings
    // with the peers that already acknowledged (a forwarded put's verified signers, which our table may not know) and those a forwarder named
    let view = this.knownView(item.key, [...(earlier?.values() ?? []), ...known])
    const acked = new Map<string, FoundPeer>(earlier ?? [])
    const failed = new Set<string>()
    for (let round = 0; round <= CORRECTION_ROUNDS; round++) {
      const learned = new Map<string, FoundPeer>()
      // who named the peer nearest the key: the forwarder of a correction round (its neighbourhood is the replica set's)
      let bestNamer: { by: FoundPeer, named: FoundPeer } | undefined
      let result: ReplicateResult
      try {
        result = await this.fanOut(view, item, signal, options, (by, peers) => {
          const ours = by.peerId.equals(this.init.neighbourhood.selfId)
          for (const p of peers) {
            learned.set(p.peerId.toString(), p)
            if (!ours && (bestNamer == null || compareDistance(item.key, p.position, bestNamer.named.position) < 0)) bestNamer = { by, named: p }
          }
        }, acked, failed)
      } catch (err) {
        if (err instanceof InsufficientPeersError) return undefined
        throw err
      }
      for (const p of result.acked) acked.set(p.peerId.toString(), p)
      const inView = new Set(view.map(p => p.peerId.toString()))
      const boundary = view[Math.min(replicas, view.length) - 1].position
      const nearer = [...learned.values()].filter(p => compareDistance(item.key, p.position, boundary) < 0 && !inView.has(p.peerId.toString()) && !failed.has(p.peerId.toString()))
      if (nearer.length === 0) return result.acked.map(p => p.peerId)
      this.init.log('the replica set of %s was not the one our table knows: %d nearer peer(s) named', keyToCid(item.key), nearer.length)
      view = nearestPositioned(item.key, [...view.filter(p => !failed.has(p.peerId.toString())), ...nearer], replicas * 2)
      const corrected = await this.correctForwarded(item, view, bestNamer?.by, acked, signal, options)
      if (corrected != null) return corrected
    }
    return undefined
  }

  /**
   * A correction round that would dial (a replica of the corrected `view`
   * without an open connection) goes instead through `namer`, the peer
   * whose answer named the peer nearest the key (it knows that
   * neighbourhood), counting the replicas' signed acks (forwarded-put.ts);
   * undefined: the round dials, as before.
   */
  private async correctForwarded (item: Item, view: FoundPeer[], namer: FoundPeer | undefined, acked: Map<string, FoundPeer>, signal: AbortSignal, options: WriteOptions): Promise<PeerId[] | undefined> {
    const { forwardedPuts, connections, settings } = this.init
    if (forwardedPuts == null || connections == null || !forwardable(item, options)) return undefined
    // the next round reaches W at once (acks it has) or in one round trip (open connections): no need
    const top = view.slice(0, settings.replicas)
    const reachable = top.filter(p => acked.has(p.peerId.toString()) || this.reachedWithoutDial(p)).length
    if (reachable >= settings.writeQuorum) return undefined
    // (never ourselves: replicateToKnown names only peers that answered over the network)
    if (namer == null || !connections.isOpen(namer.peerId)) return undefined
    return await forwardedPuts.correct(item, namer, view, acked, signal)
  }

  /**
   * A hash put whose W acknowledgements are within reach over open
   * connections (ourselves and the peers in `acked`, which acknowledged
   * already, counted) but whose replica set is not: the
   * replicas behind a dial are stored through the connected peer nearest the
   * key (one FORWARD_STORE shared by all of them, forwarded-put.ts `place`),
   * whose neighbourhood they are, instead of a new connection each: a new
   * connection costs round trips and milliseconds of CPU at both ends, a
   * forward two round trips off the put's critical path. Resolves per peer
   * with the forwarder and the peers it named, or undefined when the
   * forward did not reach that peer (it is dialled then). Undefined: no
   * such put, every store dials as it needs.
   */
  private placeWithoutDials (peers: FoundPeer[], item: Item, signal: AbortSignal, options: WriteOptions, acked?: Map<string, FoundPeer>): ((peer: FoundPeer) => Promise<{ by: FoundPeer, closer: FoundPeer[] } | undefined>) | undefined {
    const { forwardedPuts, connections, settings } = this.init
    if (forwardedPuts == null || connections == null || !forwardable(item, options)) return undefined
    const top = peers.slice(0, settings.replicas)
    // a peer that acknowledged this write already counts as reached (a forwarded put's background completion)
    const open = top.filter(p => acked?.has(p.peerId.toString()) === true || this.reachedWithoutDial(p)).length
    if (open < settings.writeQuorum || open === top.length) return undefined
    const forwarder = forwardedPuts.placerFor(item.key)
    if (forwarder == null) return undefined
    let placed: Promise<{ signers: Set<string>, closer: FoundPeer[] } | undefined> | undefined
    return async peer => {
      placed ??= forwardedPuts.place(item, forwarder, signal).catch(() => undefined)
      const answer = await placed
      return answer?.signers.has(peer.peerId.toString()) === true ? { by: forwarder, closer: answer.closer } : undefined
    }
  }

  /** Ourselves, or a peer we have an open connection to: a store reaches it without a dial. */
  private reachedWithoutDial (peer: FoundPeer): boolean {
    return peer.peerId.equals(this.init.neighbourhood.selfId) || this.init.connections?.isOpen(peer.peerId) === true
  }

  /**
   * The fan-out to `peers` (nearest first, the first R the replica set) with
   * W = the write quorum; with `onCloser`, each store also asks for the
   * responder's nearest peers to the key, and the write waits for every
   * replica it reaches without a dial to answer: a view is taken for the
   * replica set only when none of those answers names a nearer peer.
   */
  private async fanOut (peers: FoundPeer[], item: Item, signal: AbortSignal, options: WriteOptions, onCloser?: (by: FoundPeer, peers: FoundPeer[]) => void, stored?: Map<string, FoundPeer>, failed?: Set<string>): Promise<ReplicateResult> {
    const { replicas, writeQuorum } = this.init.settings
    const throughForwarder = this.placeWithoutDials(peers, item, signal, options, stored)
    const result = await replicate({
      peers,
      replicas,
      quorum: writeQuorum,
      countFallbacks: options.countFallbacks ?? true,
      // our own store needs no connection; a replica behind a dial is not waited for, nor a stalled one for long
      ...(onCloser != null ? { awaitAnswer: (p: FoundPeer) => this.reachedWithoutDial(p), awaitMs: READ_HEDGE_MS, clock: this.init.settings.clock } : {}),
      storeOn: async peer => {
        // a peer that acknowledged in an earlier round of this write is not asked again
        if (stored?.has(peer.peerId.toString()) === true) return
        try {
          // a peer behind a dial: through the forwarder first, dialled only when it did not reach the peer
          const placed = throughForwarder != null && !this.reachedWithoutDial(peer) ? await throughForwarder(peer) : undefined
          if (placed != null) {
            onCloser?.(placed.by, placed.closer)
            return
          }
          const closer = await this.storeOn(peer, item, signal, options.expectedSeq, onCloser == null ? 0 : replicas)
          onCloser?.(peer, closer)
        } catch (err) {
          failed?.add(peer.peerId.toString())
          throw err
        }
      }
    })
    if (result.fallbacks.length > 0) {
      // hinted copies: repair hands them to the replica set on its next round (repair.ts)
      this.init.log('%s: %d hinted copies on fallback nodes', keyToCid(item.key), result.fallbacks.length)
    }
    return result
  }
}

/** Writes that may go through a forwarder (forwarded-put.ts): hash items and plain publishes; a compare-and-swap is decided by its acceptors (cas.ts), routing records by their namespace's validator. */
function forwardable (item: Item, options: WriteOptions): boolean {
  return (item.kind === 'hash' || item.kind === 'publish') && options.expectedSeq == null
}
