/**
 * createToyrrentNode: the whole stack the daemon runs — TCP, Noise, Yamux,
 * identify, ping and the toyrrent service, whose routing table is the node's
 * only one (it also answers libp2p's peer routing) — with LevelDB under the
 * data directory, or everything in memory when there is none.
 */
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
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
import { Toyrrent } from './service/toyrrent.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { InvalidInputError } from './errors.ts'
import { DEFAULT_INBOUND_CONNECTION_THRESHOLD, DEFAULT_LISTEN, DEFAULT_REMEMBERED_PEERS, DIAL_TIMEOUT_MS, MAX_STREAM_WINDOW_BYTES, REMEMBERED_DIAL_TIMEOUT_MS, RPC_PROTOCOL } from './constants.ts'
import type { ToyrrentInit } from './service/options.ts'
import type { ToyrrentComponents } from './service/toyrrent.ts'
import type { ConnectionGater, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { Multiaddr } from '@multiformats/multiaddr'

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
}

export type ToyrrentLibp2p = Libp2p<{ toyrrent: Toyrrent, identify: unknown, ping: unknown }>

export interface ToyrrentNode {
  libp2p: ToyrrentLibp2p
  toyrrent: Toyrrent
  /** Dial the given bootstrap multiaddrs and look ourselves up. Resolves with the number reached. */
  bootstrap(addrs: string[], options?: { signal?: AbortSignal }): Promise<number>
  /** Remembered toyrrent peers dialled at start that answered. */
  rejoined: number
  /** Prometheus text exposition of the node's metrics; undefined unless created with `metrics: true`. */
  metrics?(): Promise<string>
  stop(): Promise<void>
}

export async function createToyrrentNode (options: ToyrrentNodeOptions = {}): Promise<ToyrrentNode> {
  const bootstrapAddrs = (options.bootstrap ?? []).map(parseDialAddr)
  const listen = (options.listen ?? DEFAULT_LISTEN).map(a => parseMultiaddr(a, 'listen').toString())
  const lan = options.lan ?? true
  const { datastore, privateKey } = await openStorage(options)
  const psk = options.swarmKey == null ? undefined : parseSwarmKey(options.swarmKey)
  const gater = options.allow == null ? undefined : allowlistGater(options.allow)
  const registry = options.metrics === true ? new Registry() : undefined

  const libp2p = await createLibp2p({
    privateKey,
    datastore,
    addresses: { listen },
    connectionManager: {
      inboundConnectionThreshold: options.inboundConnectionThreshold ?? DEFAULT_INBOUND_CONNECTION_THRESHOLD,
      maxIncomingPendingConnections: 64
    },
    transports: [tcp()],
    ...(psk == null ? {} : { connectionProtector: preSharedKey({ psk }) }),
    ...(gater == null ? {} : { connectionGater: gater }),
    ...(registry == null ? {} : { metrics: prometheusMetrics({ registry }) }),
    peerDiscovery: options.mdns === true ? [mdns({ serviceTag: options.mdnsServiceTag ?? 'toyrrent' })] : [],
    connectionEncrypters: [noise()],
    // a stream's receive window caps what a peer can push at us unread (yamux's default grows to 16 MiB)
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: MAX_STREAM_WINDOW_BYTES } })],
    services: {
      identify: identify(),
      ping: ping(),
      // joins by itself on its first peers; bootstrap and rejoin below wait for that join
      toyrrent: (components: ToyrrentComponents) => new Toyrrent(components, { ...options, allowPrivateAddresses: options.allowPrivateAddresses ?? lan })
    }
  })

  if (options.mdns === true) dialDiscovered(libp2p)
  const node: ToyrrentNode = {
    libp2p,
    toyrrent: libp2p.services.toyrrent,
    rejoined: 0,
    ...(registry == null ? {} : { metrics: async () => registry.metrics() }),
    async bootstrap (addrs, opts = {}) {
      const results = await Promise.allSettled(addrs.map(async a => libp2p.dial(parseDialAddr(a), { signal: opts.signal ?? AbortSignal.timeout(DIAL_TIMEOUT_MS) })))
      const reached = results.filter(r => r.status === 'fulfilled').length
      // the service joins by itself on its first peers; wait for that join (or start one)
      if (reached > 0) await libp2p.services.toyrrent.join({ signal: opts.signal })
      return reached
    },
    async stop () {
      await libp2p.stop()
      if (datastore instanceof LevelDatastore) await datastore.close()
    }
  }
  if (bootstrapAddrs.length > 0) await node.bootstrap(bootstrapAddrs.map(String))
  node.rejoined = await dialRemembered(libp2p, options.protocol ?? RPC_PROTOCOL, options.rememberedPeers ?? DEFAULT_REMEMBERED_PEERS)
  if (node.rejoined > 0 && bootstrapAddrs.length === 0) {
    // as after a bootstrap: find our neighbours, then take over the items we are now responsible for
    await libp2p.services.toyrrent.join().catch(() => {})
  }
  return node
}

const log = logger('toyrrent:node')

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
 * Rejoin without flags: dial up to `count` peers from the (persistent) peer
 * store that spoke toyrrent's RPC protocol, most recently seen... as the peer
 * store orders them, each within a deadline. Resolves with the number reached.
 */
async function dialRemembered (libp2p: ToyrrentLibp2p, protocol: string, count: number): Promise<number> {
  if (count <= 0) return 0
  const connected = new Set(libp2p.getConnections().map(c => c.remotePeer.toString()))
  const peers = (await libp2p.peerStore.all({ filters: [peer => peer.protocols.includes(protocol) && peer.addresses.length > 0] }))
    .filter(peer => !peer.id.equals(libp2p.peerId) && !connected.has(peer.id.toString()))
    .slice(0, count)
  if (peers.length === 0) return 0
  const results = await Promise.allSettled(peers.map(async peer => libp2p.dial(peer.id, { signal: AbortSignal.timeout(REMEMBERED_DIAL_TIMEOUT_MS) })))
  const reached = results.filter(r => r.status === 'fulfilled').length
  log('rejoined %d of %d remembered peers', reached, peers.length)
  return reached
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
