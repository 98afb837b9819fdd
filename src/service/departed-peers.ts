/**
 * Peers that announced their graceful leave (LEAVE, protocols/rpc.md): for a
 * while they enter neither the routing table nor a lookup, whoever names
 * them — identify on the connection still open to the leaver, a late answer
 * of the leaver itself, or another node's answer (a `closer` list of a node
 * that did not hear the notice). A mark ends after DEPARTED_MEMORY_MS, or as
 * soon as the peer completes identify on a connection that was not open when
 * it announced its leave (a restart with the same key comes back at once).
 * Bounded: at most DEPARTED_MAX marks, the oldest dropped first.
 */
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { PeerId } from '@libp2p/interface'

/** How long a leave is remembered: long enough for the nodes that did not hear it to drop the leaver (their first request to it is refused). */
export const DEPARTED_MEMORY_MS = 10 * 60_000
/** Most leaves remembered at once (a mass departure keeps the newest). */
export const DEPARTED_MAX = 4096

interface Mark {
  /** Unix ms the mark ends. */
  until: number
  /** Ids of the connections to the peer that were open when it announced its leave. */
  oldConnections: Set<string>
}

export class DepartedPeers {
  private readonly marks = new Map<string, Mark>()
  private readonly clock: Clock
  private readonly memoryMs: number
  private readonly max: number

  constructor (clock: Clock = systemClock, memoryMs = DEPARTED_MEMORY_MS, max = DEPARTED_MAX) {
    this.clock = clock
    this.memoryMs = memoryMs
    this.max = max
  }

  /** `peer` announced its leave; `openConnections` are the ids of our connections to it now. */
  mark (peer: PeerId, openConnections: string[]): void {
    const key = peer.toString()
    // re-inserted so the map stays oldest first
    this.marks.delete(key)
    this.marks.set(key, { until: this.clock.now() + this.memoryMs, oldConnections: new Set(openConnections) })
    while (this.marks.size > this.max) this.marks.delete(this.marks.keys().next().value!)
  }

  /** Is `peer` a leaver we still keep out? */
  has (peer: PeerId): boolean {
    // asked for every peer of every answer: nothing to look up in the usual case
    if (this.marks.size === 0) return false
    const key = peer.toString()
    const mark = this.marks.get(key)
    if (mark == null) return false
    if (mark.until > this.clock.now()) return true
    this.marks.delete(key)
    return false
  }

  /**
   * `peer` completed identify on a connection (its id, when there is one):
   * a connection that was not open at its leave is the peer back (restarted,
   * or never gone), and ends the mark. Returns whether the peer stays out.
   */
  connected (peer: PeerId, connectionId?: string): boolean {
    if (!this.has(peer)) return false
    if (connectionId == null || this.marks.get(peer.toString())!.oldConnections.has(connectionId)) return true
    this.marks.delete(peer.toString())
    return false
  }

  get size (): number { return this.marks.size }

  /** The peers kept out now (expired marks are left out). */
  list (): string[] {
    const now = this.clock.now()
    return [...this.marks].filter(([, mark]) => mark.until > now).map(([peer]) => peer)
  }
}
