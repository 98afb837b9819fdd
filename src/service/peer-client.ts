/**
 * The asking side of a node, wired: the typed RPC client over libp2p streams
 * (or the transport a test network passes), every request to a peer under
 * PeerRequests' deadline and failure rule, and the lookups built on them.
 */
import { relayedOnly } from '../rpc/limited.ts'
import { RpcClient } from '../rpc/client.ts'
import { StreamTransport } from '../rpc/stream-transport.ts'
import { PeerRequests } from './peer-requests.ts'
import { PeerRtt } from './peer-rtt.ts'
import { Lookups } from './lookups.ts'
import type { FrameTransport } from '../rpc/client.ts'
import type { OpenConnections } from './forwarded-read.ts'
import type { PeerRpc } from '../rpc/peer-rpc.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { PeerTable } from './peer-table.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { Settings } from './options.ts'
import type { ToyrrentComponents } from './types.ts'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'

export interface PeerClientInit {
  components: ToyrrentComponents
  settings: Settings
  /** Replaces libp2p streams (the in-memory test network passes one). */
  transport?: FrameTransport
  table: PeerTable
  neighbourhood: Neighbourhood
  metrics: ToyrrentMetrics
  /** The addresses of peers' answers worth keeping. */
  filterAddrs(addrs: Multiaddr[]): Multiaddr[]
  /** Peers that announced their leave: named in answers or answering late, they still enter neither lookups nor the table. */
  departed?(peer: PeerId): boolean
}

export interface PeerClient {
  /** The typed client, bare: PeerRequests is what asks under deadlines. */
  rpc: PeerRpc
  requests: PeerRequests
  lookups: Lookups
  /** Round trips measured per peer (hedges). */
  rtt: PeerRtt
  /** Which peers have an open direct connection (forwarded reads); absent when the transport cannot tell. */
  connections?: OpenConnections
}

export function peerClient (init: PeerClientInit): PeerClient {
  const { components, settings: s, table } = init
  const transport = init.transport ?? new StreamTransport(components, s.protocol)
  const rpc: PeerRpc = new RpcClient(transport, { filterAddrs: init.filterAddrs, skipPeer: init.departed })
  const rtt = new PeerRtt()
  const requests = new PeerRequests({
    rpc,
    table,
    requestTimeout: s.requestTimeout,
    log: components.logger.forComponent('toyrrent:requests'),
    clock: s.clock,
    rtt,
    // over libp2p: a peer we reach only through a relay answers, but is no table entry; nor is one that announced its leave
    admits: peerId => init.departed?.(peerId) !== true && (init.transport != null || !relayedOnly(components.connectionManager.getConnections(peerId)))
  })
  const lookups = new Lookups({
    settings: s,
    requests,
    table,
    neighbourhood: init.neighbourhood,
    metrics: init.metrics,
    rtt,
    connectedPeers: () => components.connectionManager.getConnections().map(conn => conn.remotePeer)
  })
  const connections = transport.isOpen == null ? undefined : { isOpen: (peer: PeerId) => transport.isOpen!(peer), ...(transport.isWarm != null ? { isWarm: (peer: PeerId) => transport.isWarm!(peer) } : {}) }
  return { rpc, requests, lookups, rtt, ...(connections != null ? { connections } : {}) }
}

