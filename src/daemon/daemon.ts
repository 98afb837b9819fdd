/**
 * The daemon: one toyrrent node plus its HTTP API, tied to a data directory.
 * startDaemon locks the directory, starts the node, serves the API and writes
 * the `api` file; stop() undoes all of it in reverse order.
 */
import { readFile } from 'node:fs/promises'
import { logger } from '@libp2p/logger'
import { createToyrrentNode } from '../node.ts'
import type { ToyrrentInit } from '../service/options.ts'
import { ApiServer, DEFAULT_API_HOST, DEFAULT_API_PORT, formatHostPort } from '../api/http-server.ts'
import { ToyrrentError } from '../errors.ts'
import { ensureDataDir, lockDataDir, removeApiFile, writeApiFile } from './data-dir.ts'
import { attachStatsHistory, StatsHistory } from './stats-history.ts'
import type { ToyrrentNode, ToyrrentNodeOptions } from '../node.ts'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { ModeChange } from '../reachability/modes.ts'
import { isPublicAddr } from '../reachability/reachability.ts'
import { multiaddr } from '@multiformats/multiaddr'

const log = logger('toyrrent:daemon')

export interface DaemonOptions {
  /** Data directory: item store, peer store, identity key, `api` and `lock` files. */
  dataDir: string
  /** Multiaddrs to listen on (default: the node's default, /ip4/0.0.0.0/tcp/4001). */
  listen?: string[]
  /** Multiaddrs with /p2p/<peer id> dialled at start. */
  bootstrap?: string[]
  /** Replication factor R (default: the node's default, 3). */
  replicas?: number
  /** Replication, repair and storage knobs passed to the node as they are (see ToyrrentInit; durations in ms). */
  redundancy?: Pick<ToyrrentInit, 'repairInterval' | 'itemTtl' | 'maxStorageBytes' | 'leaveTimeout' | 'writeQuorum' | 'forwardPuts'>
  /** API interface (default 127.0.0.1). */
  apiHost?: string
  /** API port, 0 = any free port (default 5454). */
  apiPort?: number
  /** Private network: path of the swarm key file. */
  swarmKeyFile?: string
  /** Only these peer ids may connect. */
  allow?: string[]
  /** Find peers on the LAN by mDNS. */
  mdns?: boolean
  /** ms between routing-table refreshes (default: the service's, 10 minutes). */
  refreshInterval?: number
  /** Hears each round of bootstrap healing (the node dials its bootstrap and remembered peers again while its table is short). */
  onBootstrapRetry?: ToyrrentNodeOptions['onBootstrapRetry']
  /** auto | server | client (default auto). */
  mode?: ToyrrentNodeOptions['mode']
  /** Addresses offered to peers besides the listen addresses (port forward, cloud). */
  announce?: string[]
  /** Map the listen ports by UPnP (default: on for an auto-mode node behind a NAT, see ToyrrentNodeOptions.upnp). */
  upnp?: boolean
  /** Offer circuit relay v2 to NATed peers (default on). */
  relayService?: boolean
  /** Connections kept open past their grace period (default 64, src/node/connection-trim.ts). */
  maxConnections?: number
  /** Hears each change of reachability or mode (the daemon prints it). */
  onModeChange?: (change: ModeChange) => void
}

export interface Daemon {
  node: ToyrrentNode
  dataDir: string
  peerId: PeerId
  multiaddrs: Multiaddr[]
  /** `HOST:PORT` the API listens on. */
  api: string
  /** How many of the bootstrap addresses answered. */
  bootstrapped: number
  /** Stop the API, remove the `api` file, stop the node, release the data dir. Idempotent. */
  stop(): Promise<void>
}

/** The data dir's store could not be opened. */
export class DaemonStartError extends ToyrrentError {
  static override name = 'DaemonStartError'
  override name = 'DaemonStartError'
  override code = 'daemon-start'
}

export async function startDaemon (options: DaemonOptions): Promise<Daemon> {
  const { dataDir } = options
  await ensureDataDir(dataDir)
  const unlock = await lockDataDir(dataDir)
  let node: ToyrrentNode | undefined
  let api: ApiServer | undefined
  let bootstrapped = 0
  let history: StatsHistory | undefined
  try {
    node = await createNode(options)
    if (options.onModeChange != null) {
      node.modes.onChange(options.onModeChange)
      // a change made while the node started
      if (node.modes.lastChange != null) options.onModeChange(node.modes.lastChange)
    }
    bootstrapped = options.bootstrap == null || options.bootstrap.length === 0 ? 0 : await node.bootstrap(options.bootstrap)
    if (node.rejoined > 0) log('rejoined through %d remembered peers', node.rejoined)
    // the dashboard's charts reach back to before the page was opened
    const metrics = node.metrics
    if (metrics != null) {
      history = new StatsHistory({ metrics })
      attachStatsHistory(node, history)
      await history.start()
    }
    api = new ApiServer({ node, host: options.apiHost, port: options.apiPort })
    await startApi(api, options)
    await writeApiFile(dataDir, api.hostPort)
  } catch (err) {
    history?.stop()
    await api?.stop()
    await node?.stop()
    await unlock()
    throw err
  }
  const started = { node, api, history }
  let stopping: Promise<void> | undefined
  return {
    node,
    dataDir,
    peerId: node.libp2p.peerId,
    multiaddrs: node.libp2p.getMultiaddrs(),
    api: api.hostPort,
    bootstrapped,
    stop: async () => {
      stopping ??= (async () => {
        log('stopping')
        started.history?.stop()
        await started.api.stop()
        await removeApiFile(dataDir)
        await started.node.stop()
        await unlock()
      })()
      await stopping
    }
  }
}

async function createNode (options: DaemonOptions): Promise<ToyrrentNode> {
  const swarmKey = options.swarmKeyFile == null ? undefined : await readSwarmKey(options.swarmKeyFile)
  try {
    return await createToyrrentNode({
      dataDir: options.dataDir,
      listen: options.listen,
      replicas: options.replicas,
      swarmKey,
      allow: options.allow,
      mdns: options.mdns,
      refreshInterval: options.refreshInterval,
      onBootstrapRetry: options.onBootstrapRetry,
      mode: options.mode,
      announce: options.announce,
      upnp: options.upnp,
      relayService: options.relayService,
      maxConnections: options.maxConnections,
      // the daemon bootstraps after start: say now whether that is on the internet
      onInternet: onInternet(options),
      metrics: true,
      ...options.redundancy
    })
  } catch (err) {
    if ((err as Error).name === 'OpenFailedError') {
      throw new DaemonStartError(`cannot open the store in ${options.dataDir} (is another toyrrent process using it?): ${(err as Error).message}`)
    }
    throw err
  }
}

/** A bootstrap or announce address is on the internet. */
function onInternet (options: DaemonOptions): boolean {
  return [...(options.bootstrap ?? []), ...(options.announce ?? [])].some(text => {
    try {
      return isPublicAddr(multiaddr(text))
    } catch {
      return false
    }
  })
}

async function readSwarmKey (file: string): Promise<Uint8Array> {
  try {
    return await readFile(file)
  } catch (err: any) {
    throw new DaemonStartError(`cannot read the swarm key ${file}: ${err.code ?? err.message}`)
  }
}

async function startApi (api: ApiServer, options: DaemonOptions): Promise<void> {
  try {
    await api.start()
  } catch (err) {
    const where = formatHostPort({ host: options.apiHost ?? DEFAULT_API_HOST, port: options.apiPort ?? DEFAULT_API_PORT })
    const code = (err as NodeJS.ErrnoException).code
    const reason = code === 'EADDRINUSE' ? 'the address is already in use' : (err as Error).message
    throw new DaemonStartError(`cannot serve the API on ${where}: ${reason} (pick another with --api HOST:PORT)`)
  }
}
