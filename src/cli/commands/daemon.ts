import { resolve } from 'node:path'
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from '../../api/defaults.ts'
import { defaultDataDir } from '../../daemon/data-dir.ts'
import { DEFAULT_REPLICAS } from '../../constants.ts'
import { parseHostPort, parseInteger, UsageError } from '../args.ts'
import { write } from '../io.ts'
import { listenError } from '../listen-error.ts'
import type { Command } from '../command.ts'
import type { CliIo } from '../io.ts'
import type { Daemon, DaemonOptions } from '../../daemon/daemon.ts'
import { loadConfig } from '../../daemon/config.ts'
import type { DaemonConfig } from '../../daemon/config.ts'
import { tuneDaemonV8 } from '../../daemon/v8-flags.ts'

export const daemon: Command = {
  name: 'daemon',
  synopsis: 'daemon [--config FILE] [--data-dir DIR] [--listen MULTIADDR]... [--bootstrap MULTIADDR]... [--api HOST:PORT] [--replicas R] [--write-quorum W] [--repair-interval SECONDS] [--item-ttl SECONDS] [--max-storage BYTES] [--leave-timeout SECONDS] [--console] [--swarm-key FILE] [--allow PEERID]... [--mdns] [--refresh-interval SECONDS] [--mode auto|server|client] [--announce MULTIADDR]... [--upnp|--no-upnp] [--relay-service on|off] [--max-connections N] [--forward-puts on|off]',
  summary: `run a node and its HTTP API (default API ${DEFAULT_API_HOST}:${DEFAULT_API_PORT}, loopback only) until SIGINT/SIGTERM`,
  options: {
    'data-dir': { type: 'string' },
    listen: { type: 'string', multiple: true },
    bootstrap: { type: 'string', multiple: true },
    api: { type: 'string' },
    replicas: { type: 'string' },
    'write-quorum': { type: 'string' },
    'repair-interval': { type: 'string' },
    'item-ttl': { type: 'string' },
    'max-storage': { type: 'string' },
    'leave-timeout': { type: 'string' },
    console: { type: 'boolean' },
    config: { type: 'string' },
    'swarm-key': { type: 'string' },
    allow: { type: 'string', multiple: true },
    mdns: { type: 'boolean' },
    'refresh-interval': { type: 'string' },
    mode: { type: 'string' },
    announce: { type: 'string', multiple: true },
    upnp: { type: 'boolean' },
    'no-upnp': { type: 'boolean' },
    'relay-service': { type: 'string' },
    'max-connections': { type: 'string' },
    'forward-puts': { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    // first, so V8 sizes the heap for a long-lived mostly idle process before libp2p loads (src/daemon/v8-flags.ts)
    tuneDaemonV8(io.env)
    const config = typeof values.config === 'string' ? await asUsageError(async () => loadConfig(values.config as string)) : {}
    // loaded here, not at the top: `toyrrent help` lists this command without loading libp2p
    const { multiaddr } = await import('@multiformats/multiaddr')
    const { peerIdFromString } = await import('@libp2p/peer-id')
    const options: DaemonOptions = {
      ...daemonOptions(values, io.env, config, { multiaddr, peerIdFromString }),
      // bootstrap healing: one line per round that dialled someone, on stderr
      onBootstrapRetry: event => {
        const next = event.nextInMs > 0 ? `; next try in about ${Math.max(1, Math.round(event.nextInMs / 1000))} s` : ''
        io.stderr.write(`toyrrent: bootstrap retry: reached ${event.reached} of ${event.dialled}; ${event.peersAfter} peers in the routing table${next}\n`)
      },
      onModeChange: change => {
        io.stderr.write(`toyrrent: reachability ${change.reachability}, mode ${change.mode} (after ${change.afterMs} ms)\n`)
      }
    }
    // a long-running node logs a stray rejection instead of dying with every item it holds
    process.on('unhandledRejection', (err: any) => {
      io.stderr.write(`toyrrent: internal error (please report): ${err?.stack ?? err}\n`)
    })
    // loaded here so client commands never pay for libp2p
    const { startDaemon } = await import('../../daemon/daemon.ts')
    // listen before starting: a signal during start-up stops the node once it is up
    const signalled = untilSignal(io)
    let running: Daemon
    try {
      running = await startDaemon(options)
    } catch (err) {
      throw listenError(err) ?? err
    }
    await warnFewPeers(running, io)
    await announce(running, options, io)
    // --console: commands on stdin, one per line (src/cli/console.ts); its end does not stop the daemon
    const repl = values.console === true
      ? (await import('../console.ts')).startConsole({ node: running.node, input: io.stdin, output: io.stdout })
      : undefined
    await signalled
    repl?.close()
    await write(io.stdout, 'stopping\n')
    await running.stop()
    await write(io.stdout, 'stopped\n')
    return 0
  }
}

/** Flags win over the config file; list flags add to its lists. */
interface Parsers {
  multiaddr: typeof import('@multiformats/multiaddr').multiaddr
  peerIdFromString: typeof import('@libp2p/peer-id').peerIdFromString
}

function daemonOptions (values: Record<string, unknown>, env: NodeJS.ProcessEnv, config: DaemonConfig, parsers: Parsers): DaemonOptions {
  const apiText = typeof values.api === 'string' ? values.api : config.api
  const api = apiText != null ? parseHostPort(apiText) : { host: DEFAULT_API_HOST, port: DEFAULT_API_PORT }
  const listen = merged(config.listen, values.listen as string[] | undefined)
  const bootstrap = merged(config.bootstrap, values.bootstrap as string[] | undefined)
  const allow = merged(config.allow, values.allow as string[] | undefined)
  listen?.forEach(addr => checkMultiaddr(parsers, addr, '--listen', false))
  bootstrap?.forEach(addr => checkMultiaddr(parsers, addr, '--bootstrap', true))
  allow?.forEach(peer => checkPeerId(parsers, peer))
  const refresh = typeof values['refresh-interval'] === 'string' ? parseInteger(values['refresh-interval'], '--refresh-interval', 0, 86_400) : config.refreshInterval
  const replicas = typeof values.replicas === 'string' ? parseInteger(values.replicas, '--replicas', 1, 20) : config.replicas
  const redundancy = redundancyOptions(values, config)
  // W > R could never be met: a usage error now, not a failed start
  const r = replicas ?? DEFAULT_REPLICAS
  if (redundancy?.writeQuorum != null && redundancy.writeQuorum > r) {
    throw new UsageError(`--write-quorum ${redundancy.writeQuorum} is more than the ${r} replicas (--replicas); W must be from 1 to R`)
  }
  return {
    dataDir: typeof values['data-dir'] === 'string' ? resolve(values['data-dir']) : config.dataDir ?? defaultDataDir(env),
    listen,
    bootstrap,
    replicas,
    redundancy,
    apiHost: api.host,
    apiPort: api.port,
    swarmKeyFile: typeof values['swarm-key'] === 'string' ? resolve(values['swarm-key']) : config.swarmKey,
    allow,
    mdns: values.mdns === true || config.mdns === true,
    refreshInterval: ms(refresh),
    // connections kept open past their grace (src/node/connection-trim.ts)
    maxConnections: typeof values['max-connections'] === 'string' ? parseInteger(values['max-connections'], '--max-connections', 1, 100_000) : config.maxConnections,
    ...reachabilityOptions(values, config, parsers)
  }
}

/** --mode, --announce, --upnp / --no-upnp (flags win over the file; announce lists add up). */
function reachabilityOptions (values: Record<string, unknown>, config: DaemonConfig, parsers: Parsers): Pick<DaemonOptions, 'mode' | 'announce' | 'upnp' | 'relayService'> {
  const mode = typeof values.mode === 'string' ? values.mode : config.mode
  if (mode != null && !['auto', 'server', 'client'].includes(mode)) throw new UsageError(`--mode must be auto, server or client, got "${mode}"`)
  const announce = merged(config.announce, values.announce as string[] | undefined)
  announce?.forEach(addr => checkMultiaddr(parsers, addr, '--announce', false))
  const upnp = values.upnp === true ? true : values['no-upnp'] === true ? false : config.upnp
  const relayService = onOff('relay-service', typeof values['relay-service'] === 'string' ? values['relay-service'] : config.relayService)
  return { mode: mode as DaemonOptions['mode'], announce, upnp, relayService }
}

function merged (fromConfig: string[] | undefined, fromFlags: string[] | undefined): string[] | undefined {
  if (fromConfig == null && fromFlags == null) return undefined
  return [...(fromConfig ?? []), ...(fromFlags ?? [])]
}

function checkPeerId ({ peerIdFromString }: Parsers, text: string): void {
  try {
    peerIdFromString(text)
  } catch (err) {
    throw new UsageError(`--allow "${text}" is not a peer id: ${(err as Error).message}`)
  }
}

async function asUsageError<T> (load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (err) {
    if ((err as Error).name === 'InvalidInputError') throw new UsageError((err as Error).message)
    throw err
  }
}

/**
 * --repair-interval, --item-ttl, --max-storage, --leave-timeout, --write-quorum,
 * --forward-puts, else the config file's repairInterval, itemTtl, maxStorage,
 * leaveTimeout, writeQuorum, forwardPuts: absent ones keep the node's
 * defaults. Durations are typed in seconds and passed on in ms.
 */
function redundancyOptions (values: Record<string, unknown>, config: DaemonConfig): DaemonOptions['redundancy'] {
  const int = (flag: string, min: number, max: number, fromConfig: number | undefined): number | undefined => {
    if (typeof values[flag] === 'string') return parseInteger(values[flag], `--${flag}`, min, max)
    if (fromConfig != null && (!Number.isInteger(fromConfig) || fromConfig < min || fromConfig > max)) {
      throw new UsageError(`config file: the value for --${flag} must be an integer from ${min} to ${max}, got ${fromConfig}`)
    }
    return fromConfig
  }
  return {
    repairInterval: ms(int('repair-interval', 0, 86_400, config.repairInterval)),
    itemTtl: ms(int('item-ttl', 1, 365 * 86_400, config.itemTtl)),
    maxStorageBytes: int('max-storage', 0, Number.MAX_SAFE_INTEGER, config.maxStorage),
    leaveTimeout: ms(int('leave-timeout', 0, 3600, config.leaveTimeout)),
    writeQuorum: int('write-quorum', 1, 20, config.writeQuorum),
    forwardPuts: onOff('forward-puts', typeof values['forward-puts'] === 'string' ? values['forward-puts'] : config.forwardPuts)
  }
}

/** An on|off flag (or its config key) as a boolean; absent stays absent. */
function onOff (flag: string, value: string | undefined): boolean | undefined {
  if (value != null && value !== 'on' && value !== 'off') throw new UsageError(`--${flag} must be on or off, got "${value}"`)
  return value == null ? undefined : value === 'on'
}

/** Seconds (from a flag or the config file) in ms; absent stays absent. */
function ms (seconds: number | undefined): number | undefined {
  return seconds == null ? undefined : seconds * 1000
}

function checkMultiaddr ({ multiaddr }: Parsers, text: string, flag: string, needsPeerId: boolean): void {
  let components
  try {
    components = multiaddr(text).getComponents()
  } catch (err) {
    throw new UsageError(`${flag} "${text}" is not a multiaddr: ${(err as Error).message}`)
  }
  if (needsPeerId && !components.some(c => c.name === 'p2p')) {
    throw new UsageError(`${flag} "${text}" has no peer id; it must end with /p2p/<peer id>`)
  }
}

/** Tell the user who the node is, where it listens, and how to use it. Line formats are stable (tests parse them). */
async function announce (running: Daemon, options: DaemonOptions, io: CliIo): Promise<void> {
  const addrs = running.multiaddrs.map(ma => ma.toString())
  // another machine cannot dial a loopback address: suggest a routable one when there is one
  const joinAddr = addrs.find(ma => !/^\/(ip4\/127\.|ip6\/::1\/)/.test(ma)) ?? addrs[0]
  const loopback = /^(127\.|::1$|localhost$)/.test(options.apiHost ?? DEFAULT_API_HOST)
  const flag = options.dataDir === defaultDataDir(io.env) ? '' : ` --data-dir ${shellQuote(options.dataDir)}`
  const lines = [
    `toyrrent daemon, data dir ${options.dataDir}`,
    `peer id: ${running.peerId.toString()}`,
    ...addrs.map(ma => `listening: ${ma}`),
    ...(options.bootstrap == null ? [] : [`bootstrap: reached ${running.bootstrapped} of ${options.bootstrap.length}`]),
    ...(running.node.rejoined > 0 ? [`rejoined: ${running.node.rejoined} remembered peers`] : []),
    ...fewReplicasLine(running),
    ...(options.swarmKeyFile == null ? [] : [`private network: swarm key ${options.swarmKeyFile}`]),
    ...(options.allow == null ? [] : [`allowlist: ${options.allow.length} peers`]),
    ...(options.mdns === true ? ['mdns: finding peers on the local network'] : []),
    `mode: ${running.node.modes.mode} (--mode ${running.node.modes.setting}), reachability ${running.node.modes.reachability}`,
    ...(running.node.quicDisabledBySwarmKey ? ['quic: off (a private network runs on TCP only)'] : []),
    `api: http://${running.api}`,
    loopback
      ? `The HTTP API listens on ${running.api} (loopback only).`
      : `WARNING: the HTTP API listens on ${running.api} and has no authentication: anyone who can reach it can use this node.`,
    '',
    'Use it from another terminal:',
    `  toyrrent put${flag} 'hello'        store a value; prints its key`,
    `  echo hi | toyrrent put${flag}      store stdin`,
    `  toyrrent get${flag} KEY            print the value (found on any node of the network)`,
    `  toyrrent id${flag}                 also: peers, find-before-n KEY [N]; --json; toyrrent help`,
    // a second node needs its own data dir and ports, or it fails on this machine (lock, busy port)
    'Another node joins with (on this machine: its own data dir, any free ports):',
    `  toyrrent daemon --data-dir ${shellQuote(`${options.dataDir}-2`)} --listen /ip4/0.0.0.0/tcp/0 --api 127.0.0.1:0 --bootstrap ${joinAddr ?? '/ip4/HOST/tcp/PORT/p2p/PEER_ID'}`,
    'Stop with Ctrl-C.',
    ''
  ]
  await write(io.stdout, lines.join('\n'))
}

/**
 * A node that knows fewer than W − 1 peers cannot acknowledge a write at all:
 * say so at start, on stderr, rather than at the first failed put. (One that
 * knows fewer than R − 1 but enough for W gets a `replicas:` line in the
 * announcement instead: writes work, with fewer copies.)
 */
async function warnFewPeers (running: Daemon, io: CliIo): Promise<void> {
  const { toyrrent } = running.node
  const peers = toyrrent.stats().peers
  const { replicas, writeQuorum } = toyrrent
  if (peers + 1 >= writeQuorum) return
  await write(io.stderr, `toyrrent: warning: this node knows ${peers} peer(s), fewer than the ${replicas - 1} that --replicas ${replicas} needs; writes need ${writeQuorum} acknowledgements (W) and fail with insufficient-peers until ${writeQuorum - 1 - peers} more node(s) join; a one-node network needs --replicas 1\n`)
}

/** The `replicas:` line when the node knows enough peers for W but fewer than R − 1. */
function fewReplicasLine (running: Daemon): string[] {
  const { toyrrent } = running.node
  const peers = toyrrent.stats().peers
  const { replicas, writeQuorum } = toyrrent
  if (peers + 1 >= replicas || peers + 1 < writeQuorum) return []
  return [`replicas: this node knows ${peers} peer(s), fewer than the ${replicas - 1} that --replicas ${replicas} needs; writes get their ${writeQuorum} acknowledgements, but items are kept on ${peers + 1} nodes instead of ${replicas} until more join`]
}

/** Resolve on the first SIGINT/SIGTERM; a second one exits at once. */
async function untilSignal (io: CliIo): Promise<void> {
  await new Promise<void>(resolve => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      const force = (): void => {
        io.stderr.write(`toyrrent: second ${signal}, exiting without a clean shutdown\n`)
        process.exit(1)
      }
      process.once('SIGINT', force)
      process.once('SIGTERM', force)
      resolve()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}

function shellQuote (text: string): string {
  return /^[\w./~-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}
