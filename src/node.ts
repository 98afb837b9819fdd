/**
 * createToyrrentNode: the whole stack the daemon runs — TCP, Noise, Yamux,
 * identify, ping and the toyrrent service, whose routing table is the node's
 * only one (it also answers libp2p's peer routing) — with LevelDB under the
 * data directory, or everything in memory when there is none.
 *
 * A node heals its bootstrap: while its routing table is empty, or holds
 * fewer peers than its bootstrap list names, it dials the bootstrap
 * addresses and its remembered peers again with capped exponential back-off
 * (node/bootstrap-healer.ts); the parts of the node live in src/node/. `connect()` adds a peer to a running node.
 */
import { createLibp2p } from 'libp2p'
import { LevelDatastore } from 'datastore-level'
import { Registry } from 'prom-client'
import { logger } from '@libp2p/logger'
import { planNode } from './node/plan.ts'
import { libp2pOptions } from './node/libp2p-options.ts'
import { openStorage } from './node/storage.ts'
import { BootstrapHealer } from './node/bootstrap-healer.ts'
import { connectTo } from './node/connect.ts'
import { dialDiscovered, rejoin, rememberedPeers } from './node/rejoin.ts'
import { parseDialAddr, parseMultiaddr } from './node/addresses.ts'
import { tableSize } from './node/table.ts'
import { DEFAULT_REMEMBERED_PEERS, DIAL_TIMEOUT_MS, RPC_PROTOCOL } from './constants.ts'
import type { NodePlan } from './node/plan.ts'
import type { ModeState, ModeSetting } from './reachability/modes.ts'
import type { ReachabilityWatcher } from './reachability/watcher.ts'
import type { Toyrrent } from './service/toyrrent.ts'
import type { ToyrrentInit } from './service/options.ts'
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

export type ToyrrentLibp2p = Libp2p<{ toyrrent: Toyrrent, identify: unknown, ping: unknown, reachability: ReachabilityWatcher }>

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

export async function createToyrrentNode (options: ToyrrentNodeOptions = {}): Promise<ToyrrentNode> {
  const plan = planNode(options)
  const { datastore, privateKey } = await openStorage(options)
  const registry = options.metrics === true ? new Registry() : undefined
  let made: ToyrrentLibp2p | undefined
  const libp2p: ToyrrentLibp2p = await createLibp2p({
    ...libp2pOptions(options, plan, { datastore, privateKey, registry, tableEmpty: () => made == null || tableSize(made) === 0 }),
    // started below, once we know which peers we remembered before any could connect
    start: false
  })
  // the peers this node knew before it listened: only they can count as rejoined
  const remembered = await rememberedPeers(libp2p, options.protocol ?? RPC_PROTOCOL, Infinity)
  await libp2p.start()
  made = libp2p
  await followModes(libp2p, plan.modes)
  if (options.mdns === true) dialDiscovered(libp2p)
  const protocol = options.protocol ?? RPC_PROTOCOL
  const healer = new BootstrapHealer(libp2p, protocol, options, plan.bootstrapAddrs)
  const node = nodeHandle(libp2p, plan, options, { healer, protocol, registry, datastore })
  await join(node, plan, healer, remembered, options)
  return node
}

/** Serve the RPC while the mode is server, from now on (a change looks ourselves up, so neighbours admit us). */
async function followModes (libp2p: ToyrrentLibp2p, modes: ModeState): Promise<void> {
  modes.onChange(change => {
    void (async () => {
      await libp2p.services.toyrrent.setServing(change.mode === 'server')
      // a new server looks itself up: its neighbours meet it (and admit it) at once
      if (change.mode === 'server' && tableSize(libp2p) > 0) await libp2p.services.toyrrent.join()
    })().catch((err: Error) => { log('switching to %s mode: %s', change.mode, err.message) })
  })
  // the first judgement may have come while libp2p started, before the listener above
  libp2p.services.reachability.check()
  await libp2p.services.toyrrent.setServing(modes.mode === 'server')
}

interface HandleParts {
  healer: BootstrapHealer
  protocol: string
  registry?: Registry
  datastore: Datastore
}

/** The ToyrrentNode object around a started libp2p node. */
function nodeHandle (libp2p: ToyrrentLibp2p, plan: NodePlan, options: ToyrrentNodeOptions, parts: HandleParts): ToyrrentNode {
  const { healer, protocol, registry, datastore } = parts
  return {
    libp2p,
    toyrrent: libp2p.services.toyrrent,
    rejoined: 0,
    modes: plan.modes,
    quicDisabledBySwarmKey: plan.psk != null && (options.quic ?? true),
    ...(registry == null ? {} : { metrics: async () => registry.metrics() }),
    async bootstrap (addrs, opts = {}) {
      const parsed = addrs.map(parseDialAddr)
      healer.addBootstrap(parsed)
      // healing waits while a bootstrap of its own runs: the table is filling
      return await healer.while(async () => {
        const results = await Promise.allSettled(parsed.map(async a => libp2p.dial(a, { signal: opts.signal ?? AbortSignal.timeout(DIAL_TIMEOUT_MS) })))
        const reached = results.filter(r => r.status === 'fulfilled').length
        // the service joins by itself on its first peers; wait for that join (or start one)
        if (reached > 0) await libp2p.services.toyrrent.join({ signal: opts.signal })
        return reached
      })
    },
    async connect (addr, opts = {}) {
      return connectTo(libp2p, protocol, parseMultiaddr(addr, 'peer'), opts.signal)
    },
    async stop () {
      healer.stop()
      await libp2p.stop()
      if (datastore instanceof LevelDatastore) await datastore.close()
    }
  }
}

/** Bootstrap, rejoin remembered peers, then heal from here on. */
async function join (node: ToyrrentNode, plan: NodePlan, healer: BootstrapHealer, remembered: PeerId[], options: ToyrrentNodeOptions): Promise<void> {
  const { bootstrapAddrs } = plan
  if (bootstrapAddrs.length > 0) await node.bootstrap(bootstrapAddrs.map(String))
  node.rejoined = await rejoin(node.libp2p, remembered, options.rememberedPeers ?? DEFAULT_REMEMBERED_PEERS, bootstrapAddrs)
  if (node.rejoined > 0 && bootstrapAddrs.length === 0) {
    // as after a bootstrap: find our neighbours, then take over the items we are now responsible for
    await node.libp2p.services.toyrrent.join().catch(() => {})
  }
  healer.start()
}

const log = logger('toyrrent:node')
