/**
 * createToyrrentNode: the whole stack the daemon runs — TCP, Noise, Yamux,
 * identify, ping, kad-dht (server mode, toyrrent's own protocol id) and the
 * toyrrent service — with LevelDB under the data directory, or everything in
 * memory when there is none.
 */
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT } from '@libp2p/kad-dht'
import { LevelDatastore } from 'datastore-level'
import { MemoryDatastore } from 'datastore-core'
import { multiaddr } from '@multiformats/multiaddr'
import { toyrrent } from './index.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { peerInfoMapper } from './service/addresses.ts'
import { InvalidInputError } from './errors.ts'
import { DEFAULT_KAD_PROTOCOL } from './constants.ts'
import type { Toyrrent, ToyrrentInit } from './service/toyrrent.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
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
  /** kad-dht protocol id. @default '/toyrrent/kad/1.0.0' */
  kadProtocol?: string
  /** New inbound connections accepted per second from one host. @default 200 */
  inboundConnectionThreshold?: number
  /** Use this identity instead of the data directory's. */
  privateKey?: PrivateKey
  /** Use this datastore instead of LevelDB / memory. */
  datastore?: Datastore
}

export type ToyrrentLibp2p = Libp2p<{ toyrrent: Toyrrent, dht: KadDHT, identify: unknown, ping: unknown }>

export interface ToyrrentNode {
  libp2p: ToyrrentLibp2p
  toyrrent: Toyrrent
  /** Dial the given bootstrap multiaddrs and look ourselves up. Resolves with the number reached. */
  bootstrap(addrs: string[], options?: { signal?: AbortSignal }): Promise<number>
  stop(): Promise<void>
}

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/4001']

/** Per-stream receive window: ample for 64 KiB items, and the most a peer can have in flight to us per stream. */
export const MAX_STREAM_WINDOW_BYTES = 1024 * 1024

export async function createToyrrentNode (options: ToyrrentNodeOptions = {}): Promise<ToyrrentNode> {
  const bootstrapAddrs = (options.bootstrap ?? []).map(parseDialAddr)
  const listen = (options.listen ?? DEFAULT_LISTEN).map(a => parseMultiaddr(a, 'listen').toString())
  const lan = options.lan ?? true
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
  datastore ??= new MemoryDatastore()

  const libp2p = await createLibp2p({
    privateKey,
    datastore,
    addresses: { listen },
    connectionManager: {
      // libp2p's default of 5 new inbound connections per second per host
      // refuses peers that share an address: every node on one machine, or
      // behind one NAT. Peers are rate-limited by toyrrent's inbound queue.
      inboundConnectionThreshold: options.inboundConnectionThreshold ?? 200,
      maxIncomingPendingConnections: 64
    },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // a stream's receive window caps what a peer can push at us unread (yamux's default grows to 16 MiB)
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: MAX_STREAM_WINDOW_BYTES } })],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: options.kadProtocol ?? DEFAULT_KAD_PROTOCOL,
        clientMode: false,
        peerInfoMapper: peerInfoMapper(lan)
      }),
      toyrrent: toyrrent({ ...options, allowPrivateAddresses: options.allowPrivateAddresses ?? lan })
    }
  })

  const node: ToyrrentNode = {
    libp2p,
    toyrrent: libp2p.services.toyrrent,
    async bootstrap (addrs, opts = {}) {
      const results = await Promise.allSettled(addrs.map(async a => libp2p.dial(parseDialAddr(a), { signal: opts.signal ?? AbortSignal.timeout(10_000) })))
      const reached = results.filter(r => r.status === 'fulfilled').length
      if (reached > 0) await libp2p.services.toyrrent.refresh({ signal: opts.signal })
      return reached
    },
    async stop () {
      await libp2p.stop()
      if (datastore instanceof LevelDatastore) await datastore.close()
    }
  }
  if (bootstrapAddrs.length > 0) await node.bootstrap(bootstrapAddrs.map(String))
  return node
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
