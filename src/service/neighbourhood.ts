/**
 * What this node knows of the key space around any position: the peer table
 * plus ourselves, as wire PeerInfo lists for find_before_n and fetch replies,
 * and back from wire PeerInfo to peers we can dial.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { compareDistance, equalPositions, peerPosition } from '../keyspace.ts'
import type { PeerTable } from './peer-table.ts'
import type { PeerInfo } from '../rpc/pb/rpc.ts'
import type { FoundPeer } from './types.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const SELF_ADDRS_TTL_MS = 1000

/** Most addresses we pass on for one peer. */
const MAX_ADDRS_PER_PEER = 8

export interface NeighbourhoodInit {
  selfId: PeerId
  table: PeerTable
  /** Our own addresses as others should dial them. */
  selfAddrs(): Multiaddr[]
  /** Which addresses of a peer are worth passing on (drops private ones on the public internet). */
  filterAddrs(addrs: Multiaddr[]): Multiaddr[]
}

export class Neighbourhood {
  readonly selfId: PeerId
  readonly self: Uint8Array
  readonly table: PeerTable
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
    candidates.push(this.selfPeer())
    candidates.sort((a, b) => compareDistance(target, a.position, b.position))
    return candidates.filter(p => !equalPositions(p.position, target)).slice(0, n)
  }

  /** nearestPeers in wire form. */
  nearest (target: Uint8Array, n: number): PeerInfo[] {
    return this.nearestPeers(target, n).map(p => this.toWire(p))
  }

  toWire (peer: FoundPeer): PeerInfo {
    return {
      id: peer.peerId.toMultihash().bytes,
      addrs: this.init.filterAddrs(peer.multiaddrs).slice(0, MAX_ADDRS_PER_PEER).map(a => a.bytes)
    }
  }

  /** Parse a wire PeerInfo; undefined when it is malformed (a bad peer is skipped, not fatal). */
  fromWire (info: PeerInfo): FoundPeer | undefined {
    try {
      const peerId = peerIdFromMultihash(Digest.decode(info.id))
      const multiaddrs = this.init.filterAddrs(info.addrs.slice(0, MAX_ADDRS_PER_PEER).map(bytes => multiaddr(bytes)))
      return { peerId, multiaddrs, position: peerPosition(peerId) }
    } catch {
      return undefined
    }
  }
}
