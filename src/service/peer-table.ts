/**
 * The toyrrent peers this node knows, in Kademlia buckets by distance band
 * from our own position: at most `bucketSize` peers per band, oldest kept
 * (long-lived peers tend to stay), so the table stays small on a large
 * network while the sparse bands near us hold every peer there is.
 */
import { compareDistance, distanceBand, peerPosition } from '../keyspace.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface PeerEntry {
  peerId: PeerId
  position: Uint8Array
  multiaddrs: Multiaddr[]
  /** Unix ms this peer last answered or connected. */
  lastSeen: number
}

export const DEFAULT_BUCKET_SIZE = 20

export class PeerTable {
  readonly self: Uint8Array
  private readonly bucketSize: number
  private readonly buckets = new Map<number, Map<string, PeerEntry>>()
  /** Changes whenever a peer joins or leaves the table (placement caches on it). */
  version = 0

  constructor (selfId: PeerId, bucketSize = DEFAULT_BUCKET_SIZE) {
    this.self = peerPosition(selfId)
    this.bucketSize = bucketSize
  }

  get size (): number {
    let n = 0
    for (const bucket of this.buckets.values()) n += bucket.size
    return n
  }

  /**
   * Add or refresh a peer. Returns false when its bucket is full of other
   * peers (Kademlia keeps the old ones), or when it is ourselves.
   */
  add (peerId: PeerId, multiaddrs: Multiaddr[], position = peerPosition(peerId)): boolean {
    const band = distanceBand(this.self, position)
    if (band < 0) return false
    let bucket = this.buckets.get(band)
    if (bucket == null) {
      bucket = new Map()
      this.buckets.set(band, bucket)
    }
    const key = peerId.toString()
    const existing = bucket.get(key)
    if (existing != null) {
      existing.lastSeen = Date.now()
      if (multiaddrs.length > 0) existing.multiaddrs = multiaddrs
      return true
    }
    if (bucket.size >= this.bucketSize) return false
    bucket.set(key, { peerId, position, multiaddrs, lastSeen: Date.now() })
    this.version++
    return true
  }

  remove (peerId: PeerId): void {
    const band = distanceBand(this.self, peerPosition(peerId))
    if (this.buckets.get(band)?.delete(peerId.toString()) === true) this.version++
  }

  get (peerId: PeerId): PeerEntry | undefined {
    return this.buckets.get(distanceBand(this.self, peerPosition(peerId)))?.get(peerId.toString())
  }

  /** The `count` known peers nearest to `target`, nearest first. */
  closest (target: Uint8Array, count: number): PeerEntry[] {
    const all = this.all()
    all.sort((a, b) => compareDistance(target, a.position, b.position))
    return all.slice(0, count)
  }

  all (): PeerEntry[] {
    const out: PeerEntry[] = []
    for (const bucket of this.buckets.values()) out.push(...bucket.values())
    return out
  }

  /** Peers per distance band, for the console and the band test. */
  bands (): Map<number, PeerEntry[]> {
    const out = new Map<number, PeerEntry[]>()
    for (const [band, bucket] of this.buckets) if (bucket.size > 0) out.set(band, [...bucket.values()])
    return out
  }
}
