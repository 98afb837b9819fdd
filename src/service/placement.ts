/**
 * Where items belong, by this node's view: the replica set of a key is the R
 * nearest among the peers in our table and ourselves. Our table is complete
 * near our own position (the sparse bands hold every peer there is), which is
 * where the keys we hold live, so the view is right where it matters.
 */
import { nearestPositioned, peerPosition } from '../keyspace.ts'
import { compareBytes } from '../bytes.ts'
import { worthPassingOn } from '../store/item-store.ts'
import type { PeerTable, PeerEntry } from './peer-table.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ItemMeta, ItemStore } from '../store/item-store.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { PeerId } from '@libp2p/interface'

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

  /**
   * Live items after `cursor` whose replica set includes `peer`, in ascending
   * key order (what a handoff serves it). A newcomer asks for its handoff as
   * soon as it has met us, which can be before it is in our table (we add a
   * peer that asks us once its peer-store entry is read): the view then
   * counts it in, so what it is due does not depend on that race.
   */
  dueFor (peer: PeerId, cursor: Uint8Array): ItemMeta[] {
    const now = this.clock.now()
    const id = peer.toString()
    const due = (meta: ItemMeta): boolean => worthPassingOn(meta, now) && compareBytes(meta.key, cursor) > 0
    const metas = this.table.get(peer) != null
      ? this.assignments().filter(({ meta, replicaSet }) => due(meta) && replicaSet.includes(id)).map(a => a.meta)
      : this.withPeer(peer).dueFor(id, [...this.store.metas()].filter(due))
    return metas.sort((a, b) => compareBytes(a.key, b.key))
  }

  /** Our view with one more peer in it. */
  private withPeer (peerId: PeerId): PlacementView {
    return new PlacementView([...this.snapshot().members, { peerId, multiaddrs: [], position: peerPosition(peerId) }], this.replicas)
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

  /** The peers this view places on (ourselves included, unless left out). */
  get members (): readonly FoundPeer[] { return this.peers }

  /** The R nearest to `key`, nearest first. */
  replicaSet (key: Uint8Array): FoundPeer[] {
    return nearestPositioned(key, this.peers, this.replicas)
  }

  /** Those of `metas` whose replica set includes the peer with id string `id`. */
  dueFor (id: string, metas: ItemMeta[]): ItemMeta[] {
    return metas.filter(meta => this.replicaSet(meta.key).some(p => p.peerId.toString() === id))
  }
}
