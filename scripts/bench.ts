/**
 * Benchmark harness: toyrrent against hyperdht, bittorrent-dht (both UDP) and
 * @libp2p/kad-dht (on toyrrent's own libp2p stack), in the same run, on 127.0.0.1.
 *
 *   npm run bench -- --nodes 20 [--impl toyrrent,hyperdht,bittorrent-dht,kad-dht]
 *                    [--rtt-ms 20] [--procs] [--out FILE] [--cpu-prof-dir DIR] ...
 *
 * --rtt-ms puts a delay in every socket (scripts/lib/delay-sockets.ts) and
 * adds latencies in round trips; every phase also counts new connections.
 * Reads go to a node without its own copy (toyrrent; hyperdht has no local
 * read path, bittorrent-dht gets skip its cache), so every get is remote.
 *
 * For each implementation: form an N-node network, then 200 sequential puts
 * and 200 sequential gets of distinct 1 KiB values from random nodes, 2,000
 * gets at concurrency 32, the same for publish/resolve (when the build has
 * them), RSS idle and after. Prints JSON (stdout, or --out FILE) with
 * toyrrent-vs-kad-dht ratios and a short table (stderr, or stdout with --out).
 *
 * In-process mode runs each implementation in a fresh child process of this
 * script (`--worker IMPL`) so the two never share a heap or the JIT; --procs
 * runs one child process per node (scripts/bench-node.ts). Every phase is
 * bounded by count and wall time; the whole run by --max-seconds.
 */
import { spawn } from 'node:child_process'
import os from 'node:os'
import { writeFile, mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Session } from 'node:inspector/promises'
import { createCluster } from './lib/cluster.ts'
import { runWorkload } from './lib/workload.ts'
import { round, summarise } from './lib/stats.ts'
import { IMPL_NAMES } from './lib/impl.ts'
import type { ImplName } from './lib/impl.ts'
import { installSocketDelay } from './lib/delay-sockets.ts'
import type { ImplResult, PhaseResult, WorkloadOptions } from './lib/workload.ts'
import type { InProcessCluster, ProcessCluster } from './lib/cluster.ts'
import { rpcFloor } from './lib/floor.ts'
import { FdPeak } from './lib/fd-census.ts'

// files of any size (scripts/files-bench.ts): its own workload and options
if (process.argv.includes('--files')) {
  const { runFilesBench } = await import('./files-bench.ts')
  await runFilesBench(process.argv.slice(2).filter(a => a !== '--files'))
  process.exit(0)
}

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '20' },
    procs: { type: 'boolean', default: false },
    impl: { type: 'string', default: IMPL_NAMES.join(',') },
    'rtt-ms': { type: 'string', default: '0' },
    puts: { type: 'string', default: '200' },
    'concurrent-ops': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    'value-bytes': { type: 'string', default: '1024' },
    replicas: { type: 'string' },
    'write-quorum': { type: 'string', default: '2' },
    'op-timeout-ms': { type: 'string', default: '10000' },
    'phase-budget-s': { type: 'string', default: '60' },
    'form-timeout-s': { type: 'string', default: '120' },
    'max-seconds': { type: 'string', default: '900' },
    seed: { type: 'string', default: '1' },
    'no-publish': { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
    'cold-reads': { type: 'string', default: '100' },
    'cold-puts': { type: 'string', default: '0' },
    'no-forward': { type: 'boolean', default: false },
    'no-optimistic-select': { type: 'boolean', default: false },
    'one-forwarder': { type: 'boolean', default: false },
    'no-doubt-view': { type: 'boolean', default: false },
    'one-hop': { type: 'boolean', default: false },
    'dial-view': { type: 'boolean', default: false },
    'no-quorum-hints': { type: 'boolean', default: false },
    'no-forward-puts': { type: 'boolean', default: false },
    // on by default: each cold read starts from the network as it was, not from one the earlier cold reads have thinned out
    'cold-restore': { type: 'boolean', default: true },
    'no-cold-restore': { type: 'boolean', default: false },
    out: { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    'cpu-prof-interval-us': { type: 'string', default: '100' },
    worker: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})

if (args.help) {
  process.stdout.write(`usage: npm run bench -- [--nodes 20] [--procs] [--impl ${IMPL_NAMES.join(',')}] [--rtt-ms 0] [--puts 200]
  [--concurrent-ops 2000] [--concurrency 32] [--value-bytes 1024] [--replicas R] [--write-quorum 2]
  [--op-timeout-ms 10000] [--phase-budget-s 60] [--form-timeout-s 120] [--max-seconds 900] [--seed 1]
  [--no-publish] [--no-floor] [--cold-reads 100] [--cold-puts 0] [--no-cold-restore] [--no-forward] [--no-optimistic-select] [--one-forwarder] [--no-doubt-view] [--one-hop] [--dial-view] [--no-quorum-hints] [--no-forward-puts] [--out FILE] [--cpu-prof-dir DIR] [--cpu-prof-interval-us 100]\n`)
  process.exit(0)
}

const num = (name: keyof typeof args): number => {
  const v = Number(args[name])
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`)
  return v
}

const nodes = num('nodes')
const impls = String(args.impl).split(',').map(s => s.trim()).filter(Boolean) as ImplName[]
for (const impl of impls) if (!IMPL_NAMES.includes(impl)) throw new Error(`unknown --impl ${impl} (one of ${IMPL_NAMES.join(', ')})`)
const workload: Omit<WorkloadOptions, 'onPhase'> = {
  sequential: num('puts'),
  concurrentOps: num('concurrent-ops'),
  concurrency: Math.max(1, num('concurrency')),
  valueBytes: num('value-bytes'),
  opTimeoutMs: num('op-timeout-ms'),
  phaseBudgetMs: num('phase-budget-s') * 1000,
  seed: num('seed'),
  noPublish: args['no-publish'],
  rttMs: num('rtt-ms'),
  coldReads: num('cold-reads'),
  coldPuts: num('cold-puts'),
  coldRestore: args['cold-restore'] && !args['no-cold-restore'],
  replicas: args.replicas != null ? num('replicas') : 3
}
// every connection and datagram of this process (and of each node process) is delayed
installSocketDelay(workload.rttMs ?? 0)
// toyrrent's new RPC streams wait for the protocol's acceptance before their first request (the "before" of rpc/optimistic-select.ts); bench-node processes inherit it
if (args['no-optimistic-select']) process.env.BENCH_NO_OPTIMISTIC_SELECT = '1'
// toyrrent's forwarded reads fall back to the direct path after the first forwarder (no second one)
if (args['one-forwarder']) process.env.BENCH_ONE_FORWARDER = '1'
// toyrrent never doubts its view (the "before" of Neighbourhood.mayMiss): reads forward only when no replica of our view is connected, puts take far acknowledgers for the replica set
if (args['no-doubt-view']) process.env.BENCH_NO_DOUBT_VIEW = '1'
// the "before" of the second hop (rpc.md, "A second hop"): forwarded reads take one hop
if (args['one-hop']) process.env.BENCH_ONE_HOP = '1'
// the "before" of ForwardedReads.overOpen: a read whose view looks right dials the nearer peers its answers name
if (args['dial-view']) process.env.BENCH_DIAL_VIEW = '1'
// toyrrent's forwarded resolves send no quorum hints (the "before" of rpc.md's "Quorum hints")
if (args['no-quorum-hints']) process.env.BENCH_NO_QUORUM_HINTS = '1'
// toyrrent's puts never go through a connected forwarder (the "before" of forwarded-put.ts)
if (args['no-forward-puts']) process.env.BENCH_NO_FORWARD_PUTS = '1'
const clusterOptions = {
  nodes,
  replicas: args.replicas != null ? num('replicas') : undefined,
  writeQuorum: args['write-quorum'] != null ? num('write-quorum') : undefined,
  seed: num('seed'),
  formTimeoutMs: num('form-timeout-s') * 1000,
  // toyrrent's forwarded reads off: the cold-read phase's "before"
  ...(args['no-forward'] ? { forwardReads: false } : {})
}
const maxMs = num('max-seconds') * 1000

/** Profile each phase on its own with the inspector (same format as node --cpu-prof). */
function profiler (dir: string, impl: string): WorkloadOptions['onPhase'] {
  const session = new Session()
  session.connect()
  return async (phase, event) => {
    if (event === 'start') {
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: num('cpu-prof-interval-us') })
      await session.post('Profiler.start')
    } else {
      const { profile } = await session.post('Profiler.stop')
      await mkdir(dir, { recursive: true })
      const file = join(dir, `${impl}-${nodes}n-${phase}.cpuprofile`)
      await writeFile(file, JSON.stringify(profile))
      process.stderr.write(`cpu profile: ${file}\n`)
    }
  }
}

/** Run one implementation with its cluster in this process or one process per node. */
async function runImpl (impl: ImplName, procs: boolean): Promise<ImplResult> {
  // in process, the nodes' sockets are this process's descriptors: the most seen open, formation included
  const fdPeak = procs ? undefined : new FdPeak()
  const cluster = await createCluster({ ...clusterOptions, impl, procs }).catch(async err => { await fdPeak?.stop(); throw err })
  try {
    const profile = args['cpu-prof-dir'] != null ? profiler(resolve(args['cpu-prof-dir']), impl) : undefined
    process.stderr.write(`bench: ${impl}: formed in ${Math.round(cluster.formMs / 1000)} s\n`)
    // a long run says where it is (a failure then names its phase)
    const onPhase: WorkloadOptions['onPhase'] = async (phase, event) => {
      if (event === 'start') process.stderr.write(`bench: ${impl}: ${phase}\n`)
      await profile?.(phase, event)
    }
    const result = await runWorkload(cluster, { ...workload, onPhase })
    result.procs = procs
    if (!procs && impl === 'toyrrent' && !args['no-floor']) {
      await onPhase?.('rpcFloor', 'start')
      result.rpcFloor = await rpcFloor(cluster as InProcessCluster)
      await onPhase?.('rpcFloor', 'end')
    }
    if (procs) result.ipcRoundTripMs = summarise((cluster as ProcessCluster).roundTrips)
    if (fdPeak != null) result.fds = { ...result.fds, peak: await fdPeak.stop() }
    return result
  } finally {
    await cluster.stop()
  }
}

const RESULT_PREFIX = 'BENCH-RESULT '

/** In-process mode: each implementation in a fresh process of this script. */
async function runWorker (impl: ImplName, timeoutMs: number): Promise<ImplResult> {
  const argv = process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out')
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...argv, '--worker', impl], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  clearTimeout(timer)
  const line = out.split('\n').find(l => l.startsWith(RESULT_PREFIX))
  if (line == null) throw new Error(`${impl} worker ended (code ${code}) without a result`)
  return JSON.parse(line.slice(RESULT_PREFIX.length))
}

// ------------------------------------------------------------ comparison

type Ratio = number | null

/** >1 means toyrrent is better: other/toyrrent for times and memory, toyrrent/other for throughput. */
function ratio (toyrrent: number | undefined, other: number | undefined, higherIsBetter = false): Ratio {
  if (toyrrent == null || other == null || !Number.isFinite(toyrrent) || !Number.isFinite(other) || toyrrent <= 0 || other <= 0) return null
  return round(higherIsBetter ? toyrrent / other : other / toyrrent, 2)
}

const phase = (r: ImplResult | undefined, name: keyof ImplResult): PhaseResult | undefined => {
  const p = r?.[name] as any
  return p != null && p.latencyMs != null ? p : undefined
}

interface Metric { name: string, pick: (r: ImplResult | undefined) => number | undefined, higherIsBetter?: boolean, ratio?: boolean }

const METRICS: Metric[] = [
  { name: 'put p50 ms', pick: r => phase(r, 'put')?.latencyMs.p50 },
  { name: 'put p95 ms', pick: r => phase(r, 'put')?.latencyMs.p95 },
  { name: 'put p99 ms', pick: r => phase(r, 'put')?.latencyMs.p99 },
  { name: 'get p50 ms', pick: r => phase(r, 'get')?.latencyMs.p50 },
  { name: 'get p95 ms', pick: r => phase(r, 'get')?.latencyMs.p95 },
  { name: 'get p99 ms', pick: r => phase(r, 'get')?.latencyMs.p99 },
  { name: 'cold get p50 RTT', pick: r => phase(r, 'getCold')?.roundTrips?.p50 },
  { name: 'cold get p95 RTT', pick: r => phase(r, 'getCold')?.roundTrips?.p95 },
  { name: 'cold get new conns/op', pick: r => phase(r, 'getCold')?.newConnectionsPerOp },
  { name: 'cold resolve p50 RTT', pick: r => phase(r, 'resolveCold')?.roundTrips?.p50 },
  { name: 'cold resolve p95 RTT', pick: r => phase(r, 'resolveCold')?.roundTrips?.p95 },
  { name: 'cold resolve new conns/op', pick: r => phase(r, 'resolveCold')?.newConnectionsPerOp },
  { name: 'cold put p50 RTT', pick: r => phase(r, 'putCold')?.roundTrips?.p50 },
  { name: 'cold put p95 RTT', pick: r => phase(r, 'putCold')?.roundTrips?.p95 },
  { name: 'cold put new conns/op', pick: r => phase(r, 'putCold')?.newConnectionsPerOp },
  { name: 'gets/s @c', pick: r => phase(r, 'getConcurrent')?.opsPerSec, higherIsBetter: true },
  { name: 'publish p50 ms', pick: r => phase(r, 'publish')?.latencyMs.p50 },
  { name: 'publish p99 ms', pick: r => phase(r, 'publish')?.latencyMs.p99 },
  { name: 'resolve p50 ms', pick: r => phase(r, 'resolve')?.latencyMs.p50 },
  { name: 'resolve p99 ms', pick: r => phase(r, 'resolve')?.latencyMs.p99 },
  { name: 'resolves/s @c', pick: r => phase(r, 'resolveConcurrent')?.opsPerSec, higherIsBetter: true },
  { name: 'put CPU ms/op', pick: r => phase(r, 'put')?.cpuMsPerOp },
  { name: 'gets@c CPU ms/op', pick: r => phase(r, 'getConcurrent')?.cpuMsPerOp },
  { name: 'resolves@c CPU ms/op', pick: r => phase(r, 'resolveConcurrent')?.cpuMsPerOp },
  { name: 'form ms', pick: r => r?.formMs },
  { name: 'settle ms', pick: r => r?.settleMs, ratio: false },
  { name: 'idle RSS MiB/node', pick: r => r?.memoryIdle.perNodeRssMiB },
  { name: 'RSS MiB/node after', pick: r => r?.memoryAfter?.perNodeRssMiB },
  { name: 'table size mean', pick: r => r?.tableSize.mean, ratio: false },
  { name: 'open conns/node formed', pick: r => r?.connections?.afterFormation?.perNodeMean, ratio: false },
  { name: 'open conns/node after', pick: r => r?.connections?.after?.perNodeMean, ratio: false },
  { name: 'open fds peak', pick: r => r?.fds?.peak, ratio: false },
  ...(['put', 'get', 'publish', 'resolve'] as const).flatMap(op => [
    { name: `${op} RTT p50`, pick: (r: ImplResult | undefined) => phase(r, op)?.roundTrips?.p50 },
    { name: `${op} RTT p95`, pick: (r: ImplResult | undefined) => phase(r, op)?.roundTrips?.p95 }
  ]),
  ...(['put', 'get', 'publish', 'resolve'] as const).flatMap(op => [
    { name: `${op} new conns/op`, pick: (r: ImplResult | undefined) => phase(r, op)?.newConnectionsPerOp, ratio: false },
    { name: `${op} % ops new conn`, pick: (r: ImplResult | undefined) => { const x = phase(r, op)?.opsOpeningConnection; return x == null ? undefined : x * 100 }, ratio: false }
  ])
]

const others = (results: Partial<Record<ImplName, ImplResult>>): ImplName[] => (Object.keys(results) as ImplName[]).filter(i => i !== 'toyrrent')

function compare (results: Partial<Record<ImplName, ImplResult>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const m of METRICS) {
    const row: Record<string, unknown> = {}
    for (const impl of Object.keys(results) as ImplName[]) row[impl] = m.pick(results[impl]) ?? null
    if (m.ratio !== false) {
      for (const other of others(results)) row[`toyrrentVs_${other}`] = ratio(m.pick(results.toyrrent), m.pick(results[other]), m.higherIsBetter)
    }
    out[m.name] = row
  }
  return out
}

function successLine (r?: ImplResult): string {
  if (r == null) return '-'
  const parts = (['put', 'get', 'getConcurrent', 'getCold', 'publish', 'resolve', 'resolveConcurrent', 'resolveCold'] as const)
    .map(n => phase(r, n)).filter(p => p != null).map(p => `${p.ok}/${p.attempted}${p.truncated ? '(t)' : ''}`)
  return parts.join(' ')
}

function table (results: Partial<Record<ImplName, ImplResult>>): string {
  const impls = Object.keys(results) as ImplName[]
  const vs = results.toyrrent != null ? others(results) : []
  const rows: string[][] = [['metric', ...impls, ...vs.map(o => `t÷${o}`)]]
  for (const m of METRICS) {
    const values = impls.map(i => m.pick(results[i]))
    if (values.every(v => v == null)) continue
    rows.push([m.name, ...values.map(fmt), ...vs.map(o => {
      if (m.ratio === false) return ''
      const r = ratio(m.pick(results.toyrrent), m.pick(results[o]), m.higherIsBetter)
      return r == null ? '-' : `${r}×`
    })])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)))
  const ok = impls.map(i => `ok/attempted ${i}: ${successLine(results[i])}\n`).join('')
  return rows.map(r => r.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')).join('\n') + '\n' + ok
}

function fmt (x: number | undefined): string {
  if (x == null || !Number.isFinite(x)) return '-'
  return x >= 100 ? String(Math.round(x)) : String(round(x, 3))
}

// ------------------------------------------------------------ main

async function main (): Promise<void> {
  if (args.worker != null) {
    const result = await runImpl(args.worker as ImplName, false)
    // a pipe takes a large line in several writes: exit only once all of it is out
    await new Promise<void>(resolve => { process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n', () => { resolve() }) })
    return
  }
  const started = performance.now()
  const loadavgAtStart = os.loadavg().map(x => round(x, 2))
  const results: Partial<Record<ImplName, ImplResult>> = {}
  const errors: Record<string, string> = {}
  for (const impl of impls) {
    const left = maxMs - (performance.now() - started)
    if (left < 5_000) { errors[impl] = 'no time left (--max-seconds)'; continue }
    process.stderr.write(`bench: ${impl}, ${nodes} nodes${args.procs ? ', one process per node' : ', one process'}\n`)
    try {
      results[impl] = args.procs ? await runImplBounded(impl, left) : await runWorker(impl, left)
    } catch (err: any) {
      errors[impl] = err.message
      process.stderr.write(`bench: ${impl} failed: ${err.message}\n`)
    }
  }
  const report = {
    bench: `toyrrent vs ${impls.filter(i => i !== 'toyrrent').join(', ')}`,
    date: new Date().toISOString(),
    node: process.version,
    host: { cpus: os.cpus().length, loadavgAtStart, loadavgAtEnd: os.loadavg().map(x => round(x, 2)) },
    config: { nodes, procs: args.procs, ...workload, writeQuorum: clusterOptions.writeQuorum, replicas: clusterOptions.replicas ?? 3 },
    wallSeconds: round((performance.now() - started) / 1000, 1),
    comparison: compare(results),
    results,
    ...(Object.keys(errors).length > 0 ? { errors } : {})
  }
  const json = JSON.stringify(report, null, 2) + '\n'
  const summary = table(results)
  if (args.out != null) {
    await writeFile(args.out, json)
    process.stdout.write(summary + `JSON written to ${args.out}\n`)
  } else {
    process.stdout.write(json)
    process.stderr.write(summary)
  }
}

async function runImplBounded (impl: ImplName, ms: number): Promise<ImplResult> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([runImpl(impl, true), new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`${impl} did not finish within --max-seconds`)) }, ms)
    })])
  } finally {
    clearTimeout(timer)
  }
}

// the whole run stops by itself
const watchdog = setTimeout(() => {
  process.stderr.write('bench: --max-seconds reached, giving up\n')
  process.exit(2)
}, maxMs + 30_000)
watchdog.unref()

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`)
  process.exit(1)
})
