/**
 * Where items belong, by this node's view: the replica set of a key is the R
 * nearest among the peers in our table and ourselves. Our table is complete
 * near our own position (the sparse bands hold every peer there is), which is
 * where the keys we hold live, so the view is right where it matters.
 */
import { nearestPositioned } from '../keyspace.ts'
import { compareBytes } from '../bytes.ts'
import { worthPassingOn } from '../store/item-store.ts'
import type { PeerTable, PeerEntry } from './peer-table.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ItemMeta, ItemStore } from '../store/item-store.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'

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

  private readonly clock: Clock

  constructor (table: PeerTable, store: ItemStore, selfPeer: () => FoundPeer, replicas: number, clock: Clock = systemClock) {
    this.clock = clock
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
    // one id string per peer and one array per distinct replica set (neighbouring keys share theirs), not one per item
    const ids = new Map<FoundPeer, string>()
    const sets = new Map<string, string[]>()
    const idOf = (p: FoundPeer): string => { let id = ids.get(p); if (id == null) ids.set(p, id = p.peerId.toString()); return id }
    const assignments: Assignment[] = []
    for (const meta of this.store.metas()) {
      const set = view.replicaSet(meta.key).map(idOf)
      const joined = set.join(',')
      let shared = sets.get(joined)
      if (shared == null) sets.set(joined, shared = set)
      assignments.push({ meta, replicaSet: shared })
    }
    this.cached = { tableVersion, storeVersion, assignments }
    return assignments
  }

  /** Live items after `cursor` whose replica set includes `peer`, in ascending key order (what a handoff serves it). */
  dueFor (peer: string, cursor: Uint8Array): ItemMeta[] {
    const now = this.clock.now()
    return this.assignments()
      .filter(({ meta, replicaSet }) => worthPassingOn(meta, now) && compareBytes(meta.key, cursor) > 0 && replicaSet.includes(peer))
      .map(a => a.meta)
      .sort((a, b) => compareBytes(a.key, b.key))
  }

  /**
   * A snapshot of the candidates for one pass over many keys, so the table is
   * read once, not once per key.
   */
  snapshot (exclude?: string): PlacementView {
    const self = this.selfPeer()
    const peers: FoundPeer[] = this.table.all().filter((p: PeerEntry) => p.peerId.toString() !== exclude)
    if (exclude !== self.peerId.toString()) peers.push(self)
    return new PlacementView(peers, this.replicas)
  }
}

export class PlacementView {
  private readonly peers: FoundPeer[]
  private readonly replicas: number

  constructor (peers: FoundPeer[], replicas: number) {
    this.peers = peers
    this.replicas = replicas
  }

  /** The R nearest to `key`, nearest first. */
  replicaSet (key: Uint8Array): FoundPeer[] {
    return nearestPositioned(key, this.peers, this.replicas)
  }
}
