/**
 * Where items belong, by this node's view: the replica set of a key is the R
 * nearest among the peers in our table and ourselves. Our table is complete
 * near our own position (the sparse bands hold every peer there is), which is
 * where the keys we hold live, so the view is right where it matters.
 */
import { compareDistance } from '../keyspace.ts'
import type { PeerTable, PeerEntry } from './peer-table.ts'
import type { FoundPeer } from './types.ts'
import type { ItemMeta, ItemStore } from '../store/item-store.ts'

/** A held item and the ids of its replica set by our view, nearest first. */
export interface Assignment {
  meta: ItemMeta
  replicaSet: string[]
}

export class Placement {
  private readonly table: PeerTable
  private readonly store: ItemStore
  private readonly selfPeer: () => FoundPeer
  readonly replicas: number
  private cached?: { tableVersion: number, storeVersion: number, assignments: Assignment[] }

  constructor (table: PeerTable, store: ItemStore, selfPeer: () => FoundPeer, replicas: number) {
    this.table = table
    this.store = store
    this.selfPeer = selfPeer
    this.replicas = replicas
  }

  /**
   * The replica set of every held item, recomputed only when the table or the
   * store changed: repair rounds and digest requests on a quiet network cost
   * no placement work at all.
   */
  assignments (): Assignment[] {
    const { version: tableVersion } = this.table
    const { version: storeVersion } = this.store
    if (this.cached?.tableVersion === tableVersion && this.cached.storeVersion === storeVersion) return this.cached.assignments
    const view = this.snapshot()
    const assignments = [...this.store.metas()].map(meta => ({ meta, replicaSet: view.replicaSet(meta.key).map(p => p.peerId.toString()) }))
    this.cached = { tableVersion, storeVersion, assignments }
    return assignments
  }

  /**
   * A snapshot of the candidates for one pass over many keys, so the table is
   * read once, not once per key.
   */
  snapshot (exclude?: string): PlacementView {
    const self = this.selfPeer()
    const peers: FoundPeer[] = this.table.all().filter((p: PeerEntry) => p.peerId.toString() !== exclude)
    if (exclude !== self.peerId.toString()) peers.push(self)
    return new PlacementView(peers, this.replicas, self.peerId.toString())
  }
}

export class PlacementView {
  private readonly peers: FoundPeer[]
  private readonly replicas: number
  private readonly selfKey: string

  constructor (peers: FoundPeer[], replicas: number, selfKey: string) {
    this.peers = peers
    this.replicas = replicas
    this.selfKey = selfKey
  }

  /** The R nearest to `key`, nearest first: one pass keeping the best R. */
  replicaSet (key: Uint8Array): FoundPeer[] {
    const best: FoundPeer[] = []
    for (const peer of this.peers) {
      if (best.length === this.replicas && compareDistance(key, peer.position, best[best.length - 1].position) >= 0) continue
      let i = best.length
      while (i > 0 && compareDistance(key, peer.position, best[i - 1].position) < 0) i--
      best.splice(i, 0, peer)
      if (best.length > this.replicas) best.pop()
    }
    return best
  }

  /** True when this node is among the R nearest to `key`. */
  responsible (key: Uint8Array): boolean {
    return this.replicaSet(key).some(p => p.peerId.toString() === this.selfKey)
  }
}
