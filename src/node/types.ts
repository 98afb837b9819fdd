/** The options and the handle of createToyrrentNode (src/node.ts), apart so the node's parts can name them. */
import type { IdentifyPolicy } from './identify-policy.ts'
import type { ConnectionTrim } from './connection-trim.ts'
import type { OwnPeerRecord } from './own-peer-record.ts'
import type { PushPolicy } from './push-policy.ts'
import type { ModeSetting, ModeState } from '../reachability/modes.ts'
import type { ReachabilityWatcher } from '../reachability/watcher.ts'
import type { Toyrrent } from '../service/toyrrent.ts'
import type { ToyrrentInit } from '../service/options.ts'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

export interface ToyrrentNodeOptions extends ToyrrentInit {
  /** LevelDB item store, peer store and identity key live here. Omitted: all in memory, a fresh identity. */
  dataDir?: string
  /** Multiaddrs to listen on. @default ['/ip4/0.0.0.0/tcp/4001'] */
  listen?: string[]
  /** Multiaddrs (with /p2p/<peer id>) dialled at start. */
  bootstrap?: string[]
  /** Keep loopback and private addresses (a LAN or one machine). @default true */
  lan?: boolean
  /** New inbound connections accepted per second from one host. @default 200 */
  inboundConnectionThreshold?: number
  /** Use this identity instead of the data directory's. */
  privateKey?: PrivateKey
  /** Use this datastore instead of LevelDB / memory. */
  datastore?: Datastore
  /**
   * Private network: the swarm key file's contents (`/key/swarm/psk/1.0.0/`, `/base16/`, 64 hex
   * digits; `toyrrent swarm-key` makes one). Only nodes with the same key can connect at all.
   */
  swarmKey?: Uint8Array | string
  /** Only these peer ids may connect to us or be dialled (a libp2p connection gater). Omitted: anyone. */
  allow?: string[]
  /** Find peers on the local network by mDNS and connect to them. @default false */
  mdns?: boolean
  /** mDNS service tag; only nodes with the same tag find each other. @default 'toyrrent' */
  mdnsServiceTag?: string
  /** Collect libp2p's and toyrrent's metrics in a Prometheus registry (`node.metrics()`). At most one per process. @default false */
  metrics?: boolean
  /** Remembered toyrrent peers (from the peer store) dialled at start. @default 8 */
  rememberedPeers?: number
  /**
   * Bootstrap healing: while the routing table is empty or smaller than the
   * bootstrap list, dial the bootstrap addresses and remembered peers again,
   * first after `initialMs`, doubling (with jitter) up to `maxMs`. `false`: never.
   * @default { initialMs: 1000, maxMs: 60000 }
   */
  bootstrapRetry?: false | { initialMs?: number, maxMs?: number }
  /** Hears each bootstrap retry that dialled someone (the daemon prints them). */
  onBootstrapRetry?(event: BootstrapRetryEvent): void
  /**
   * `server`: answer the RPC protocol (join routing tables, hold replicas); `client`: only ask;
   * `auto`: on a LAN a server; on the internet a client until an address of ours is verified public (AutoNAT v2, UPnP, --announce). @default 'auto'
   */
  mode?: ModeSetting
  /** Addresses to offer peers besides the listen addresses (a port forward, a cloud node's public address); taken as verified. */
  announce?: string[]
  /**
   * Map the listen ports on the home router by UPnP and use the mapping once AutoNAT confirms it.
   * @default true in auto mode on the internet behind a NAT (no interface address on the internet), else false
   */
  upnp?: boolean
  /** QUIC next to TCP (`/udp/…/quic-v1` listen addresses). Off with a swarm key: QUIC cannot run libp2p's pnet. @default true */
  quic?: boolean
  /**
   * The node is on the internet from the start (auto mode starts as a client; a NATed node reserves
   * relay slots). @default true when a bootstrap or announce address is on the internet
   */
  onInternet?: boolean
  /** Offer circuit relay v2 to NATed peers (bounded reservations; relayed connections limited to 2 min and 128 KiB). @default true */
  relayService?: boolean
  /**
   * Reservations to hold on relays, so that peers can reach us through them (`/p2p-circuit` addresses)
   * and DCUtR can try to upgrade to a direct connection. @default 2 for a node on the internet behind a NAT
   * (auto or client mode, a bootstrap address on the internet, no interface address on the internet), else 0
   */
  relayReservations?: number
  /**
   * Connections kept open at most, beyond ones younger than `connectionGraceMs`: past it the oldest
   * ones to peers outside the routing table close first, then those to the farthest members (connection-trim.ts). @default 64
   */
  maxConnections?: number
  /** A new connection stays open at least this long whatever the cap. @default 10000 */
  connectionGraceMs?: number
}

/** One round of bootstrap healing. */
export interface BootstrapRetryEvent {
  /** Peers in the routing table before the round. */
  peers: number
  /** Bootstrap addresses and remembered peers dialled. */
  dialled: number
  /** Of those, how many connected. */
  reached: number
  /** Peers in the routing table after the round (and the join that follows a reached peer). */
  peersAfter: number
  /** About how many ms until the next round, if the table still needs peers (0: it does not). */
  nextInMs: number
}

/** What `connect()` did. */
export interface ConnectResult {
  peerId: PeerId
  /** The peer speaks toyrrent and is in our routing table after the join. */
  joined: boolean
  /** Peers in our routing table afterwards. */
  peers: number
}

export type ToyrrentLibp2p = Libp2p<{ toyrrent: Toyrrent, identify: unknown, ping: unknown, reachability: ReachabilityWatcher, identifyPolicy: IdentifyPolicy, pushPolicy: PushPolicy, connectionTrim: ConnectionTrim, ownPeerRecord: OwnPeerRecord }>

export interface ToyrrentNode {
  libp2p: ToyrrentLibp2p
  toyrrent: Toyrrent
  /**
   * Dial the given bootstrap multiaddrs and look ourselves up. Resolves with
   * the number reached. The addresses join the list bootstrap healing retries.
   */
  bootstrap(addrs: string[], options?: { signal?: AbortSignal }): Promise<number>
  /**
   * Add a peer to the running node: dial `addr` (a multiaddr, with
   * `/p2p/<peer id>` or without), wait for identify, and join (self lookup
   * and handoff). Throws InvalidInputError for a malformed address and
   * InsufficientPeersError when the dial fails.
   */
  connect(addr: string, options?: { signal?: AbortSignal }): Promise<ConnectResult>
  /**
   * Remembered toyrrent peers (known before this start) connected once the
   * node rejoined: those it reached and those that reconnected to it first;
   * bootstrap peers aside.
   */
  rejoined: number
  /** Server or client, and the reachability `auto` follows (changes are logged and reported to listeners). */
  modes: ModeState
  /** True when QUIC is off because of a swarm key (pnet runs on TCP only). */
  quicDisabledBySwarmKey: boolean
  /** Prometheus text exposition of the node's metrics; undefined unless created with `metrics: true`. */
  metrics?(): Promise<string>
  stop(): Promise<void>
}
