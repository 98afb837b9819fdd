import type { FoundPeer } from '../../found-peer.ts'

/** What handlers need of the routing table: the peers to name as nearest to a position. */
export interface NearestPeers {
  /**
   * The n peers we know nearest to `target`, ourselves included, never the
   * target itself, nearest first, each with only the addresses worth passing on.
   */
  shareNearest(target: Uint8Array, n: number): FoundPeer[]
}
