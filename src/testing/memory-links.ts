/**
 * Who is connected to whom on the in-memory network, and the partition:
 * two nodes "connect" once (both hear onConnect through their registrar's
 * topologies, as when libp2p connects them); a partition cuts the pairs
 * across it and keeps nodes of different groups apart until healed.
 */
import type { Member } from './memory-member.ts'
import type { Connection } from '@libp2p/interface'

export class MemoryLinks {
  /** Nodes that have "connected" (both heard onConnect): peer id → the peers it is connected to. */
  private readonly connected = new Map<string, Set<string>>()
  private groups?: Map<string, number>

  /** Both sides hear of the other through their registrar's topologies, once per pair, as when libp2p connects them. */
  connect (a: Member, b: Member): void {
    if (a === b) return
    const ka = a.peerId.toString()
    const kb = b.peerId.toString()
    if (this.connected.get(ka)?.has(kb) === true) return
    this.opened++
    for (const [x, y] of [[ka, kb], [kb, ka]]) {
      let peers = this.connected.get(x)
      if (peers == null) this.connected.set(x, peers = new Set())
      peers.add(y)
    }
    for (const [self, other] of [[a, b], [b, a]]) {
      for (const { topology } of self.topologies.values()) {
        // onConnect never sees a real connection here; toyrrent reads only the peer id
        void Promise.resolve(topology.onConnect?.(other.peerId, { remotePeer: other.peerId } as unknown as Connection)).catch(() => {})
      }
    }
  }

  /** How many pairs have connected (a pair that disconnected and connects again counts again). */
  opened = 0

  isLinked (a: string, b: string): boolean {
    return this.connected.get(a)?.has(b) === true
  }

  /** Close the "connection" between two nodes (no topology hears of it, as when libp2p prunes an idle connection and the table keeps the peer). */
  disconnectPair (a: string, b: string): void {
    this.connected.get(a)?.delete(b)
    this.connected.get(b)?.delete(a)
  }

  disconnect (member: Member): void {
    const key = member.peerId.toString()
    for (const other of this.connected.get(key) ?? []) this.connected.get(other)?.delete(key)
    this.connected.delete(key)
  }

  /** Only peers (id strings) in the same group reach each other; those not named form one more group. */
  partition (groups: string[][]): void {
    const byPeer = this.groups = new Map()
    groups.forEach((group, index) => { for (const peer of group) byPeer.set(peer, index) })
    for (const [a, peers] of this.connected) {
      for (const b of [...peers]) if (!this.sameSide(a, b)) peers.delete(b)
    }
  }

  heal (): void {
    this.groups = undefined
  }

  sameSide (a: string, b: string): boolean {
    return this.group(a) === this.group(b)
  }

  private group (peer: string): number {
    return this.groups?.get(peer) ?? -1
  }
}
