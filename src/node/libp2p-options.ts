/**
 * The libp2p configuration createToyrrentNode starts: TCP and QUIC (QUIC off
 * with a swarm key), the relay transport, Noise, Yamux, identify, ping,
 * AutoNAT v2, UPnP behind a NAT, the relay service, DCUtR, the reachability
 * watcher and the toyrrent service.
 */
import { tcp } from '@libp2p/tcp'
import { quic } from '@chainsafe/libp2p-quic'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { toyrrentYamux } from './yamux-window.ts'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { peerIdFromString } from '@libp2p/peer-id'
import { reachabilityWatcher } from '../reachability/watcher.ts'
import { WalkPacer } from '../reachability/walk-pacer.ts'
import { offeredAddrs, quicFirstSorter } from '../service/addresses.ts'
import { Toyrrent } from '../service/toyrrent.ts'
import { InvalidInputError } from '../errors.ts'
import { quietLogger } from '../quiet-logger.ts'
import { wantsUpnp } from './optional-modules.ts'
import { ownPeerRecord } from './own-peer-record.ts'
import type { OwnPeerRecord } from './own-peer-record.ts'
import { toyrrentNoise } from './noise.ts'
import { identifyPolicy } from './identify-policy.ts'
import { pushPolicy } from './push-policy.ts'
import { connectionTrim } from './connection-trim.ts'
import type { ConnectionTrim } from './connection-trim.ts'
import type { IdentifyPolicy } from './identify-policy.ts'
import type { PushPolicy } from './push-policy.ts'
import { CONNECTION_PING_INTERVAL_MS, CONNECTION_PING_MIN_TIMEOUT_MS, DEFAULT_INBOUND_CONNECTION_THRESHOLD, MAX_STREAM_WINDOW_BYTES } from '../constants.ts'
import type { NodePlan } from './plan.ts'
import type { OptionalModules } from './optional-modules.ts'
import type { ToyrrentNodeOptions } from './types.ts'
import type { ReachabilityWatcher } from '../reachability/watcher.ts'
import type { ToyrrentComponents } from '../service/toyrrent.ts'
import type { ConnectionGater, PeerId, PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import type { Identify, IdentifyPush } from '@libp2p/identify'
import type { Datastore } from 'interface-datastore'
import type { Registry } from 'prom-client'

/**
 * libp2p's connection monitor pings every connection from both ends (a new
 * stream, a protocol negotiation, a peer-store merge at each end and 32 bytes
 * each way: ~2 ms of CPU for both ends). Its default of every 10 s cost a
 * 50-node network in one process 0.3 s of CPU per second while idle (412
 * against 101 ms/s with no pings); once a minute still cost a 100-node
 * network 0.12-0.27 s/s and a 200-node one (~60 connections per node) about
 * a third of a core. toyrrent's own requests show a peer is alive and Yamux's
 * keep-alive (a frame each way every 30 s) holds NAT mappings, so this ping
 * only finds connections that died silently, once every 5 minutes, and
 * closes one only after a generous silence.
 */
export const CONNECTION_MONITOR = { pingInterval: CONNECTION_PING_INTERVAL_MS, pingTimeout: { minTimeout: CONNECTION_PING_MIN_TIMEOUT_MS } }

/** Reservations a relay grants at most. */
const MAX_RELAY_RESERVATIONS = 64

export interface ToyrrentServices extends Record<string, unknown> {
  toyrrent: Toyrrent
  identify: Identify
  identifyPush: IdentifyPush
  ping: unknown
  reachability: ReachabilityWatcher
  identifyPolicy: IdentifyPolicy
  pushPolicy: PushPolicy
  connectionTrim: ConnectionTrim
  ownPeerRecord: OwnPeerRecord
}

export interface Libp2pParts {
  datastore: Datastore
  privateKey?: PrivateKey
  registry?: Registry
  /** The routing table is empty (or the node not yet made): libp2p's random walk waits meanwhile. */
  tableEmpty(): boolean
  /** UPnP, mDNS and the swarm-key protector, loaded only when the options use them (optional-modules.ts). */
  optional?: OptionalModules
}

export function libp2pOptions (options: ToyrrentNodeOptions, plan: NodePlan, parts: Libp2pParts): Libp2pOptions<ToyrrentServices> {
  const gater = options.allow == null ? undefined : allowlistGater(options.allow)
  return {
    privateKey: parts.privateKey,
    datastore: parts.datastore,
    logger: quietLogger(),
    addresses: { listen: plan.listen, appendAnnounce: plan.announce, announceFilter: offeredAddrs },
    connectionManager: {
      inboundConnectionThreshold: options.inboundConnectionThreshold ?? DEFAULT_INBOUND_CONNECTION_THRESHOLD,
      maxIncomingPendingConnections: 64,
      addressSorter: quicFirstSorter
    },
    connectionMonitor: CONNECTION_MONITOR,
    transports: [tcp(), ...(plan.useQuic ? [quic()] : []), circuitRelayTransport()],
    ...(plan.psk == null ? {} : { connectionProtector: needed(parts.optional?.preSharedKey, 'pnet')({ psk: plan.psk }) }),
    ...(gater == null ? {} : { connectionGater: gater }),
    ...(parts.registry == null ? {} : { metrics: prometheusMetrics({ registry: parts.registry }) }),
    peerDiscovery: options.mdns === true ? [needed(parts.optional?.mdns, 'mdns')({ serviceTag: options.mdnsServiceTag ?? 'toyrrent' })] : [],
    // Noise with node's key objects kept and our static-key signature remembered (noise.ts)
    connectionEncrypters: [toyrrentNoise()],
    // a stream's receive window caps what a peer can push at us unread (yamux's default grows to 16 MiB)
    streamMuxers: [toyrrentYamux({ streamOptions: { maxStreamWindowSize: MAX_STREAM_WINDOW_BYTES } })],
    services: services(options, plan, parts)
  }
}

function services (options: ToyrrentNodeOptions, plan: NodePlan, parts: Libp2pParts): Libp2pOptions<ToyrrentServices>['services'] {
  const { modes } = plan
  return {
    // run by identifyPolicy below, which skips the dialler's identify of the RPC's own dials on a node off the internet
    identify: identify({ runOnConnectionOpen: false }),
    identifyPolicy: identifyPolicy(modes),
    // our signed peer record, stored so identify does not sign one per connection
    ownPeerRecord: ownPeerRecord(),
    // tells connected peers at once when we start or stop answering the RPC protocol (server <-> client)
    // pushed by pushPolicy below only when our addresses or protocols change, not on every change of our peer-store entry
    identifyPush: identifyPush({ runOnSelfUpdate: false }),
    pushPolicy: pushPolicy(),
    ping: ping(),
    // confirms (by dial-backs from peers) which of our addresses are reachable from elsewhere
    autoNAT: autoNATv2(),
    ...(wantsUpnp(options, plan) ? { upnp: needed(parts.optional?.upnp, 'upnp-nat')() } : {}),
    ...(options.relayService === false ? {} : { relay: circuitRelayServer({ reservations: { maxReservations: MAX_RELAY_RESERVATIONS } }) }),
    // upgrades a relayed connection to a direct one by synchronised dials (hole punching)
    dcutr: dcutr(),
    reachability: reachabilityWatcher(modes),
    // keeps libp2p's random walk (relay discovery, AutoNAT) from spinning while our table is empty
    walkPacer: () => new WalkPacer(parts.tableEmpty),
    // joins by itself on its first peers; bootstrap and rejoin wait for that join
    toyrrent: (components: ToyrrentComponents) => new Toyrrent(components, { ...options, serve: modes.mode === 'server', allowPrivateAddresses: options.allowPrivateAddresses ?? plan.lan }),
    // after toyrrent, whose routing table says which connections to keep: at most maxConnections stay open
    connectionTrim: connectionTrim({ maxConnections: options.maxConnections, graceMs: options.connectionGraceMs })
  }
}

/** A module loadOptionalModules should have loaded for these options. */
function needed<T> (module: T | undefined, name: string): T {
  if (module == null) throw new Error(`@libp2p/${name} was not loaded (loadOptionalModules)`)
  return module
}

/** A connection gater that lets only the listed peers in or out. */
export function allowlistGater (allow: string[]): ConnectionGater {
  const allowed = new Set(allow.map(text => {
    try {
      return peerIdFromString(text).toString()
    } catch (err: any) {
      throw new InvalidInputError(`--allow "${text}" is not a peer id: ${err.message}`)
    }
  }))
  const deny = (peerId: PeerId): boolean => !allowed.has(peerId.toString())
  return {
    denyDialPeer: deny,
    denyInboundEncryptedConnection: deny,
    denyOutboundEncryptedConnection: deny
  }
}
