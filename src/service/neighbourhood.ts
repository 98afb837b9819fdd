/**
 * What this node knows of the key space around any position: the peer table
 * plus ourselves. It answers find_before_n, fetch and store replies (the
 * peers worth naming, with the addresses worth passing on) and tells the
 * service which peers it knows nearest to a key.
 */
import { equalPositions, nearestPositioned, peerPosition } from '../keyspace.ts'
import { MAX_ADDRS_PER_PEER, SELF_ADDRS_TTL_MS } from '../constants.ts'
import { distanceFraction, tableSizeEstimate } from './size-estimate.ts'
import type { PeerTable } from './peer-table.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { NearestPeers } from '../rpc/handlers/nearest-peers.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * How much farther than expected the n-th nearest peer we know of a key may
 * be before our view of its neighbourhood is taken to miss peers there. The
 * n-th nearest of a random network is about Gamma(n)-distributed
 * (size-estimate.ts): at n = 3 it is over 4 times its mean once in about
 * 2,000 keys, so a complete view is hardly ever doubted. Measured on the
 * bench's networks (400 random keys each): at 200 nodes (tables of 52 of
 * 199) 257 of the 342 views that missed the replica set were doubted and no
 * right one; at 50 nodes 9 % of views were doubted (2 × instead of 4 ×: 24 %,
 * and a forwarded resolve there costs more CPU than the direct one it
 * replaces).
 */
export const VIEW_SLACK = 4

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
  /** The network size estimate, kept while the table's membership is unchanged. */
  private sizeCache?: { version: number, size: number }

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

  /**
   * Our view of the `n` nearest to `key` may miss some of them: the n-th
   * nearest we know is more than VIEW_SLACK times as far from it as the n-th
   * nearest of a network of the size we estimate would be (n / size, as a
   * fraction of the key space). A node knows its own neighbourhood whole; a
   * table of 53 of 199 knows the replica set of a far key in one case of eight.
   * `position` may be given instead of our own n-th nearest (a write's
   * acknowledgers).
   */
  mayMiss (key: Uint8Array, n: number, position?: Uint8Array): boolean {
    if (position == null) {
      const nearest = this.nearestPeers(key, n)
      // fewer peers than that: the network is as small as we know it
      if (nearest.length < n) return false
      position = nearest[n - 1].position
    }
    return distanceFraction(key, position) > VIEW_SLACK * n / this.networkSize()
  }

  /** The network size estimate (size-estimate.ts) from our table, recomputed when its members change. */
  networkSize (): number {
    if (this.sizeCache?.version !== this.table.version) this.sizeCache = { version: this.table.version, size: tableSizeEstimate(this.table).estimate }
    return this.sizeCache.size
  }

  /** This node answers requests (a server); a client is no candidate for anything. */
  serves (): boolean {
    return this.init.serving?.() ?? true
  }

  shareNearest (target: Uint8Array, n: number): FoundPeer[] {
    return this.nearestPeers(target, n).map(peer => ({ ...peer, multiaddrs: this.init.filterAddrs(peer.multiaddrs).slice(0, MAX_ADDRS_PER_PEER) }))
  }
}
