/**
 * Writes: an item goes to the R nearest nodes and a write succeeds once W
 * acknowledged (the rest land in the background). Where our table already
 * knows the replica set, the stores go straight there and their answers
 * confirm it in the same round trip; otherwise a lookup finds it first.
 */
import { replicate } from './replicate.ts'
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

  /** Store an item on the R nearest nodes; resolves with the peers that acknowledged once W did. */
  async replicate (item: Item, signal: AbortSignal, options: WriteOptions = {}): Promise<PeerId[]> {
    const { expectedSeq } = options
    const { replicas, writeQuorum } = this.init.settings
    if (this.init.table.size >= replicas * 2) {
      const stored = await this.replicateToKnown(item, signal, expectedSeq)
      if (stored != null) return stored
    }
    const { peers, failed } = await this.init.lookups.nearest(item.key, replicas * 2, signal, this.init.lookups.replicaShape())
    // a network smaller than W can only give what it has; unreachable peers never lower the
    // bar, whether they failed in this lookup or left the table for failing before
    const quorum = failed === 0 && this.init.table.dropped === 0 ? Math.min(writeQuorum, peers.length) : writeQuorum
    const { acked } = await replicate({
      peers,
      replicas,
      quorum,
      storeOn: async peer => { await this.storeOn(peer, item, signal, expectedSeq) }
    })
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
  private async replicateToKnown (item: Item, signal: AbortSignal, expectedSeq?: bigint): Promise<PeerId[] | undefined> {
    const { replicas, writeQuorum } = this.init.settings
    const known = this.init.neighbourhood.nearestPeers(item.key, replicas * 2)
    const learned: FoundPeer[] = []
    let acked: FoundPeer[]
    try {
      ({ acked } = await replicate({
        peers: known,
        replicas,
        quorum: writeQuorum,
        storeOn: async peer => { learned.push(...await this.storeOn(peer, item, signal, expectedSeq, replicas)) }
      }))
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
}
