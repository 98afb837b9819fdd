/**
 * Formation alone: N nodes of each implementation join one after another in
 * this process, each through a random earlier node (as the bench's clusters
 * do: scripts/lib/cluster.ts), then every node looks itself up once more.
 * Reports the wall time of each part, the mean and worst time of one join,
 * and, for toyrrent, the counts that do not depend on the machine's load:
 * requests sent and connections opened per join, and the table sizes after;
 * then the CPU the formed network uses per second while nothing is asked of it.
 *
 * `--transport tcp|quic` is what the toyrrent nodes listen on and dial (TCP
 * with Noise and Yamux, or QUIC); hyperdht is UDP either way.
 *
 *   node dist/scripts/form-bench.js --nodes 50 --impl toyrrent,hyperdht [--transport tcp|quic] [--seed 1] [--idle-s 20] [--cpu-prof FILE]
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import { Session } from 'node:inspector/promises'
import { writeFile } from 'node:fs/promises'
import { createImplNode, parseBenchTransport } from './lib/impl.ts'
import { rng, randomInt, round, summarise } from './lib/stats.ts'
import { RpcClient } from '../src/rpc/client.ts'
import type { BenchTransport, ImplName, ImplNode } from './lib/impl.ts'

/** Requests toyrrent nodes send, by client method, counted on the class so a node's own join counts too (scripts-only probe). */
const sent: Record<string, number> = {}
for (const method of ['findBeforeN', 'fetch', 'store', 'digest', 'syncKeys', 'holds', 'handoff', 'acknowledgeHandoff'] as const) {
  const original = (RpcClient.prototype as any)[method]
  ;(RpcClient.prototype as any)[method] = function (this: unknown, ...a: unknown[]) {
    sent[method] = (sent[method] ?? 0) + 1
    return original.apply(this, a)
  }
}

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50' },
    impl: { type: 'string', default: 'toyrrent,hyperdht' },
    transport: { type: 'string', default: 'tcp' },
    seed: { type: 'string', default: '1' },
    'timeout-s': { type: 'string', default: '600' },
    'idle-s': { type: 'string', default: '20' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})
if (args.help) {
  process.stdout.write('usage: node dist/scripts/form-bench.js [--nodes 50] [--impl toyrrent,hyperdht] [--transport tcp|quic] [--seed 1] [--timeout-s 600] [--idle-s 20] [--cpu-prof FILE]\n')
  process.exit(0)
}

interface FormResult {
  impl: ImplName
  transport?: BenchTransport
  joinMs: number
  refreshMs: number
  formMs: number
  perJoinMs: ReturnType<typeof summarise>
  cpuMsPerNode: number
  requestsPerJoin?: Record<string, number>
  connectionsPerJoin?: number
  /** Connections this end identified / left to the other end, and identify-pushes sent (each to every connected peer). */
  identifyPerJoin?: { identified: number, skipped: number, pushes: number }
  tableMean: number
  tableMin: number
  /** CPU the formed network spends per second doing nothing asked of it (keep-alives, timers), measured over --idle-s. */
  idleCpuMsPerS: number
  /** toyrrent: connections opened by the closing refresh (all nodes' self lookups at once), per node. */
  refreshConnectionsPerNode?: number
  /** toyrrent: connections the cap closed during formation (src/node/connection-trim.ts), per node, by kind; open per node at the end. */
  trimmedPerNode?: { members: number, nonMembers: number }
  openConnectionsPerNode?: number
}

async function idleCpu (seconds: number): Promise<number> {
  if (seconds <= 0) return NaN
  const cpu = process.cpuUsage()
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const used = process.cpuUsage(cpu)
  return round((used.user + used.system) / 1000 / seconds, 1)
}

async function form (impl: ImplName, n: number, seed: number, transport: BenchTransport, signal: AbortSignal): Promise<FormResult> {
  const random = rng(seed)
  const nodes: ImplNode[] = []
  const joins: number[] = []
  for (const k of Object.keys(sent)) delete sent[k]
  const cpu = process.cpuUsage()
  const start = performance.now()
  try {
    for (let i = 0; i < n; i++) {
      signal.throwIfAborted()
      const bootstrap = i === 0 ? undefined : nodes[randomInt(random, i)].addr()
      const t = performance.now()
      nodes.push(await createImplNode(impl, { bootstrap, transport }))
      joins.push(performance.now() - t)
    }
    const joined = performance.now()
    const requests = { ...sent }
    const connections = nodes.reduce((s, x) => s + x.newConnections(), 0)
    // this end's identify runs and skips (identify-policy.ts) and identify-pushes sent (push-policy.ts), since each node started
    const policy = (x: ImplNode): { identified: number, skipped: number, pushed: number } => {
      const services = (x as { node?: { libp2p?: { services?: Record<string, any> } } }).node?.libp2p?.services
      return { ...(services?.identifyPolicy?.counts ?? { identified: 0, skipped: 0 }), pushed: services?.pushPolicy?.counts.pushed ?? 0 }
    }
    const identify = nodes.map(policy).reduce((s, c) => ({ identified: s.identified + c.identified, skipped: s.skipped + c.skipped, pushed: s.pushed + c.pushed }), { identified: 0, skipped: 0, pushed: 0 })
    await Promise.all(nodes.map(async x => x.refresh(signal)))
    const end = performance.now()
    const refreshConnections = nodes.reduce((s, x) => s + x.newConnections(), 0) - connections
    const trimmed = nodes.map(x => x.trimmedByKind?.() ?? { members: 0, nonMembers: 0 }).reduce((s, c) => ({ members: s.members + c.members, nonMembers: s.nonMembers + c.nonMembers }), { members: 0, nonMembers: 0 })
    const open = nodes.reduce((s, x) => s + (x.openConnections?.() ?? 0), 0)
    const used = process.cpuUsage(cpu)
    const sizes = nodes.map(x => x.tableSize())
    const idleCpuMsPerS = await idleCpu(Number(args['idle-s']))
    const per = (x: number): number => round(x / Math.max(1, n - 1), 2)
    return {
      impl,
      ...(impl === 'toyrrent' ? { transport } : {}),
      joinMs: round(joined - start, 0),
      refreshMs: round(end - joined, 0),
      formMs: round(end - start, 0),
      perJoinMs: summarise(joins.slice(1)),
      cpuMsPerNode: round((used.user + used.system) / 1000 / n, 1),
      ...(impl === 'toyrrent' ? { requestsPerJoin: Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, per(v)])), connectionsPerJoin: per(connections), identifyPerJoin: { identified: per(identify.identified), skipped: per(identify.skipped), pushes: per(identify.pushed) } } : {}),
      tableMean: round(sizes.reduce((s, x) => s + x, 0) / n, 1),
      tableMin: Math.min(...sizes),
      idleCpuMsPerS,
      ...(impl === 'toyrrent' ? { refreshConnectionsPerNode: round(refreshConnections / n, 2), trimmedPerNode: { members: round(trimmed.members / n, 2), nonMembers: round(trimmed.nonMembers / n, 2) }, openConnectionsPerNode: round(open / n, 1) } : {})
    }
  } finally {
    await Promise.allSettled(nodes.map(async x => x.stop()))
  }
}

async function main (): Promise<void> {
  const n = Number(args.nodes)
  const transport = parseBenchTransport(String(args.transport))
  const session = args['cpu-prof'] != null ? new Session() : undefined
  const out: unknown[] = []
  for (const impl of String(args.impl).split(',') as ImplName[]) {
    const load = os.loadavg()[0]
    if (session != null && impl === 'toyrrent') {
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: 200 })
      await session.post('Profiler.start')
    }
    const result = await form(impl, n, Number(args.seed), transport, AbortSignal.timeout(Number(args['timeout-s']) * 1000))
    if (session != null && impl === 'toyrrent') {
      const { profile } = await session.post('Profiler.stop')
      await writeFile(String(args['cpu-prof']), JSON.stringify(profile))
    }
    out.push({ ...result, loadAtStart: round(load, 2), loadAtEnd: round(os.loadavg()[0], 2) })
    process.stderr.write(JSON.stringify(out.at(-1)) + '\n')
  }
  process.stdout.write(JSON.stringify({ nodes: n, seed: Number(args.seed), date: new Date().toISOString(), node: process.version, results: out }, null, 2) + '\n')
}

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`form-bench: ${err.stack ?? err}\n`)
  process.exit(1)
})
