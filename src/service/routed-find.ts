/**
 * Routed finds (protocols/rpc.md, "Routed find"; rpc/handlers/find-routed.ts
 * serves them): what passing one on needs of this node (its open
 * connections, its table, FIND_BEFORE_N with noDial), and the join's first
 * step, one routed find of our own position through a peer we are connected
 * to, whose answer names our neighbours so the join dials them all at once.
 */
import { distanceBand, nearestPositioned, peerPosition } from '../keyspace.ts'
import type { FindRouter } from '../rpc/handlers/find-routed.ts'
import type { PeerRpc, RoutedFindAnswer } from '../rpc/peer-rpc.ts'
import type { OpenConnections } from './forwarded-read.ts'
import type { PeerTable } from './peer-table.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { Settings } from './options.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { PeerId } from '@libp2p/interface'

/** How many hops the join's routed find may take (a network of a million nodes needs about log2(10^6 / 20) ≈ 16 bands; each hop at least halves the distance, most close in several bands). */
export const JOIN_ROUTE_HOPS = 8

/** What serving routed finds needs (rpc/handlers/find-routed.ts); none without a view of the open connections. */
export function findRouter (selfId: PeerId, s: Pick<Settings, 'requestTimeout' | 'bucketSize'>, rpc: PeerRpc, table: PeerTable, connections: OpenConnections | undefined): FindRouter | undefined {
  if (connections == null || rpc.findRouted == null) return undefined
  const findRouted = rpc.findRouted.bind(rpc)
  return {
    selfId,
    // a quarter of a request timeout: the requester's own deadline outlasts our wait for the next hop
    hopTimeoutMs: Math.floor(s.requestTimeout / 4),
    isOpen: peer => connections.isOpen(peer),
    mayKnowMore: target => (table.bands().get(distanceBand(table.self, target))?.length ?? 0) >= s.bucketSize,
    find: async (peer, target, n, route, signal, timeout) => await findRouted(peer, target, n, route, { signal, timeout, noDial: true })
  }
}

/** The join's routed find: the peer asked, and its answer. */
export interface RoutedSelfFind { asked: FoundPeer, answer: RoutedFindAnswer }

/**
 * The join's routed find of `self`, through the peer we are connected to
 * nearest to it (or the table's nearest member when no connection is listed); undefined when we are connected to nobody or it fails (the
 * self lookup then starts as before). The peers named are kept as heard of
 * (a lookup starts from them and so verifies them); the peer asked joins the
 * table as any that answers does.
 */
export async function routedSelfFind (init: { requests: PeerRequests, table: PeerTable, connectedPeers: () => PeerId[] }, self: Uint8Array, n: number, signal: AbortSignal): Promise<RoutedSelfFind | undefined> {
  const { requests, table } = init
  const connected = init.connectedPeers().map(peerId => ({ peerId, multiaddrs: [], position: peerPosition(peerId) }))
  // no connection listed (the in-memory network lists none): the nearest member of the table, as a lookup starts
  const members: FoundPeer[] = table.closest(self, 1)
  const asked = nearestPositioned(self, connected.length > 0 ? connected : members, 1)[0]
  if (asked == null) return undefined
  try {
    const answer = await requests.ask(asked, { signal }, async (client, options) => {
      if (client.findRouted == null) throw new Error('this client sends no routed find')
      return await client.findRouted(asked, self, n, JOIN_ROUTE_HOPS, options)
    })
    table.hearOf(answer.peers)
    return { asked, answer }
  } catch {
    signal.throwIfAborted()
    return undefined
  }
}
