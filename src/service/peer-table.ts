/**
 * The toyrrent peers this node knows, in Kademlia buckets by distance band
 * from our own position: at most `bucketSize` peers per band, oldest kept
 * (long-lived peers tend to stay), so the table stays small on a large
 * network while the sparse bands near us hold every peer there is.
 *
 * A peer is a contact, not a connection: it stays while connections come and
 * go (the connection manager may close idle ones) and leaves only when asking
 * it fails. Peers met while their band is full wait in a replacement list
 * and step in, most recently seen first, when a member leaves.
 *
 * Peers only named by others (in find_before_n answers) are "heard of", not
 * members: kept apart, at most `bucketSize` per band and never more than a
 * band has room for, they are never counted, listed or chosen as replicas
 * (placement, repair and acceptor sets see members only; a write's first
 * view includes them, as it includes peers a store answer names: the STORE
 * is their first contact and only an answer acknowledges). A lookup
 * may start from them (it asks them, so they are verified on first use): one
 * that answers becomes a member (add()), one that fails to answer, even by a
 * timeout, is forgotten at once.
 */
import { distanceBand, nearestPositioned, peerPosition } from '../keyspace.ts'
import { DEFAULT_BUCKET_SIZE, MAX_TIMEOUTS } from '../constants.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'

export interface PeerEntry {
  peerId: PeerId
  position: Uint8Array
  multiaddrs: Multiaddr[]
  /** Unix ms this peer last answered or connected. */
  lastSeen: number
  /** Requests that timed out since it last answered (counted ones only: see failed()). */
  timeouts: number
  /** Unix ms of the last timeout that counted: requests sent before it overlapped it and count no more. */
  countedTimeoutAt?: number
}

export class PeerTable {
  readonly self: Uint8Array
  private readonly bucketSize: number
  private readonly buckets = new Map<number, Map<string, PeerEntry>>()
  /** Per band: peers seen while it was full, oldest first, at most bucketSize. */
  private readonly replacements = new Map<number, Map<string, PeerEntry>>()
  /** Per band: peers named by others and not yet asked (see above), first heard first, at most bucketSize. */
  private readonly heardOf = new Map<number, Map<string, PeerEntry>>()
  /** Changes whenever a peer joins or leaves the table (placement caches on it). */
  version = 0

  private readonly clock: Clock

  constructor (selfId: PeerId, bucketSize = DEFAULT_BUCKET_SIZE, clock: Clock = systemClock) {
    this.clock = clock
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
   * peers (Kademlia keeps the old ones; the new one waits as a replacement),
   * or when it is ourselves.
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
    this.heardOf.get(band)?.delete(key)
    const existing = bucket.get(key)
    if (existing != null) {
      existing.lastSeen = this.clock.now()
      existing.timeouts = 0
      if (multiaddrs.length > 0) existing.multiaddrs = ownAddresses(peerId, multiaddrs)
      return true
    }
    const entry = { peerId, position, multiaddrs: ownAddresses(peerId, multiaddrs), lastSeen: this.clock.now(), timeouts: 0 }
    if (bucket.size >= this.bucketSize) {
      this.remember(band, key, entry)
      return false
    }
    bucket.set(key, entry)
    this.version++
    return true
  }

  /**
   * Asking a peer got no answer: a refused connection or a broken stream
   * removes it at once, a timeout only the MAX_TIMEOUTS-th in a row. Never
   * called for an answer, whatever it said (PeerRequests' rule). Returns
   * whether it left.
   *
   * A timeout of a request sent at `sentAt` (Unix ms) counts only when the
   * peer stayed silent for all of it: nothing heard from it since (an answer
   * to another request, or this one's late), and not sent before the last
   * timeout that counted (a burst of requests queued behind one slow peer is
   * one silence, not many). A peer that is slow because it was sent too much
   * keeps answering something and stays; one that is gone only ever times out.
   */
  failed (peerId: PeerId, timedOut: boolean, sentAt?: number): boolean {
    const entry = this.get(peerId)
    // a peer we only heard of gets no second chance: its first contact failed
    if (entry == null) return this.heardOf.get(distanceBand(this.self, peerPosition(peerId)))?.delete(peerId.toString()) === true
    if (timedOut) {
      if (sentAt != null && (entry.lastSeen > sentAt || (entry.countedTimeoutAt != null && sentAt < entry.countedTimeoutAt))) return false
      entry.countedTimeoutAt = this.clock.now()
      if (++entry.timeouts < MAX_TIMEOUTS) return false
    }
    this.remove(peerId)
    return true
  }

  /** A sign of life from a peer we hold (a refusal, a late answer): its timeouts start over. */
  heard (peerId: PeerId): void {
    const entry = this.get(peerId)
    if (entry == null) return
    entry.lastSeen = this.clock.now()
    entry.timeouts = 0
  }

  /** A peer that failed leaves; the most recently seen replacement of its band takes its place. */
  remove (peerId: PeerId): void {
    const band = distanceBand(this.self, peerPosition(peerId))
    const key = peerId.toString()
    const waiting = this.replacements.get(band)
    waiting?.delete(key)
    this.heardOf.get(band)?.delete(key)
    const bucket = this.buckets.get(band)
    if (bucket?.delete(key) !== true) return
    this.version++
    if (waiting == null || waiting.size === 0) return
    const newest = [...waiting.keys()].at(-1)!
    bucket.set(newest, waiting.get(newest)!)
    waiting.delete(newest)
  }

  /**
   * Per band with newcomers waiting: the member seen longest ago, if that was
   * before `seenBefore` (Unix ms). Kademlia asks such a member whether it is
   * still there before a newcomer may take its place.
   */
  stalestWithReplacements (seenBefore: number): PeerEntry[] {
    const out: PeerEntry[] = []
    for (const [band, waiting] of this.replacements) {
      if (waiting.size === 0) continue
      let stalest: PeerEntry | undefined
      for (const entry of this.buckets.get(band)?.values() ?? []) {
        if (stalest == null || entry.lastSeen < stalest.lastSeen) stalest = entry
      }
      if (stalest != null && stalest.lastSeen < seenBefore) out.push(stalest)
    }
    return out
  }

  /**
   * Peers another peer named (in its find_before_n answer): kept as heard of
   * (see the class comment) where their band has room beside its members,
   * at most `perAnswer` of one answer. Returns how many were new.
   */
  hearOf (peers: Array<{ peerId: PeerId, multiaddrs: Multiaddr[], position: Uint8Array }>, perAnswer = this.bucketSize): number {
    let added = 0
    for (const peer of peers.slice(0, perAnswer)) {
      const band = distanceBand(this.self, peer.position)
      if (band < 0) continue
      const key = peer.peerId.toString()
      const members = this.buckets.get(band)
      if (members?.has(key) === true || this.replacements.get(band)?.has(key) === true) continue
      let heard = this.heardOf.get(band)
      if (heard == null) this.heardOf.set(band, heard = new Map())
      if (heard.has(key) || heard.size + (members?.size ?? 0) >= this.bucketSize) continue
      heard.set(key, { peerId: peer.peerId, position: peer.position, multiaddrs: ownAddresses(peer.peerId, peer.multiaddrs), lastSeen: 0, timeouts: 0 })
      added++
    }
    return added
  }

  /** The peers heard of in one band, first heard first. */
  heardOfIn (band: number): PeerEntry[] {
    return [...this.heardOf.get(band)?.values() ?? []]
  }

  /** Peers heard of and not yet asked. */
  get unverified (): number {
    let n = 0
    for (const list of this.heardOf.values()) n += list.size
    return n
  }

  /** Whether `peerId` is only heard of (named by another peer, never asked). */
  isUnverified (peerId: PeerId): boolean {
    return this.heardOf.get(distanceBand(this.self, peerPosition(peerId)))?.has(peerId.toString()) === true
  }

  /**
   * Where a lookup starts: the `count` nearest members and peers heard of
   * together (the lookup asks them, which verifies them), but never fewer
   * than `count` members while the table has them, so a junk answer cannot
   * push every member out of a lookup's start.
   */
  closestForLookup (target: Uint8Array, count: number): PeerEntry[] {
    const members = this.closest(target, count)
    if (this.heardOf.size === 0) return members
    const heard: PeerEntry[] = []
    for (const list of this.heardOf.values()) heard.push(...list.values())
    return nearestPositioned(target, [...members, ...nearestPositioned(target, heard, count)], count * 2)
  }

  /** Members and peers heard of per band (the join's band filling: a band heard of is not asked about again). */
  bandsKnown (): Map<number, number> {
    const out = new Map<number, number>()
    for (const [band, bucket] of this.buckets) if (bucket.size > 0) out.set(band, bucket.size)
    for (const [band, heard] of this.heardOf) if (heard.size > 0) out.set(band, (out.get(band) ?? 0) + heard.size)
    return out
  }

  /** Peers waiting for a place in a full band. */
  get waiting (): number {
    let n = 0
    for (const list of this.replacements.values()) n += list.size
    return n
  }

  private remember (band: number, key: string, entry: PeerEntry): void {
    let waiting = this.replacements.get(band)
    if (waiting == null) {
      waiting = new Map()
      this.replacements.set(band, waiting)
    }
    // re-inserted so the order stays oldest-seen first
    waiting.delete(key)
    waiting.set(key, entry)
    if (waiting.size > this.bucketSize) waiting.delete(waiting.keys().next().value!)
  }

  get (peerId: PeerId): PeerEntry | undefined {
    return this.buckets.get(distanceBand(this.self, peerPosition(peerId)))?.get(peerId.toString())
  }

  /** The `count` known peers nearest to `target`, nearest first. */
  closest (target: Uint8Array, count: number): PeerEntry[] {
    return nearestPositioned(target, this.all(), count)
  }

  /**
   * The `count` peers nearest to `target` among members and the newcomers
   * waiting in full bands: peers seen lately that Kademlia's k per band keeps
   * out of the table, but that may well be a key's replica set (a write tries
   * them; one that does not answer is replaced by the next nearest). Peers
   * heard of are among them too, for the same reason (the join's far bands
   * are heard of until first used): a write's STORE is their first contact.
   */
  closestWithWaiting (target: Uint8Array, count: number): PeerEntry[] {
    const waiting: PeerEntry[] = []
    for (const list of this.replacements.values()) waiting.push(...list.values())
    // and peers heard of: storing on one asks it (only its answer is an acknowledgement; silence forgets it)
    for (const list of this.heardOf.values()) waiting.push(...list.values())
    return nearestPositioned(target, [...this.all(), ...waiting], count)
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

/**
 * A peer's addresses as the table keeps (and shares) them: without a trailing
 * `/p2p/<its own id>` (a bootstrap address or a dialled one carries it, the
 * peer store's listen addresses do not), so every node names a peer's
 * address alike whichever way it learnt it.
 */
function ownAddresses (peerId: PeerId, multiaddrs: Multiaddr[]): Multiaddr[] {
  const id = peerId.toString()
  return multiaddrs.map(ma => {
    const last = ma.getComponents().at(-1)
    return last?.name === 'p2p' && last.value === id ? ma.decapsulateCode(last.code) : ma
  })
}
