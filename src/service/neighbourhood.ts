/**
 * What this node knows of the key space around any position: the peer table
 * plus ourselves. It answers find_before_n, fetch and store replies (the
 * peers worth naming, with the addresses worth passing on) and tells the
 * service which peers it knows nearest to a key.
 */
import { equalPositions, nearestPositioned, peerPosition } from '../keyspace.ts'
import { MAX_ADDRS_PER_PEER, SELF_ADDRS_TTL_MS } from '../constants.ts'
import type { PeerTable } from './peer-table.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { NearestPeers } from '../rpc/handlers/nearest-peers.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface NeighbourhoodInit {
  selfId: PeerId
  table: PeerTable
  /** Our own addresses as others should dial them. */
  selfAddrs(): Multiaddr[]
  /** False for a client: it is nobody's replica, not even in its own view. @default always true */
  serving?(): boolean
  /** Which addresses of a peer are worth passing on (drops private ones on the public internet). */
  filterAddrs(addrs: Multiaddr[]): Multiaddr[]
}

export class Neighbourhood implements NearestPeers {
  readonly selfId: PeerId
  readonly self: Uint8Array
  private readonly table: PeerTable
  private readonly init: NeighbourhoodInit
  private selfCache?: { at: number, peer: FoundPeer }

  constructor (init: NeighbourhoodInit) {
    this.init = init
    this.selfId = init.selfId
    this.table = init.table
    this.self = peerPosition(init.selfId)
  }

  /**
   * Ourselves as a found peer. Our addresses change rarely and asking for them
   * costs system calls, so they are read at most once a second, not per reply.
   */
  selfPeer (): FoundPeer {
    const now = Date.now()
    if (this.selfCache == null || now - this.selfCache.at > SELF_ADDRS_TTL_MS) {
      this.selfCache = { at: now, peer: { peerId: this.selfId, position: this.self, multiaddrs: this.init.selfAddrs() } }
    }
    return this.selfCache.peer
  }

  /** The n peers nearest to `target` we know, ourselves included, never the target itself. */
  nearestPeers (target: Uint8Array, n: number): FoundPeer[] {
    const candidates: FoundPeer[] = this.table.closest(target, n + 1)
    if (this.serves()) candidates.push(this.selfPeer())
    return nearestPositioned(target, candidates.filter(p => !equalPositions(p.position, target)), n)
  }

  /** True when we are among the `n` nearest to `key` by our view. */
  among (key: Uint8Array, n: number): boolean {
    return this.nearestPeers(key, n).some(p => p.peerId.equals(this.selfId))
  }

  /** This node answers requests (a server); a client is no candidate for anything. */
  serves (): boolean {
    return this.init.serving?.() ?? true
  }

  shareNearest (target: Uint8Array, n: number): FoundPeer[] {
    return this.nearestPeers(target, n).map(peer => ({ ...peer, multiaddrs: this.init.filterAddrs(peer.multiaddrs).slice(0, MAX_ADDRS_PER_PEER) }))
  }
}
