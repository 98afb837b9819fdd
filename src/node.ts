/**
 * createToyrrentNode: the whole stack the daemon runs — TCP, Noise, Yamux,
 * identify, ping and the toyrrent service, whose routing table is the node's
 * only one (it also answers libp2p's peer routing) — with LevelDB under the
 * data directory, or everything in memory when there is none.
 *
 * A node heals its bootstrap: while its routing table is empty, or holds
 * fewer peers than its bootstrap list names, it dials the bootstrap
 * addresses and its remembered peers again with capped exponential back-off
 * (BootstrapHealer below). `connect()` adds a peer to a running node.
 */
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { quic } from '@chainsafe/libp2p-quic'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { uPnPNAT } from '@libp2p/upnp-nat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { networkInterfaces } from 'node:os'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { LevelDatastore } from 'datastore-level'
import { MemoryDatastore } from 'datastore-core'
import { multiaddr } from '@multiformats/multiaddr'
import { preSharedKey } from '@libp2p/pnet'
import { mdns } from '@libp2p/mdns'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { peerIdFromString } from '@libp2p/peer-id'
import { Registry } from 'prom-client'
import { logger } from '@libp2p/logger'
import { parseSwarmKey } from './swarm-key.ts'
import { ModeState } from './reachability/modes.ts'
import { reachabilityWatcher } from './reachability/watcher.ts'
import { WalkPacer } from './reachability/walk-pacer.ts'
import { offeredAddrs, quicFirstSorter } from './service/addresses.ts'
import { isPublicAddr } from './reachability/reachability.ts'
import type { ModeSetting } from './reachability/modes.ts'
import type { ReachabilityWatcher } from './reachability/watcher.ts'
import { Toyrrent } from './service/toyrrent.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { InsufficientPeersError, InvalidInputError } from './errors.ts'
import { DEFAULT_INBOUND_CONNECTION_THRESHOLD, DEFAULT_LISTEN, DEFAULT_REMEMBERED_PEERS, DIAL_TIMEOUT_MS, MAX_STREAM_WINDOW_BYTES, REMEMBERED_DIAL_TIMEOUT_MS, RPC_PROTOCOL } from './constants.ts'
import type { ToyrrentInit } from './service/options.ts'
import type { ToyrrentComponents } from './service/toyrrent.ts'
import type { ConnectionGater, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { Multiaddr } from '@multiformats/multiaddr'
import { quietLogger } from './quiet-logger.ts'

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
  const bootstrapAddrs = (options.bootstrap ?? []).map(parseDialAddr)
  const psk = options.swarmKey == null ? undefined : parseSwarmKey(options.swarmKey)
  // libp2p's private networks wrap a TCP stream; QUIC brings its own encryption and cannot carry one
  const useQuic = (options.quic ?? true) && psk == null
  const announce = (options.announce ?? []).map(a => parseMultiaddr(a, 'announce').toString())
  const onInternet = options.onInternet ?? [...bootstrapAddrs, ...announce.map(a => multiaddr(a))].some(isPublicAddr)
  const modes = new ModeState(options.mode ?? 'auto', { internet: onInternet })
  const natted = modes.setting !== 'server' && onInternet && announce.length === 0 && !hasInternetInterface()
  const reservations = options.relayReservations ?? (natted ? DEFAULT_RELAY_RESERVATIONS : 0)
  const listen = [
    ...(options.listen ?? DEFAULT_LISTEN).map(a => parseMultiaddr(a, 'listen')).filter(a => useQuic || !isQuicAddr(a)).map(String),
    // each '/p2p-circuit' listen address is one reservation on a relay found among our peers
    ...Array.from({ length: reservations }, () => '/p2p-circuit')
  ]
  const lan = options.lan ?? true
  const { datastore, privateKey } = await openStorage(options)
  const gater = options.allow == null ? undefined : allowlistGater(options.allow)
  const registry = options.metrics === true ? new Registry() : undefined

  let libp2pRef: ToyrrentLibp2p | undefined
  const libp2p = await createLibp2p({
    // started below, once we know which peers we remembered before any could connect
    start: false,
    privateKey,
    datastore,
    logger: quietLogger(),
    addresses: { listen, appendAnnounce: announce, announceFilter: offeredAddrs },
    connectionManager: {
      inboundConnectionThreshold: options.inboundConnectionThreshold ?? DEFAULT_INBOUND_CONNECTION_THRESHOLD,
      maxIncomingPendingConnections: 64,
      addressSorter: quicFirstSorter
    },
    transports: [tcp(), ...(useQuic ? [quic()] : []), circuitRelayTransport()],
    ...(psk == null ? {} : { connectionProtector: preSharedKey({ psk }) }),
    ...(gater == null ? {} : { connectionGater: gater }),
    ...(registry == null ? {} : { metrics: prometheusMetrics({ registry }) }),
    peerDiscovery: options.mdns === true ? [mdns({ serviceTag: options.mdnsServiceTag ?? 'toyrrent' })] : [],
    connectionEncrypters: [noise()],
    // a stream's receive window caps what a peer can push at us unread (yamux's default grows to 16 MiB)
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: MAX_STREAM_WINDOW_BYTES } })],
    services: {
      identify: identify(),
      // tells connected peers at once when we start or stop answering the RPC protocol (server <-> client)
      identifyPush: identifyPush(),
      ping: ping(),
      // confirms (by dial-backs from peers) which of our addresses are reachable from elsewhere
      autoNAT: autoNATv2(),
      ...(options.upnp ?? (modes.setting === 'auto' && natted) ? { upnp: uPnPNAT() } : {}),
      ...(options.relayService === false ? {} : { relay: circuitRelayServer({ reservations: { maxReservations: MAX_RELAY_RESERVATIONS } }) }),
      // upgrades a relayed connection to a direct one by synchronised dials (hole punching)
      dcutr: dcutr(),
      reachability: reachabilityWatcher(modes),
      // keeps libp2p's random walk (relay discovery, AutoNAT) from spinning while our table is empty
      walkPacer: () => new WalkPacer(() => libp2pRef == null || tableSize(libp2pRef) === 0),
      // joins by itself on its first peers; bootstrap and rejoin below wait for that join
      toyrrent: (components: ToyrrentComponents) => new Toyrrent(components, { ...options, serve: modes.mode === 'server', allowPrivateAddresses: options.allowPrivateAddresses ?? lan })
    }
  })
  // the peers this node knew before it listened: only they can count as rejoined
  const remembered = await rememberedPeers(libp2p, options.protocol ?? RPC_PROTOCOL, Infinity)
  await libp2p.start()
  modes.onChange(change => {
    void (async () => {
      await libp2p.services.toyrrent.setServing(change.mode === 'server')
      // a new server looks itself up: its neighbours meet it (and admit it) at once
      if (change.mode === 'server' && tableSize(libp2p) > 0) await libp2p.services.toyrrent.join()
    })().catch((err: Error) => { log('switching to %s mode: %s', change.mode, err.message) })
  })
  libp2pRef = libp2p
  // the first judgement may have come while libp2p started, before the listener above
  libp2p.services.reachability.check()
  await libp2p.services.toyrrent.setServing(modes.mode === 'server')

  if (options.mdns === true) dialDiscovered(libp2p)
  const protocol = options.protocol ?? RPC_PROTOCOL
  const healer = new BootstrapHealer(libp2p, protocol, options, bootstrapAddrs)
  const node: ToyrrentNode = {
    libp2p,
    toyrrent: libp2p.services.toyrrent,
    rejoined: 0,
    modes,
    quicDisabledBySwarmKey: psk != null && (options.quic ?? true),
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
  if (bootstrapAddrs.length > 0) await node.bootstrap(bootstrapAddrs.map(String))
  node.rejoined = await rejoin(libp2p, remembered, options.rememberedPeers ?? DEFAULT_REMEMBERED_PEERS, bootstrapAddrs)
  if (node.rejoined > 0 && bootstrapAddrs.length === 0) {
    // as after a bootstrap: find our neighbours, then take over the items we are now responsible for
    await libp2p.services.toyrrent.join().catch(() => {})
  }
  healer.start()
  return node
}

/** Peers in the service's routing table. */
function tableSize (libp2p: ToyrrentLibp2p): number {
  let n = 0
  for (const peers of libp2p.services.toyrrent.tableBands().values()) n += peers.length
  return n
}

function inTable (libp2p: ToyrrentLibp2p, peerId: PeerId): boolean {
  for (const peers of libp2p.services.toyrrent.tableBands().values()) {
    if (peers.some(p => p.peerId.equals(peerId))) return true
  }
  return false
}

/** The peer an address leads to: its last /p2p/ (a relayed address names the relay first). */
function peerIdOf (addr: Multiaddr): string | undefined {
  return addr.getComponents().findLast(c => c.name === 'p2p')?.value
}

/**
 * Bootstrap healing: a node whose bootstrap failed (the node it names came up
 * later, the network was down) or whose peers all went away dials its
 * bootstrap addresses and remembered peers again while its routing table is
 * empty or holds fewer peers than its bootstrap list, with capped
 * exponential back-off and jitter; every dial has a deadline, and stop()
 * ends it. A check while the table is healthy costs no traffic.
 */
class BootstrapHealer {
  private readonly libp2p: ToyrrentLibp2p
  private readonly protocol: string
  private readonly rememberedPeers: number
  private readonly initialMs: number
  private readonly maxMs: number
  private readonly enabled: boolean
  private readonly onRetry?: (event: BootstrapRetryEvent) => void
  private readonly bootstrap = new Map<string, Multiaddr>()
  private readonly controller = new AbortController()
  private timer?: ReturnType<typeof setTimeout>
  private delay: number
  private running = false
  /** Bootstraps in progress (node.bootstrap()): no healing round meanwhile. */
  private bootstrapping = 0

  constructor (libp2p: ToyrrentLibp2p, protocol: string, options: ToyrrentNodeOptions, bootstrap: Multiaddr[]) {
    this.libp2p = libp2p
    this.protocol = protocol
    this.rememberedPeers = options.rememberedPeers ?? DEFAULT_REMEMBERED_PEERS
    const retry = options.bootstrapRetry === false ? undefined : options.bootstrapRetry
    this.enabled = options.bootstrapRetry !== false
    this.initialMs = retry?.initialMs ?? BOOTSTRAP_RETRY_INITIAL_MS
    this.maxMs = retry?.maxMs ?? BOOTSTRAP_RETRY_MAX_MS
    this.delay = this.initialMs
    this.onRetry = options.onBootstrapRetry
    this.addBootstrap(bootstrap)
  }

  addBootstrap (addrs: Multiaddr[]): void {
    // a shared bootstrap list may name this node too: never wait for ourselves
    const self = this.libp2p.peerId.toString()
    for (const addr of addrs) if (peerIdOf(addr) !== self) this.bootstrap.set(addr.toString(), addr)
  }

  /** Run a bootstrap of the node's own; healing rounds wait until it is done. */
  async while<T> (work: () => Promise<T>): Promise<T> {
    this.bootstrapping++
    try {
      return await work()
    } finally {
      this.bootstrapping--
    }
  }

  start (): void {
    if (!this.enabled || this.running) return
    this.running = true
    this.schedule(this.initialMs)
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
    this.controller.abort()
  }

  /** The table is empty, or smaller than the bootstrap list. */
  private needsPeers (): boolean {
    const peers = tableSize(this.libp2p)
    if (peers === 0) return true
    const named = new Set<string>()
    for (const addr of this.bootstrap.values()) named.add(peerIdOf(addr) ?? addr.toString())
    return peers < named.size
  }

  private schedule (ms: number): void {
    if (!this.running) return
    // jitter: 0.5x to 1.5x, so nodes that lost the same bootstrap node do not all come back at once
    this.timer = setTimeout(() => { void this.tick() }, Math.round(ms * (0.5 + Math.random())))
    this.timer.unref?.()
  }

  private async tick (): Promise<void> {
    if (!this.running) return
    if (!this.libp2p.services.toyrrent.isStarted() || this.bootstrapping > 0 || !this.needsPeers()) {
      // healthy, or a bootstrap is filling the table: look again after the first delay, and start over from it when the table next runs short
      this.delay = this.initialMs
      this.schedule(this.initialMs)
      return
    }
    const peers = tableSize(this.libp2p)
    let dialled = 0
    let reached = 0
    try {
      ({ dialled, reached } = await this.redial())
      // a peer reached, or connections the table lost track of (it empties on failures while
      // connections stay up): a self lookup through them refills the table
      if (reached > 0 || this.libp2p.getConnections().length > 0) await this.libp2p.services.toyrrent.join({ signal: this.controller.signal })
    } catch (err: any) {
      if (!this.running) return
      log('bootstrap retry: %s', err.message)
    }
    if (!this.running) return
    const healed = !this.needsPeers()
    this.delay = healed ? this.initialMs : Math.min(this.delay * 2, this.maxMs)
    if (dialled > 0) {
      const peersAfter = tableSize(this.libp2p)
      log('bootstrap retry: %d peers in the table, dialled %d, reached %d, now %d peers%s', peers, dialled, reached, peersAfter, healed ? '' : `; next try in about ${this.delay} ms`)
      this.onRetry?.({ peers, dialled, reached, peersAfter, nextInMs: healed ? 0 : this.delay })
    }
    this.schedule(this.delay)
  }

  /** Dial the bootstrap addresses and remembered peers we are not connected to, each within its deadline. */
  private async redial (): Promise<{ dialled: number, reached: number }> {
    const connected = new Set(this.libp2p.getConnections().map(c => c.remotePeer.toString()))
    const addrs = [...this.bootstrap.values()].filter(a => !connected.has(peerIdOf(a) ?? ''))
    const skip = new Set(addrs.map(a => peerIdOf(a) ?? ''))
    const remembered = await rememberedPeers(this.libp2p, this.protocol, this.rememberedPeers, skip)
    const within = (ms: number): AbortSignal => AbortSignal.any([this.controller.signal, AbortSignal.timeout(ms)])
    const results = await Promise.allSettled([
      ...addrs.map(async a => this.libp2p.dial(a, { signal: within(DIAL_TIMEOUT_MS) })),
      ...remembered.map(async peer => this.libp2p.dial(peer, { signal: within(REMEMBERED_DIAL_TIMEOUT_MS) }))
    ])
    return { dialled: results.length, reached: results.filter(r => r.status === 'fulfilled').length }
  }
}

/**
 * Dial a peer, wait until identify tells us what it speaks (the service
 * learns toyrrent peers from it), then join: our self lookup now goes
 * through the new peer, and we take over the items we are among the R
 * nearest for.
 */
async function connectTo (libp2p: ToyrrentLibp2p, protocol: string, addr: Multiaddr, signal?: AbortSignal): Promise<ConnectResult> {
  const deadline = AbortSignal.any([...(signal == null ? [] : [signal]), AbortSignal.timeout(DIAL_TIMEOUT_MS)])
  const named = peerIdOf(addr)
  // listen before dialling: identify may finish before dial() returns
  const identified = new Set<string>()
  const onIdentify = (evt: CustomEvent<{ peerId: PeerId }>): void => { identified.add(evt.detail.peerId.toString()) }
  libp2p.addEventListener('peer:identify', onIdentify)
  let peerId: PeerId
  try {
    try {
      peerId = (await libp2p.dial(addr, { signal: deadline })).remotePeer
    } catch (err: any) {
      throw new InsufficientPeersError(`could not connect to ${addr.toString()}: ${err.message}`)
    }
    if (named != null && peerId.toString() !== named) throw new InsufficientPeersError(`${addr.toString()} answered as ${peerId.toString()}`)
    // identify runs once per connection: a peer identified before has its protocols in the peer store
    const speaks = async (): Promise<boolean> => {
      try {
        return (await libp2p.peerStore.get(peerId)).protocols.includes(protocol)
      } catch {
        return false
      }
    }
    const until = Date.now() + IDENTIFY_WAIT_MS
    while (!identified.has(peerId.toString()) && !(await speaks()) && Date.now() < until && !deadline.aborted) {
      await new Promise(resolve => setTimeout(resolve, 20)) // polls for identify's answer, within IDENTIFY_WAIT_MS
    }
  } finally {
    libp2p.removeEventListener('peer:identify', onIdentify)
  }
  try {
    await libp2p.services.toyrrent.join({ signal })
  } catch (err: any) {
    log('join after connecting to %p failed: %s', peerId, err.message)
  }
  return { peerId, joined: inTable(libp2p, peerId), peers: tableSize(libp2p) }
}

const log = logger('toyrrent:node')

/** Relays a NATed node reserves on by default, and reservations a relay grants at most. */
const DEFAULT_RELAY_RESERVATIONS = 2
const MAX_RELAY_RESERVATIONS = 64

/** This host has an interface address on the internet (then it needs no relay to be reached). */
function hasInternetInterface (): boolean {
  return Object.values(networkInterfaces()).flat().some(i => i != null && !i.internal &&
    isPublicAddr(multiaddr(`/${i.family === 'IPv4' ? 'ip4' : 'ip6'}/${i.address}/tcp/1`)))
}

/** Bootstrap healing: the first retry after about a second, doubling up to a minute. */
const BOOTSTRAP_RETRY_INITIAL_MS = 1000
const BOOTSTRAP_RETRY_MAX_MS = 60_000
/** connect(): how long to wait for identify to say what a freshly dialled peer speaks. */
const IDENTIFY_WAIT_MS = 5000

/** The identity and datastore under `dataDir` (LevelDB), or the given ones, or in memory. */
async function openStorage (options: ToyrrentNodeOptions): Promise<{ datastore: Datastore, privateKey?: PrivateKey }> {
  let datastore = options.datastore
  let privateKey = options.privateKey
  if (options.dataDir != null) {
    privateKey ??= await loadOrCreateIdentity(options.dataDir)
    if (datastore == null) {
      await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
      const level = new LevelDatastore(join(options.dataDir, 'datastore'))
      await level.open()
      datastore = level
    }
  }
  return { datastore: datastore ?? new MemoryDatastore(), privateKey }
}

/**
 * Up to `count` peers from the (persistent) peer store that spoke toyrrent's
 * RPC protocol, as the peer store orders them, that we are not connected to
 * (nor listed in `skip`).
 */
async function rememberedPeers (libp2p: ToyrrentLibp2p, protocol: string, count: number, skip = new Set<string>()): Promise<PeerId[]> {
  if (count <= 0) return []
  const connected = new Set(libp2p.getConnections().map(c => c.remotePeer.toString()))
  return (await libp2p.peerStore.all({ filters: [peer => peer.protocols.includes(protocol) && peer.addresses.length > 0] }))
    .filter(peer => !peer.id.equals(libp2p.peerId) && !connected.has(peer.id.toString()) && !skip.has(peer.id.toString()))
    .slice(0, count)
    .map(peer => peer.id)
}

/**
 * Rejoin without flags: dial up to `count` of the `remembered` peers not
 * connected yet, each within a deadline, and stop dialling one as soon as it
 * connects to us by itself (a restarted node's neighbours often do, while
 * our own dial to an old address of theirs may hang). Resolves with how many
 * remembered peers are connected then, bootstrap peers aside.
 */
async function rejoin (libp2p: ToyrrentLibp2p, remembered: PeerId[], count: number, bootstrap: Multiaddr[] = []): Promise<number> {
  const bootstrapIds = new Set(bootstrap.map(peerIdOf))
  const candidates = remembered.filter(peer => !bootstrapIds.has(peer.toString()))
  const dials = new Map<string, AbortController>()
  const cameIn = (evt: CustomEvent<PeerId>): void => { dials.get(evt.detail.toString())?.abort() }
  libp2p.addEventListener('peer:connect', cameIn)
  try {
    const toDial = candidates.filter(peer => libp2p.getConnections(peer).length === 0).slice(0, count)
    await Promise.allSettled(toDial.map(async peer => {
      const controller = new AbortController()
      dials.set(peer.toString(), controller)
      await libp2p.dial(peer, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(REMEMBERED_DIAL_TIMEOUT_MS)]) })
    }))
    const rejoined = candidates.filter(peer => libp2p.getConnections(peer).length > 0).length
    log('rejoined: %d of %d remembered peers connected (dialled %d)', rejoined, candidates.length, toDial.length)
    return rejoined
  } finally {
    libp2p.removeEventListener('peer:connect', cameIn)
  }
}

/** mDNS only reports peers; connect to each one found (libp2p 3 does not auto-dial). */
function dialDiscovered (libp2p: ToyrrentLibp2p): void {
  libp2p.addEventListener('peer:discovery', (evt) => {
    const { id, multiaddrs } = evt.detail
    if (id.equals(libp2p.peerId) || libp2p.getConnections(id).length > 0) return
    libp2p.dial(multiaddrs.length > 0 ? multiaddrs : id, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }).then(() => {
      log('connected to %p found on the local network', id)
    }, (err: Error) => {
      log('could not dial %p found on the local network: %s', id, err.message)
    })
  })
}

/** A connection gater that lets only the listed peers in or out. */
function allowlistGater (allow: string[]): ConnectionGater {
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

function isQuicAddr (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'quic-v1' || c.name === 'quic')
}

function parseMultiaddr (text: string, what: string): Multiaddr {
  try {
    return multiaddr(text)
  } catch (err: any) {
    throw new InvalidInputError(`invalid ${what} multiaddr "${text}": ${err.message}`)
  }
}

/** A bootstrap address must name the peer, so the Noise handshake can check who answered. */
function parseDialAddr (text: string): Multiaddr {
  const ma = parseMultiaddr(text, 'bootstrap')
  if (ma.getComponents().find(c => c.name === 'p2p') == null) {
    throw new InvalidInputError(`bootstrap multiaddr "${text}" must end in /p2p/<peer id>`)
  }
  return ma
}
