/**
 * What a node costs in memory in one process: N nodes connected all to all
 * (what a formed network of 20 is: every table holds every other peer), then
 * after two full GCs the heap, external and RSS growth per node. `--stack
 * bare` is libp2p with identify only on top of the transport (as
 * connection-cost.ts), `--stack toyrrent` createToyrrentNode (no join; the
 * tables fill from the connections). `--snapshot` writes a heap snapshot and
 * summarises it by constructor, marking the constructors that are classes of
 * toyrrent's own source (their self size only: the Maps and arrays they hold
 * are counted under Map/array).
 *
 * Run with `--optimize-for-size` too to see how much of the RSS per node is V8
 * sizing its heap rather than the nodes' objects.
 *
 *   node --expose-gc [--optimize-for-size] dist/scripts/node-memory.js [--stack bare|toyrrent] [--nodes 20] [--transport tcp|quic] [--snapshot]
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import v8 from 'node:v8'
import { readdir, readFile } from 'node:fs/promises'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { quic } from '@chainsafe/libp2p-quic'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { createToyrrentNode } from '../src/node.ts'
import { mib, round } from './lib/stats.ts'
import { LOOPBACK_LISTEN, parseBenchTransport } from './lib/impl.ts'
import { summariseHeapSnapshot } from './lib/heap.ts'
import type { Libp2p } from '@libp2p/interface'

const { values: args } = parseArgs({
  options: {
    stack: { type: 'string', default: 'toyrrent' },
    transport: { type: 'string', default: 'tcp' },
    nodes: { type: 'string', default: '20' },
    snapshot: { type: 'boolean', default: false }
  }
})
const transport = parseBenchTransport(String(args.transport))
const LISTEN = [LOOPBACK_LISTEN[transport]]

async function node (stack: string): Promise<{ libp2p: Libp2p, stop(): Promise<void> }> {
  if (stack === 'toyrrent') return createToyrrentNode({ listen: LISTEN, autoJoin: false })
  const libp2p = await createLibp2p({
    addresses: { listen: LISTEN },
    ...(transport === 'quic' ? { transports: [quic()] } : { transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] }),
    services: { identify: identify() }
  })
  return { libp2p, stop: async () => libp2p.stop() }
}

function gc (): void {
  const collect = (globalThis as any).gc
  if (typeof collect !== 'function') throw new Error('run with node --expose-gc')
  collect()
  collect()
}

function memory (): { heap: number, heapTotal: number, external: number, rss: number } {
  const m = process.memoryUsage()
  return { heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external, rss: m.rss }
}

/** Class names declared in toyrrent's own compiled source (dist/src). */
async function ownClassNames (): Promise<Set<string>> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
  const names = new Set<string>()
  for (const entry of await readdir(root, { recursive: true })) {
    if (!entry.endsWith('.js')) continue
    for (const m of (await readFile(join(root, entry), 'utf8')).matchAll(/\bclass\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1])
  }
  return names
}

async function main (): Promise<void> {
  const n = Number(args.nodes)
  // one node first so every module is loaded before the baseline
  const first = await node(String(args.stack))
  await new Promise(resolve => setTimeout(resolve, 200))
  gc()
  const before = memory()
  const nodes = [first]
  for (let i = 1; i < n; i++) nodes.push(await node(String(args.stack)))
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const addr = nodes[j].libp2p.getMultiaddrs().find(a => a.toString().includes(transport === 'quic' ? '/quic-v1' : '/tcp/'))
      if (addr == null) throw new Error('no address')
      await nodes[i].libp2p.dial(addr)
    }
  }
  // identify and the tables settle after the dials resolve
  await new Promise(resolve => setTimeout(resolve, 2000))
  gc()
  const after = memory()
  const per = (k: 'heap' | 'heapTotal' | 'external' | 'rss'): number => round(mib((after[k] - before[k]) / (n - 1)), 2)
  const connections = nodes.reduce((s, x) => s + x.libp2p.getConnections().length, 0)
  const result: Record<string, unknown> = {
    stack: args.stack,
    transport,
    nodes: n,
    connectionsPerNode: round(connections / n, 1),
    // heap: live JS objects after GC; heapTotal: what V8 holds for the heap (live + free space it keeps); rss - heapTotal: malloc, buffers, code
    perNodeMiB: { heap: per('heap'), heapTotal: per('heapTotal'), external: per('external'), rss: per('rss') },
    loadavg: os.loadavg().map(x => round(x, 2))
  }
  if (args.snapshot === true) {
    const file = v8.writeHeapSnapshot(`${os.tmpdir()}/node-memory-${String(args.stack)}-${n}n-${process.pid}.heapsnapshot`)
    const summary = await summariseHeapSnapshot(file, n, Infinity) as { top: Array<{ name: string, perNodeKiB: number }> }
    const own = await ownClassNames()
    const isOwn = (label: string): boolean => own.has(label.replace(/^(object|closure):/, ''))
    result.snapshot = file
    result.ownClassesPerNodeKiB = round(summary.top.filter(r => isOwn(r.name)).reduce((s, r) => s + r.perNodeKiB, 0), 1)
    result.heap = { ...summary, top: summary.top.slice(0, 40).map(r => ({ ...r, ...(isOwn(r.name) ? { toyrrent: true } : {}) })) }
    result.ownClassesTop = summary.top.filter(r => isOwn(r.name)).slice(0, 15)
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  await Promise.allSettled(nodes.map(async x => x.stop()))
}

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`node-memory: ${err.stack ?? err}\n`)
  process.exit(1)
})
