/**
 * libp2p's peer routing (`libp2p.peerRouting.findPeer`, `getClosestPeers`)
 * from toyrrent's own routing table and lookups: the node runs one table,
 * and libp2p services and embedders route through it as they would through
 * kad-dht's.
 *
 * Positions are kad-dht's, so both answer alike: a peer sits at SHA-256 of
 * its multihash bytes (`peerPosition`), and `getClosestPeers(key)` hashes
 * the key it is given (position = SHA-256(key)), as kad-dht does.
 */
import { InvalidParametersError, NotFoundError } from '@libp2p/interface'
import { peerPosition, sha256, POSITION_BYTES } from '../keyspace.ts'
import type { Lookups } from './lookups.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { PeerTable } from './peer-table.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { PeerId, PeerInfo, PeerRouting, PeerStore, RoutingOptions } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface ToyrrentPeerRoutingInit {
  selfId: PeerId
  table: PeerTable
  lookups: Lookups
  requests: PeerRequests
  connectionManager: Pick<ConnectionManager, 'getConnections'>
  peerStore: Pick<PeerStore, 'get'>
  /** How many peers getClosestPeers yields (Kademlia k, kad-dht's 20). */
  count: number
  /** The deadline of one operation: the caller's signal, the service's shutdown, the operation timeout. */
  deadline(signal?: AbortSignal): AbortSignal
}

export class ToyrrentPeerRouting implements PeerRouting {
  readonly [Symbol.toStringTag] = '@toyrrent/peer-routing'
  private readonly init: ToyrrentPeerRoutingInit

  constructor (init: ToyrrentPeerRoutingInit) {
    this.init = init
  }

  /**
   * A peer's addresses: at once when we are connected to it or our table
   * knows where it listens (unless `useCache: false`), else by a lookup of its
   * position that ends as soon as a responder names it with an address
   * (unless `useNetwork: false`). Throws libp2p's NotFoundError otherwise.
   */
  async findPeer (peerId: PeerId, options: RoutingOptions = {}): Promise<PeerInfo> {
    if (peerId.equals(this.init.selfId)) throw new InvalidParametersError('cannot look up our own peer id')
    if (options.useCache !== false) {
      const known = await this.known(peerId, options.signal)
      if (known != null) return known
    }
    if (options.useNetwork !== false) {
      const found = await this.lookUp(peerId, this.init.deadline(options.signal))
      if (found != null) return found
    }
    throw new NotFoundError(`peer ${peerId} not found`)
  }

  /**
   * The nearest peers to SHA-256(key) that answered a lookup, nearest first,
   * ourselves left out; with `useNetwork: false`, the nearest in our table.
   */
  async * getClosestPeers (key: Uint8Array, options: RoutingOptions = {}): AsyncGenerator<PeerInfo> {
    const position = sha256(key)
    const { count } = this.init
    let peers: FoundPeer[]
    if (options.useNetwork === false) {
      peers = this.init.table.closest(position, count)
    } else {
      // one more than asked: we may be among the nearest ourselves
      const result = await this.init.lookups.nearest(position, count + 1, this.init.deadline(options.signal))
      peers = result.peers.filter(p => !p.peerId.equals(this.init.selfId)).slice(0, count)
    }
    for (const peer of peers) {
      // a lookup that started from our connections (an empty table) knows those peers by connection only
      const multiaddrs = peer.multiaddrs.length > 0 ? peer.multiaddrs : (await this.known(peer.peerId, options.signal))?.multiaddrs ?? []
      yield { id: peer.peerId, multiaddrs }
    }
  }

  /** What we know without asking: a connected peer's addresses, or the table's. */
  private async known (peerId: PeerId, signal?: AbortSignal): Promise<PeerInfo | undefined> {
    const connections = this.init.connectionManager.getConnections(peerId)
    const tabled = this.init.table.get(peerId)?.multiaddrs ?? []
    if (connections.length === 0) return tabled.length > 0 ? { id: peerId, multiaddrs: tabled } : undefined
    // connected: where it listens (identify told the peer store), else the table's, else where we reached it
    let listening: Multiaddr[] = []
    try {
      listening = (await this.init.peerStore.get(peerId, { signal })).addresses.map(a => a.multiaddr)
    } catch {}
    const multiaddrs = listening.length > 0 ? listening : tabled.length > 0 ? tabled : connections.map(c => c.remoteAddr)
    return { id: peerId, multiaddrs }
  }

  /**
   * Look up the position next to the peer's (its last bit flipped):
   * find_before_n never names a peer sitting exactly at the target, while for
   * the position next to it that peer is the nearest of all, so every
   * responder that knows it names it first.
   */
  private async lookUp (peerId: PeerId, signal: AbortSignal): Promise<PeerInfo | undefined> {
    const probe = peerPosition(peerId).slice()
    probe[POSITION_BYTES - 1] ^= 1
    const { lookups, requests, connectionManager } = this.init
    const shape = lookups.exactShape(1)
    let found: PeerInfo | undefined
    await lookups.run(probe, shape, signal, async (peer, querySignal) => {
      // a peer with no address to dial would send libp2p's dialler back here for it: skip it
      if (peer.multiaddrs.length === 0 && connectionManager.getConnections(peer.peerId).length === 0) {
        throw new Error(`no address for ${peer.peerId}`)
      }
      const answer = await requests.ask(peer, { signal: querySignal }, async (rpc, opts) => rpc.findBeforeN(peer, probe, shape.width, opts))
      const match = answer.peers.find(p => p.peerId.equals(peerId) && p.multiaddrs.length > 0)
      if (match == null) return { closer: answer.peers }
      found ??= { id: match.peerId, multiaddrs: match.multiaddrs }
      return { closer: [], stop: true }
    })
    return found
  }
}
