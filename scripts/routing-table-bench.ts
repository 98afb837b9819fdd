/**
 * One routing table or two: what running @libp2p/kad-dht beside toyrrent's
 * own table costs a node (issue 10, item 4).
 *
 *   npx node --expose-gc dist/scripts/routing-table-bench.js [--nodes 20] [--ops 200] [--runs 2] [--out FILE]
 *
 * Two configurations of one stack, that of createToyrrentNode (src/node.ts):
 * TCP on 127.0.0.1, Noise, Yamux (the same stream window), identify, ping,
 * the same connection-manager settings, an in-memory datastore, the toyrrent
 * service; `kad` adds kad-dht in server mode under toyrrent's old protocol id
 * (what createToyrrentNode ran until this change), `no-kad` is the same stack
 * without it. The stack is built here rather than by createToyrrentNode so
 * both configurations stay reproducible whatever node.ts runs.
 *
 * Each run is a fresh child process of this script (`--worker CONFIG`), so
 * runs never share a heap; configurations alternate. A run forms a network of
 * --nodes nodes as test/helpers/testnet.ts does (each joins through a random
 * earlier one, then every node looks itself up once more), lets it settle,
 * then measures: RSS and heap per node (after GC), CPU and wall time to form,
 * CPU in the settle window (background work such as kad-dht's self-query),
 * open connections per node, and the CPU and wall time of --ops sequential
 * puts of distinct 1 KiB values from one node and --ops gets of them from
 * another (a get on the writing node is answered from its own pinned copy,
 * and so is one on any other holder; so the reader is the node holding
 * fewest of the items, and it reads the ones it does not hold, round robin,
 * --ops gets in all, each one asking the network). All nodes
 * run in this process, so CPU is the whole network's; the load average of
 * the machine at the start and end is recorded (it is shared).
 *
 * Bounded: --ops operations per phase, each with a deadline; a phase stops
 * after --phase-budget-s; a worker is killed after --max-seconds. Prints
 * JSON (stdout, or --out FILE) with every run and the median, min, max and
 * spread ((max − min) / median) of each figure per configuration.
 */
import { spawn } from 'node:child_process'
import { writeFile, mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { MemoryDatastore } from 'datastore-core'
import { multiaddr } from '@multiformats/multiaddr'
import { Toyrrent } from '../src/service/toyrrent.ts'
import { DEFAULT_INBOUND_CONNECTION_THRESHOLD, MAX_STREAM_WINDOW_BYTES } from '../src/constants.ts'
import { equalBytes, mib, randomInt, rng, round, settleGc, summarise, withTimeout } from './lib/stats.ts'
import type { ToyrrentComponents } from '../src/service/toyrrent.ts'
import type { Libp2p } from '@libp2p/interface'

type Config = 'kad' | 'no-kad'
const CONFIGS: Config[] = ['kad', 'no-kad']

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '20' },
    ops: { type: 'string', default: '200' },
    runs: { type: 'string', default: '2' },
    configs: { type: 'string', default: CONFIGS.join(',') },
    'value-bytes': { type: 'string', default: '1024' },
    'settle-s': { type: 'string', default: '5' },
    'op-timeout-ms': { type: 'string', default: '10000' },
    'phase-budget-s': { type: 'string', default: '60' },
    'max-seconds': { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    worker: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})

if (args.help) {
  process.stdout.write(`usage: node --expose-gc dist/scripts/routing-table-bench.js [--nodes 20] [--ops 200] [--runs 2]
  [--configs kad,no-kad] [--value-bytes 1024] [--settle-s 5] [--op-timeout-ms 10000]
  [--phase-budget-s 60] [--max-seconds 300] [--seed 1] [--out FILE]\n`)
  process.exit(0)
}

const num = (name: keyof typeof args, min = 0): number => {
  const v = Number(args[name])
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min}`)
  return v
}

const nodeCount = num('nodes', 2)
const ops = num('ops')
const runs = num('runs', 1)
const valueBytes = num('value-bytes', 1)
const settleMs = num('settle-s') * 1000
const opTimeoutMs = num('op-timeout-ms', 1)
const phaseBudgetMs = num('phase-budget-s', 1) * 1000
const maxMs = num('max-seconds', 1) * 1000
const seed = num('seed')
const configs = String(args.configs).split(',').map(s => s.trim()).filter(Boolean) as Config[]
for (const c of configs) if (!CONFIGS.includes(c)) throw new Error(`unknown config ${c}`)

// ------------------------------------------------------------ one run (worker)

/** The protocol id createToyrrentNode gave kad-dht. */
const KAD_PROTOCOL = '/toyrrent/kad/1.0.0'

type BenchLibp2p = Libp2p<{ toyrrent: Toyrrent, dht?: unknown }>

async function createNode (config: Config, kadDHT?: (init: any) => any): Promise<BenchLibp2p> {
  return createLibp2p({
    datastore: new MemoryDatastore(),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    connectionManager: { inboundConnectionThreshold: DEFAULT_INBOUND_CONNECTION_THRESHOLD, maxIncomingPendingConnections: 64 },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: MAX_STREAM_WINDOW_BYTES } })],
    services: {
      identify: identify(),
      ping: ping(),
      // as createToyrrentNode ran it: server mode, loopback addresses kept (its mapper on a LAN)
      ...(config === 'kad' ? { dht: kadDHT!({ protocol: KAD_PROTOCOL, clientMode: false, peerInfoMapper: (peer: unknown) => peer }) } : {}),
      toyrrent: (components: ToyrrentComponents) => new Toyrrent(components, { allowPrivateAddresses: true, leaveTimeout: 0 })
    }
  }) as Promise<BenchLibp2p>
}

function loopbackAddr (libp2p: Libp2p): string {
  const addr = libp2p.getMultiaddrs().find(a => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr == null) throw new Error('node has no loopback address')
  return addr.toString()
}

/** CPU time (user + system) of this process since `from`, in ms. */
function cpuMs (from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from)
  return (d.user + d.system) / 1000
}

interface PhaseFigures { ops: number, failed: number, wallMs: number, cpuMs: number, latencyMs: ReturnType<typeof summarise> }

async function phase (count: number, op: (i: number, signal: AbortSignal) => Promise<boolean>): Promise<PhaseFigures> {
  const latencies: number[] = []
  let failed = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < count && performance.now() - start < phaseBudgetMs; i++) {
    const t = performance.now()
    const ok = await op(i, AbortSignal.timeout(opTimeoutMs)).catch(() => false)
    latencies.push(performance.now() - t)
    if (!ok) failed++
  }
  return { ops: latencies.length, failed, wallMs: round(performance.now() - start, 1), cpuMs: round(cpuMs(cpu), 1), latencyMs: summarise(latencies) }
}

function countKadRequests (node: BenchLibp2p, counts: { kad: number }): void {
  // a scripts-only probe of kad-dht's private network field: how many requests its own upkeep sends
  const network = (node.services.dht as any)?.network
  if (network == null || typeof network.sendRequest !== 'function') return
  const original = network.sendRequest.bind(network)
  network.sendRequest = (...a: unknown[]) => { counts.kad++; return original(...a) }
}

async function runOnce (config: Config): Promise<Record<string, unknown>> {
  const random = rng(seed)
  await settleGc()
  const base0 = process.memoryUsage()
  // kad-dht's code is loaded only where it runs; its load is measured on its own
  const kadDHT = config === 'kad' ? (await import('@libp2p/kad-dht')).kadDHT : undefined
  await settleGc()
  const base = process.memoryUsage()
  const moduleRssBytes = base.rss - base0.rss

  const nodes: BenchLibp2p[] = []
  const kadCounts = { kad: 0 }
  try {
    const formCpu = process.cpuUsage()
    const formStart = performance.now()
    const deadline = AbortSignal.timeout(maxMs)
    for (let i = 0; i < nodeCount; i++) {
      const node = await createNode(config, kadDHT)
      countKadRequests(node, kadCounts)
      nodes.push(node)
      if (i === 0) continue
      // what createToyrrentNode's bootstrap does: dial, then join (self lookup + handoff)
      await node.dial(multiaddr(loopbackAddr(nodes[randomInt(random, i)])), { signal: AbortSignal.any([deadline, AbortSignal.timeout(10_000)]) })
      await node.services.toyrrent.join({ signal: deadline })
    }
    await Promise.all(nodes.map(async n => n.services.toyrrent.refresh({ signal: deadline })))
    const formMs = performance.now() - formStart
    const formCpuMs = cpuMs(formCpu)
    const kadRequestsForming = kadCounts.kad

    // what keeps running once the network stands (kad-dht's self-query, identify pushes ...)
    const settleCpu = process.cpuUsage()
    await new Promise(resolve => setTimeout(resolve, settleMs))
    const settleCpuMs = cpuMs(settleCpu)
    const kadRequestsSettling = kadCounts.kad - kadRequestsForming

    await settleGc()
    const mem = process.memoryUsage()
    const connections = nodes.map(n => n.getConnections().length)
    const peers = nodes.map(n => new Set(n.getConnections().map(c => c.remotePeer.toString())).size)
    const tables = nodes.map(n => n.services.toyrrent.stats().peers)
    const kadTables = nodes.map(n => (n.services.dht as any)?.routingTable?.size as number | undefined).filter(x => x != null)

    // puts from one node, gets of the same keys from another
    const writer = 0
    const values = Array.from({ length: ops }, () => {
      const v = new Uint8Array(valueBytes)
      for (let j = 0; j < v.length; j++) v[j] = randomInt(random, 256)
      return v
    })
    const keys: Uint8Array[] = []
    const kadBeforeOps = kadCounts.kad
    const puts = await phase(ops, async (i, signal) => {
      const { key, stored } = await nodes[writer].services.toyrrent.put(values[i], { signal })
      keys[i] = key
      return stored.length > 0
    })
    // the reader: the node (not the writer) holding fewest of the items itself; it reads the
    // ones it does not hold, round robin, so every get asks the network
    const held = (n: number): number => keys.filter(k => k != null && nodes[n].services.toyrrent.holdsLocally(k)).length
    let reader = writer === 0 ? 1 : 0
    for (let n = 0; n < nodes.length; n++) if (n !== writer && held(n) < held(reader)) reader = n
    const remote = keys.map((key, i) => ({ key, value: values[i] })).filter(({ key }) => key != null && !nodes[reader].services.toyrrent.holdsLocally(key))
    const gets = await phase(remote.length === 0 ? 0 : ops, async (i, signal) => {
      const { key, value } = remote[i % remote.length]
      return equalBytes(await nodes[reader].services.toyrrent.get(key, { signal }), value)
    })

    const stat = (xs: number[]): Record<string, number> => xs.length === 0
      ? {}
      : { mean: round(xs.reduce((s, x) => s + x, 0) / xs.length, 2), min: Math.min(...xs), max: Math.max(...xs) }
    return {
      config,
      nodes: nodeCount,
      formMs: round(formMs, 1),
      formCpuMs: round(formCpuMs, 1),
      settleMs,
      settleCpuMs: round(settleCpuMs, 1),
      kadRequests: config === 'kad' ? { forming: kadRequestsForming, settling: kadRequestsSettling, duringOps: kadCounts.kad - kadBeforeOps } : null,
      memory: {
        perNodeRssMiB: mib((mem.rss - base.rss) / nodeCount),
        perNodeHeapUsedMiB: mib((mem.heapUsed - base.heapUsed) / nodeCount),
        rssMiB: mib(mem.rss),
        heapUsedMiB: mib(mem.heapUsed),
        baselineRssMiB: mib(base.rss),
        kadModuleRssMiB: config === 'kad' ? mib(moduleRssBytes) : null
      },
      connectionsPerNode: stat(connections),
      connectedPeersPerNode: stat(peers),
      toyrrentTablePerNode: stat(tables),
      kadTablePerNode: stat(kadTables),
      puts,
      gets: { ...gets, readerHolds: keys.length - remote.length, distinctKeys: remote.length }
    }
  } finally {
    await Promise.allSettled(nodes.map(async n => withTimeout(Promise.resolve(n.stop()), 10_000, 'node stop')))
  }
}

const RESULT_PREFIX = 'ROUTING-BENCH-RESULT '

if (args.worker != null) {
  const config = args.worker as Config
  if (!CONFIGS.includes(config)) throw new Error(`unknown --worker ${config}`)
  const result = await runOnce(config)
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n')
  process.exit(0)
}

// ------------------------------------------------------------ the runs (parent)

async function runWorker (config: Config): Promise<Record<string, any>> {
  const argv = process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out')
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...argv, '--worker', config], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, maxMs + 30_000)
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  clearTimeout(timer)
  const line = out.split('\n').find(l => l.startsWith(RESULT_PREFIX))
  if (line == null) throw new Error(`${config} run ended (code ${code}) without a result`)
  return JSON.parse(line.slice(RESULT_PREFIX.length))
}

/** The figures compared, as paths into a run's result. */
const FIGURES: Record<string, (r: any) => number | undefined> = {
  'RSS MiB/node': r => r.memory.perNodeRssMiB,
  'heap MiB/node': r => r.memory.perNodeHeapUsedMiB,
  'form CPU ms': r => r.formCpuMs,
  'form wall ms': r => r.formMs,
  'settle CPU ms': r => r.settleCpuMs,
  'connections/node': r => r.connectionsPerNode.mean,
  'puts CPU ms': r => r.puts.cpuMs,
  'puts wall ms': r => r.puts.wallMs,
  'gets CPU ms': r => r.gets.cpuMs,
  'gets wall ms': r => r.gets.wallMs,
  'put p50 ms': r => r.puts.latencyMs.p50,
  'get p50 ms': r => r.gets.latencyMs.p50,
  'failed ops': r => r.puts.failed + r.gets.failed
}

function spread (xs: number[]): Record<string, number> {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length / 2
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2
  const min = sorted[0]
  const max = sorted[sorted.length - 1]
  return { median: round(median, 2), min: round(min, 2), max: round(max, 2), spread: median === 0 ? 0 : round((max - min) / median, 3) }
}

const started = Date.now()
const startLoad = os.loadavg().map(x => round(x, 2))
const results: Record<Config, Array<Record<string, any>>> = { kad: [], 'no-kad': [] }
for (let run = 0; run < runs; run++) {
  for (const config of configs) {
    process.stderr.write(`run ${run + 1}/${runs}: ${config} ...\n`)
    results[config].push(await runWorker(config))
  }
}

const summary: Record<string, Record<string, unknown>> = {}
for (const [name, pick] of Object.entries(FIGURES)) {
  summary[name] = {}
  for (const config of configs) {
    const xs = results[config].map(pick).filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
    summary[name][config] = xs.length === 0 ? null : spread(xs)
  }
}

const report = {
  bench: 'routing table: toyrrent with kad-dht beside it vs toyrrent alone',
  command: `node --expose-gc dist/scripts/routing-table-bench.js ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 1024 ** 3, 1), node: process.version },
  options: { nodes: nodeCount, ops, runs, valueBytes, settleMs, opTimeoutMs, seed },
  wallSeconds: round((Date.now() - started) / 1000, 1),
  loadAverage: { start: startLoad, end: os.loadavg().map(x => round(x, 2)) },
  summary,
  runs: results
}

const rows = [['figure', ...configs.map(c => `${c} median (min–max)`)]]
for (const [name, per] of Object.entries(summary)) {
  rows.push([name, ...configs.map(c => {
    const s = per[c] as any
    return s == null ? '-' : `${s.median} (${s.min}–${s.max})`
  })])
}
const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)))
const table = rows.map(r => r.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n') + '\n'

const json = JSON.stringify(report, null, 2) + '\n'
if (args.out != null) {
  const file = resolve(args.out)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, json)
  process.stdout.write(table)
  process.stderr.write(`written: ${file}\n`)
} else {
  process.stdout.write(json)
  process.stderr.write(table)
}
