/**
 * The daemon's config file (`toyrrent daemon --config FILE`): JSON with any of
 *
 *   {
 *     "listen":          ["/ip4/0.0.0.0/tcp/4001"],          multiaddrs to listen on
 *     "bootstrap":       ["/ip4/…/tcp/…/p2p/<peer id>"],     peers dialled at start
 *     "swarmKey":        "swarm.key",                        private network key file (relative to the config file)
 *     "allow":           ["<peer id>", …],                   only these peers may connect
 *     "mdns":            true,                               find peers on the LAN
 *     "api":             "127.0.0.1:5454",                   HTTP API address
 *     "dataDir":         "/var/lib/toyrrent",                data directory (relative to the config file)
 *     "replicas":        3,                                  replication factor R
 *     "refreshInterval": 600,                                seconds between routing-table refreshes (0 = off)
 *     "mode":            "auto",                             auto | server | client
 *     "announce":        ["/ip4/203.0.113.7/tcp/4001"],      addresses offered besides the listen addresses
 *     "upnp":            true,                               map the listen ports by UPnP (default: on for an auto node behind a NAT)
 *     "relayService":    "on",                               offer circuit relay v2 to NATed peers (on | off)
 *     "writeQuorum":     2,                                  acknowledgements a write needs (W, 1..R)
 *     "repairInterval":  60,                                 seconds between anti-entropy rounds (0 = off)
 *     "itemTtl":         172800,                             seconds others' items are kept after their last write
 *     "maxStorage":      1073741824,                         bytes of others' items this node takes
 *     "leaveTimeout":    10,                                 seconds of handoff on SIGTERM/SIGINT, then the leave notice (0 = neither)
 *     "maxConnections":  64,                                 connections kept open past their first 10 s (the rest close, strangers first)
 *     "forwardPuts":     "on"                                puts reach replicas behind a dial through a connected peer (on | off)
 *   }
 *
 * Flags given on the command line win over the file; list flags (--listen,
 * --bootstrap, --allow) are added to the file's lists.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { InvalidInputError } from '../errors.ts'

export interface DaemonConfig {
  listen?: string[]
  bootstrap?: string[]
  swarmKey?: string
  allow?: string[]
  mdns?: boolean
  api?: string
  dataDir?: string
  replicas?: number
  /** Seconds, as in the file (the daemon command turns it into ms where it reads it). */
  refreshInterval?: number
  /** auto | server | client */
  mode?: string
  /** Addresses offered to peers besides the listen addresses. */
  announce?: string[]
  upnp?: boolean
  /** "on" | "off": offer circuit relay v2 to NATed peers. */
  relayService?: string
  /** The same as the daemon flags of the same names: --write-quorum, --repair-interval (s), --item-ttl (s), --max-storage (bytes), --leave-timeout (s). */
  writeQuorum?: number
  repairInterval?: number
  itemTtl?: number
  maxStorage?: number
  leaveTimeout?: number
  /** --max-connections */
  maxConnections?: number
  /** "on" | "off": --forward-puts */
  forwardPuts?: string
}

const KEYS: Record<keyof DaemonConfig, 'strings' | 'string' | 'boolean' | 'number'> = {
  listen: 'strings',
  bootstrap: 'strings',
  swarmKey: 'string',
  allow: 'strings',
  mdns: 'boolean',
  api: 'string',
  dataDir: 'string',
  replicas: 'number',
  refreshInterval: 'number',
  mode: 'string',
  announce: 'strings',
  upnp: 'boolean',
  relayService: 'string',
  writeQuorum: 'number',
  repairInterval: 'number',
  itemTtl: 'number',
  maxStorage: 'number',
  leaveTimeout: 'number',
  maxConnections: 'number',
  forwardPuts: 'string'
}

/** Read and check a config file; paths in it are resolved against the file's directory. */
export async function loadConfig (file: string): Promise<DaemonConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err: any) {
    throw new InvalidInputError(`cannot read config file ${file}: ${err.code ?? err.message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err: any) {
    throw new InvalidInputError(`config file ${file} is not JSON: ${err.message}`)
  }
  const config = parseConfig(json, file)
  const base = dirname(resolve(file))
  if (config.swarmKey != null) config.swarmKey = resolve(base, config.swarmKey)
  if (config.dataDir != null) config.dataDir = resolve(base, config.dataDir)
  return config
}

export function parseConfig (json: unknown, where = 'config'): DaemonConfig {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) throw new InvalidInputError(`${where}: expected a JSON object`)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(json)) {
    const kind = KEYS[key as keyof DaemonConfig]
    if (kind == null) throw new InvalidInputError(`${where}: unknown key "${key}" (known: ${Object.keys(KEYS).join(', ')})`)
    const ok = kind === 'strings'
      ? Array.isArray(value) && value.every(v => typeof v === 'string')
      : kind === 'number' ? typeof value === 'number' && Number.isFinite(value) && value >= 0 : typeof value === kind
    if (!ok) throw new InvalidInputError(`${where}: "${key}" must be ${kind === 'strings' ? 'a list of strings' : `a ${kind}`}`)
    out[key] = value
  }
  return out as DaemonConfig
}
