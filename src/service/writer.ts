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
import { compareDistance } from '../keyspace.ts'
import { keyToCid } from '../records/hash-item.ts'
import { InsufficientPeersError, RemoteRejectedError } from '../errors.ts'
import type { Lookups } from './lookups.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { Settings } from './options.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { Item } from '../records/item.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Logger, PeerId } from '@libp2p/interface'

export interface WriterInit {
  settings: Settings
  requests: PeerRequests
  lookups: Lookups
  table: PeerTable
  neighbourhood: Neighbourhood
  acceptor: ItemAcceptor
  log: Logger
}

export interface WriteOptions {
  /** Compare-and-swap: the seq the writer expects replicas to hold (publish items). */
  expectedSeq?: bigint
  /**
   * Whether acknowledgements from nodes beyond the R nearest (fallbacks taken
   * when a replica does not answer) count toward W. @default true
   */
  countFallbacks?: boolean
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
    const { replicas } = this.init.settings
    if (this.init.table.size >= replicas * 2) {
      const stored = await this.replicateToKnown(item, signal, options)
      if (stored != null) return stored
    }
    const { peers } = await this.init.lookups.nearest(item.key, replicas * 2, signal, this.init.lookups.replicaShape())
    const { acked } = await this.fanOut(peers, item, signal, options)
    return acked.map(p => p.peerId)
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
   * The fast path: store straight on the replica set our table knows, each
   * store answering with the responder's own nearest peers to the key. When
   * none of them knows a nearer peer, our view was right and the write took
   * one round trip; otherwise (undefined) the caller does the full lookup.
   */
  private async replicateToKnown (item: Item, signal: AbortSignal, options: WriteOptions): Promise<PeerId[] | undefined> {
    const { replicas } = this.init.settings
    const known = this.init.neighbourhood.nearestPeers(item.key, replicas * 2)
    const learned: FoundPeer[] = []
    let acked: FoundPeer[]
    try {
      ({ acked } = await this.fanOut(known, item, signal, options, peers => { learned.push(...peers) }))
    } catch (err) {
      if (err instanceof InsufficientPeersError) return undefined
      throw err
    }
    const boundary = known[Math.min(replicas, known.length) - 1].position
    const missed = learned.some(p => compareDistance(item.key, p.position, boundary) < 0 && !known.some(k => k.peerId.equals(p.peerId)))
    if (missed) {
      this.init.log('the replica set of %s was not the one our table knows; looking it up', keyToCid(item.key))
      return undefined
    }
    return acked.map(p => p.peerId)
  }

  /**
   * The fan-out to `peers` (nearest first, the first R the replica set) with
   * W = the write quorum; with `onCloser`, each store also asks for the
   * responder's nearest peers to the key.
   */
  private async fanOut (peers: FoundPeer[], item: Item, signal: AbortSignal, options: WriteOptions, onCloser?: (peers: FoundPeer[]) => void): Promise<ReplicateResult> {
    const { replicas, writeQuorum } = this.init.settings
    const result = await replicate({
      peers,
      replicas,
      quorum: writeQuorum,
      countFallbacks: options.countFallbacks ?? true,
      storeOn: async peer => {
        const closer = await this.storeOn(peer, item, signal, options.expectedSeq, onCloser == null ? 0 : replicas)
        onCloser?.(closer)
      }
    })
    if (result.fallbacks.length > 0) {
      // hinted copies: repair hands them to the replica set on its next round (repair.ts)
      this.init.log('%s: %d hinted copies on fallback nodes', keyToCid(item.key), result.fallbacks.length)
    }
    return result
  }
}
