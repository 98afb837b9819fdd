/**
 * Scale simulation: 200, 500 and 1,000 real toyrrent nodes in one process
 * over @libp2p/memory (Noise, Yamux, identify, ping, the toyrrent service; no
 * kad-dht, which would cost memory at 1,000 nodes and toyrrent routes with its
 * own table; no connection-monitor heartbeat, see createSimNode). Each size runs in a fresh process of this script so memory
 * figures do not carry over.
 *
 *   npm run sim -- [--sizes 200,500,1000] [--lookups 200] [--items 200] [--rtt-ms MS] [--out FILE]
 *   npm run sim -- --virtual [--nodes 10000] [--rtt-ms MS] [--formation oracle|join] [--churn-minutes 60] [--seed 1]
 *                  [--join-concurrency 1] [--fresh-joins 10] [--connect-rtts 0] [--no-routed-join] [--no-forward-puts]
 *   (--connect-rtts N: a first exchange between two nodes pays N round trips more, a new TCP connection's
 *   set-up; --no-routed-join: joins without the routed find, --no-forward-puts: puts only on the direct path,
 *   for comparison)
 *                  [--heap-summary-nodes 100] [--max-seconds 1200]
 *
 * Per size: time to form the network; lookup hops (mean, p99) and success
 * (find_before_n(target, R) equals the true R nearest); requests per lookup;
 * get latency and success; RSS and heap per node; the share of items still
 * readable after killing 10 % and then 30 % of the nodes (no repair runs:
 * this measures the redundancy of placement alone).
 *
 * Hops are traced around each node's RPC client without any hook in src/: a
 * peer the node already knew is 1 hop away, a peer first named in the answer
 * of a peer h hops away is h + 1. The hop count of a lookup is that of the
 * true nearest node (for a get, of the replica that answered with the value).
 */
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import v8 from 'node:v8'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { toyrrent } from '../src/index.ts'
import { compareDistance, peerPosition } from '../src/keyspace.ts'
import { equalBytes, mib, rng, randomInt, randomOther, round, settleGc, summarise, toHex, withTimeout } from './lib/stats.ts'
import { summariseHeapSnapshot } from './lib/heap.ts'
import type { Toyrrent } from '../src/index.ts'
import type { Libp2p } from '@libp2p/interface'
import type { FoundPeer } from '../src/found-peer.ts'
import { internals } from '../src/service/toyrrent.ts'
import { runVirtualSim, VIRTUAL_DEFAULTS } from './lib/virtual-sim.ts'
import type { VirtualSimOptions, VirtualSimReport } from './lib/virtual-sim.ts'

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '200,500,1000' },
    lookups: { type: 'string', default: '200' },
    items: { type: 'string', default: '200' },
    replicas: { type: 'string', default: '3' },
    'write-quorum': { type: 'string', default: '2' },
    'join-concurrency': { type: 'string', default: '1' },
    'op-timeout-ms': { type: 'string', default: '10000' },
    'max-seconds': { type: 'string', default: '1200' },
    'heap-summary-nodes': { type: 'string' },
    seed: { type: 'string', default: '1' },
    virtual: { type: 'boolean', default: false },
    nodes: { type: 'string', default: '10000' },
    'rtt-ms': { type: 'string' },
    'churn-minutes': { type: 'string' },
    formation: { type: 'string', default: 'oracle' },
    gets: { type: 'string' },
    'fresh-joins': { type: 'string' },
    'connect-rtts': { type: 'string' },
    'no-routed-join': { type: 'boolean', default: false },
    'no-forward-puts': { type: 'boolean', default: false },
    out: { type: 'string' },
    worker: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})

if (args.help) {
  process.stdout.write('usage: npm run sim -- [--sizes 200,500,1000] [--lookups 200] [--items 200] [--replicas 3] [--write-quorum 2] [--rtt-ms MS]\n' +
    '       npm run sim -- --virtual [--nodes 10000] [--rtt-ms MS] [--formation oracle|join] [--churn-minutes 60] [--gets 200] [--fresh-joins 10] [--connect-rtts 0] [--no-routed-join] [--no-forward-puts] [--seed 1] [--out FILE]\n' +
    '  [--join-concurrency 1] [--op-timeout-ms 10000] [--max-seconds 1200] [--heap-summary-nodes 100] [--seed 1] [--out FILE]\n')
  process.exit(0)
}

const lookups = Number(args.lookups)
const itemCount = Number(args.items)
const replicas = Number(args.replicas)
const writeQuorum = Number(args['write-quorum'])
const joinConcurrency = Math.max(1, Number(args['join-concurrency']))
const opTimeoutMs = Number(args['op-timeout-ms'])
const maxMs = Number(args['max-seconds']) * 1000
const random = rng(Number(args.seed))
const rttMs = args['rtt-ms'] != null && !args.virtual ? Number(args['rtt-ms']) : 0

/** Connections opened by every node of this process so far (each counted at both ends). */
let connectionsOpened = 0

/** Run one operation and note whether a connection opened meanwhile (sequential operations only). */
async function watched<T> (opened: boolean[], work: () => Promise<T>): Promise<T> {
  const before = connectionsOpened
  try {
    return await work()
  } finally {
    opened.push(connectionsOpened > before)
  }
}

/** Latencies in round trips (with --rtt-ms), and the share of operations that opened a connection. */
function rttFigures (ms: number[], opened: boolean[]): Record<string, unknown> {
  return {
    ...(rttMs > 0 ? { roundTrips: summarise(ms.map(x => x / rttMs)) } : {}),
    opsOpeningConnectionPct: round(100 * opened.filter(Boolean).length / Math.max(1, opened.length), 1)
  }
}

type SimNode = Libp2p<{ toyrrent: Toyrrent, identify: unknown, ping: unknown }>

let nextAddr = 0

async function createSimNode (): Promise<SimNode> {
  const node = await createLibp2p({
    addresses: { listen: [`/memory/sim-${process.pid}-${nextAddr++}`] },
    connectionManager: { inboundConnectionThreshold: Infinity, maxIncomingPendingConnections: 256, maxConnections: 10_000 },
    // libp2p's connection monitor pings every connection every 10 s over a new
    // stream; with all nodes in one process that is thousands of streams a
    // second on one event loop (each real node pays only its own share), so
    // the simulation leaves it off
    connectionMonitor: { enabled: false },
    // --rtt-ms: half of it on every buffer each way, so a request and its answer take one RTT
    transports: [memory(rttMs > 0 ? { latency: rttMs / 2 } : {})],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      toyrrent: toyrrent({ replicas, writeQuorum })
    }
  }) as SimNode
  node.addEventListener('connection:open', () => { connectionsOpened++ })
  return node
}

// ------------------------------------------------------------ hop tracing

interface Trace {
  /** hex multihash → hops from the asking node */
  hops: Map<string, number>
  requests: number
  /** hop of the peer that answered a fetch with the item */
  foundAt?: number
}

/** Active traces of one node, keyed by target hex. */
const tracesByNode = new WeakMap<SimNode, Map<string, Trace>>()

function traceRpc (node: SimNode): void {
  const rpc = node.services.toyrrent[internals].rpc
  const traces = new Map<string, Trace>()
  tracesByNode.set(node, traces)
  // the typed client's two lookup requests, wrapped: who was asked, who they named, who had the item
  const trace = async <T>(peer: FoundPeer, target: Uint8Array, ask: () => Promise<T>, named: (answer: T) => FoundPeer[], found: (answer: T) => boolean): Promise<T> => {
    const t = traces.get(toHex(target))
    if (t == null) return ask()
    const hop = t.hops.get(toHex(peer.peerId.toMultihash().bytes)) ?? 1
    t.requests++
    const answer = await ask()
    for (const p of named(answer)) {
      const id = toHex(p.peerId.toMultihash().bytes)
      if (!t.hops.has(id)) t.hops.set(id, hop + 1)
    }
    if (found(answer)) t.foundAt ??= hop
    return answer
  }
  const findBeforeN = rpc.findBeforeN.bind(rpc)
  const fetch = rpc.fetch.bind(rpc)
  rpc.findBeforeN = async (peer, target, n, options) => trace(peer, target, async () => findBeforeN(peer, target, n, options), a => a.peers, () => false)
  rpc.fetch = async (peer, key, closerCount, options) => trace(peer, key, async () => fetch(peer, key, closerCount, options), a => a.closer, a => a.item != null)
}

async function traced<T> (node: SimNode, target: Uint8Array, work: () => Promise<T>): Promise<{ value: T, trace: Trace }> {
  const traces = tracesByNode.get(node)!
  const trace: Trace = { hops: new Map(), requests: 0 }
  traces.set(toHex(target), trace)
  try {
    return { value: await work(), trace }
  } finally {
    traces.delete(toHex(target))
  }
}

// ------------------------------------------------------------ one size

interface Live { node: SimNode, position: Uint8Array, mh: string }

function trueNearest (live: Live[], target: Uint8Array, n: number): Live[] {
  return [...live].sort((a, b) => compareDistance(target, a.position, b.position)).slice(0, n)
}

async function pool<T> (items: T[], concurrency: number, work: (item: T, i: number) => Promise<void>, deadline: number): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length && performance.now() < deadline) {
      const i = next++
      await work(items[i], i)
    }
  }))
}

async function runSize (n: number): Promise<Record<string, unknown>> {
  const deadline = performance.now() + maxMs
  const log = (msg: string): void => { process.stderr.write(`sim ${n}: ${msg} (${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB RSS)\n`) }
  await settleGc()
  const baseline = process.memoryUsage()
  const nodes: Live[] = []
  let stage = 'forming'
  const progress = setInterval(() => {
    const conns = nodes.reduce((sum, l) => sum + l.node.getConnections().length, 0)
    const mem = process.memoryUsage()
    process.stderr.write(`sim ${n}: [${stage}] ${nodes.length} nodes, ${conns / 2} connections, load ${os.loadavg()[0].toFixed(1)}, heap ${Math.round(mem.heapUsed / 2 ** 20)}/${Math.round(mem.heapTotal / 2 ** 20)} MiB, rss ${Math.round(mem.rss / 2 ** 20)} MiB\n`)
  }, 15_000)
  progress.unref()
  const result: Record<string, unknown> = { nodes: n, transport: 'memory', kadDht: false, replicas, writeQuorum }

  const joinErrors = new Map<string, number>()
  const lag = monitorEventLoopDelay({ resolution: 20 })
  lag.enable()
  // ---- form: join one after another from a random earlier node, then everyone refreshes
  const formStart = performance.now()
  // in waves of --join-concurrency nodes, each bootstrapping from a random node of the earlier waves
  while (nodes.length < n) {
    if (performance.now() > deadline) throw new Error(`forming took longer than --max-seconds at ${nodes.length} nodes`)
    const earlier = nodes.length
    const wave = Math.min(earlier === 0 ? 1 : joinConcurrency, n - earlier)
    const joined = await Promise.all(Array.from({ length: wave }, async () => {
      const node = await createSimNode()
      traceRpc(node)
      if (earlier > 0) {
        const boot = nodes[randomInt(random, earlier)].node
        try {
          await node.dial(boot.getMultiaddrs()[0], { signal: AbortSignal.timeout(30_000) })
          await node.services.toyrrent.refresh({ signal: AbortSignal.timeout(60_000) })
        } catch (err: any) {
          // a slow join is recorded, not fatal: the second refresh round fills the table
          joinErrors.set(err.name, (joinErrors.get(err.name) ?? 0) + 1)
        }
      }
      return { node, position: peerPosition(node.peerId), mh: toHex(node.peerId.toMultihash().bytes) }
    }))
    nodes.push(...joined)
    if (Math.floor(nodes.length / 100) > Math.floor(earlier / 100)) log(`${nodes.length} joined`)
  }
  const joinedMs = performance.now() - formStart
  await pool(nodes, 16, async ({ node }) => {
    try {
      await node.services.toyrrent.refresh({ signal: AbortSignal.timeout(60_000) })
    } catch (err: any) {
      joinErrors.set(`refresh ${err.name}`, (joinErrors.get(`refresh ${err.name}`) ?? 0) + 1)
    }
  }, deadline)
  if (joinErrors.size > 0) result.formErrors = Object.fromEntries(joinErrors)
  result.eventLoopDelayWhileFormingMs = { p50: round(lag.percentile(50) / 1e6, 1), p99: round(lag.percentile(99) / 1e6, 1), max: round(lag.max / 1e6, 1) }
  lag.reset()
  result.formMs = round(performance.now() - formStart, 0)
  result.joinMs = round(joinedMs, 0)
  log(`formed in ${result.formMs} ms`)

  const tables = nodes.map(l => l.node.services.toyrrent[internals].table.size)
  const conns = nodes.map(l => l.node.getConnections().length)
  result.tableSize = { mean: round(tables.reduce((s, x) => s + x, 0) / n, 1), min: Math.min(...tables), max: Math.max(...tables) }
  result.connectionsPerNode = { mean: round(conns.reduce((s, x) => s + x, 0) / n, 1), max: Math.max(...conns) }
  await settleGc()
  const formed = process.memoryUsage()
  result.memory = {
    rssMiB: mib(formed.rss),
    perNodeRssMiB: round(mib(formed.rss - baseline.rss) / n, 3),
    perNodeHeapUsedMiB: round(mib(formed.heapUsed - baseline.heapUsed) / n, 3),
    perNodeExternalMiB: round(mib(formed.external + formed.arrayBuffers - baseline.external - baseline.arrayBuffers) / n, 3),
    heapTotalMiB: mib(formed.heapTotal),
    heapUsedMiB: mib(formed.heapUsed),
    externalMiB: mib(formed.external),
    arrayBuffersMiB: mib(formed.arrayBuffers),
    perConnectionKiB: round((formed.rss - baseline.rss) / 1024 / Math.max(1, conns.reduce((s, x) => s + x, 0) / 2), 1)
  }

  stage = 'lookups'
  // what is left after forming is shared out, so a slow phase cannot starve the later ones
  const left = (): number => deadline - performance.now()
  const phaseEnd = (share: number): number => performance.now() + Math.max(5_000, left() * share)
  // ---- lookups: find_before_n(random target, R) from random nodes vs. the true R nearest
  const hops: number[] = []
  const requests: number[] = []
  const lookupMs: number[] = []
  let exact = 0
  let lookupsDone = 0
  const lookupErrors: string[] = []
  const lookupsEnd = phaseEnd(0.25)
  log(`lookups for up to ${Math.round((lookupsEnd - performance.now()) / 1000)} s`)
  for (let i = 0; i < lookups && performance.now() < lookupsEnd; i++) {
    const from = nodes[randomInt(random, n)].node
    const target = new Uint8Array(randomBytes(32))
    try {
      const start = performance.now()
      const { value: found, trace } = await traced(from, target, async () => from.services.toyrrent.findBeforeN(target, replicas, { timeout: opTimeoutMs }))
      lookupMs.push(performance.now() - start)
      const truth = trueNearest(nodes, target, replicas)
      if (found.length === truth.length && found.every((p, j) => p.peerId.equals(truth[j].node.peerId))) exact++
      const nearestMh = truth[0].mh
      hops.push(nearestMh === toHex(from.peerId.toMultihash().bytes) ? 0 : (trace.hops.get(nearestMh) ?? 1))
      requests.push(trace.requests)
    } catch (err: any) {
      if (lookupErrors.length < 5) lookupErrors.push(err.message)
    }
    lookupsDone++
  }
  result.lookup = {
    count: lookupsDone,
    success: round(exact / Math.max(1, lookupsDone), 4),
    hops: { ...summarise(hops), expectedLog2nOverB: round(Math.log2(n), 2) },
    requestsPerLookup: summarise(requests),
    latencyMs: summarise(lookupMs),
    ...(lookupErrors.length > 0 ? { errors: lookupErrors } : {})
  }
  log(`lookups: ${JSON.stringify(result.lookup)}`)

  stage = 'puts'
  // ---- items: put from random nodes, get each from a random other node
  const items: Array<{ key: Uint8Array, value: Uint8Array, writer: number }> = []
  const putMs: number[] = []
  const putOpened: boolean[] = []
  let putFailed = 0
  const putsEnd = phaseEnd(0.2)
  for (let i = 0; i < itemCount && performance.now() < putsEnd; i++) {
    const writer = randomInt(random, n)
    const value = new Uint8Array(randomBytes(1024))
    try {
      const start = performance.now()
      const { key } = await watched(putOpened, async () => nodes[writer].node.services.toyrrent.put(value, { timeout: opTimeoutMs }))
      putMs.push(performance.now() - start)
      items.push({ key, value, writer })
    } catch {
      putFailed++
    }
  }
  result.put = { ok: items.length, failed: putFailed, latencyMs: summarise(putMs), ...rttFigures(putMs, putOpened) }

  const readAll = async (alive: number[], label: string, share: number): Promise<Record<string, unknown>> => {
    const readEnd = phaseEnd(share)
    const ms: number[] = []
    const getHops: number[] = []
    const getRequests: number[] = []
    const opened: boolean[] = []
    let ok = 0
    let done = 0
    const errors = new Map<string, number>()
    const aliveSet = new Set(alive)
    for (const item of items) {
      if (performance.now() > readEnd) break
      let reader = alive[randomInt(random, alive.length)]
      if (reader === item.writer && alive.length > 1) reader = alive[(alive.indexOf(reader) + 1) % alive.length]
      const node = nodes[reader].node
      done++
      try {
        const start = performance.now()
        const { value, trace } = await watched(opened, async () => traced(node, item.key, async () => node.services.toyrrent.get(item.key, { timeout: opTimeoutMs })))
        ms.push(performance.now() - start)
        getHops.push(trace.foundAt ?? 0)
        getRequests.push(trace.requests)
        if (equalBytes(value, item.value)) ok++
      } catch (err: any) {
        const e = `${err.name}`
        errors.set(e, (errors.get(e) ?? 0) + 1)
      }
    }
    // a copy that survives anywhere (writer's pinned copy included), for comparison
    const held = await Promise.all(items.map(async item => {
      for (const i of aliveSet) if (await nodes[i].node.services.toyrrent[internals].store.has(item.key)) return true
      return false
    }))
    const r = {
      attempted: done,
      readable: done === 0 ? null : round(ok / done, 4),
      stillHeldSomewhere: round(held.filter(Boolean).length / Math.max(1, items.length), 4),
      latencyMs: summarise(ms),
      ...rttFigures(ms, opened),
      hopsToValue: summarise(getHops),
      requestsPerGet: summarise(getRequests),
      ...(errors.size > 0 ? { errors: Object.fromEntries(errors) } : {})
    }
    log(`get (${label}): readable ${r.readable}, p50 ${r.latencyMs.p50} ms`)
    return r
  }

  const everyone = nodes.map((_, i) => i)
  stage = 'gets'
  result.get = await readAll(everyone, 'all alive', 0.33)

  // ---- publish / resolve: signed records from random nodes, resolved from random other nodes
  stage = 'publish/resolve'
  const publishMs: number[] = []
  const publishOpened: boolean[] = []
  const resolveMs: number[] = []
  const resolveOpened: boolean[] = []
  let resolved = 0
  const publishEnd = phaseEnd(0.15)
  for (let i = 0; i < Math.min(itemCount, 100) && performance.now() < publishEnd; i++) {
    const writer = randomInt(random, n)
    const key = await generateKeyPair('Ed25519')
    const value = new Uint8Array(randomBytes(256))
    try {
      const start = performance.now()
      const { id } = await watched(publishOpened, async () => nodes[writer].node.services.toyrrent.publish(key, value, { timeout: opTimeoutMs }))
      publishMs.push(performance.now() - start)
      const reader = nodes[randomOther(random, n, writer)].node
      const t0 = performance.now()
      const got = await watched(resolveOpened, async () => reader.services.toyrrent.resolve(id, { timeout: opTimeoutMs }))
      resolveMs.push(performance.now() - t0)
      if (equalBytes(got.value, value)) resolved++
    } catch {}
  }
  result.publish = { ok: publishMs.length, latencyMs: summarise(publishMs), ...rttFigures(publishMs, publishOpened) }
  result.resolve = { ok: resolved, attempted: resolveMs.length, latencyMs: summarise(resolveMs), ...rttFigures(resolveMs, resolveOpened) }
  log(`publish/resolve: ${JSON.stringify({ publish: result.publish, resolve: result.resolve })}`)

  // ---- kill 10 %, then 30 % in all
  const order = [...everyone]
  for (let i = order.length - 1; i > 0; i--) { const j = randomInt(random, i + 1); [order[i], order[j]] = [order[j], order[i]] }
  const killed = new Set<number>()
  const churn: Record<string, unknown> = {}
  for (const share of [0.1, 0.3]) {
    if (performance.now() > deadline) break
    const target = Math.round(n * share)
    const victims = order.slice(killed.size, target)
    await Promise.allSettled(victims.map(async i => withTimeout(Promise.resolve(nodes[i].node.stop()), 10_000, 'stop')))
    victims.forEach(i => killed.add(i))
    const alive = everyone.filter(i => !killed.has(i))
    stage = `gets after killing ${Math.round(share * 100)} %`
    churn[`killed${Math.round(share * 100)}pct`] = await readAll(alive, `${Math.round(share * 100)} % killed`, share < 0.2 ? 0.5 : 0.9)
  }
  result.afterKilling = churn
  result.wallSeconds = round((performance.now() - formStart) / 1000, 1)
  result.eventLoopDelayAfterFormingMs = { p50: round(lag.percentile(50) / 1e6, 1), p99: round(lag.percentile(99) / 1e6, 1), max: round(lag.max / 1e6, 1) }
  lag.disable()
  clearInterval(progress)
  // no orderly stop of the survivors: the worker process exits right after printing
  return result
}

/** Form a small network and summarise a heap snapshot: what a node's memory is made of. */
async function heapSummary (n: number): Promise<Record<string, unknown>> {
  const nodes: SimNode[] = []
  await settleGc()
  for (let i = 0; i < n; i++) {
    const node = await createSimNode()
    if (nodes.length > 0) {
      await node.dial(nodes[randomInt(random, nodes.length)].getMultiaddrs()[0])
      await node.services.toyrrent.refresh()
    }
    nodes.push(node)
  }
  await pool(nodes, 16, async node => { await node.services.toyrrent.refresh() }, performance.now() + 120_000)
  await settleGc()
  const file = v8.writeHeapSnapshot(`${os.tmpdir()}/toyrrent-sim-${n}n-${process.pid}.heapsnapshot`)
  const conns = nodes.reduce((s, x) => s + x.getConnections().length, 0)
  const summary = await summariseHeapSnapshot(file, n, 25)
  await Promise.allSettled(nodes.map(async node => node.stop()))
  return { nodes: n, connectionsPerNode: round(conns / n, 1), snapshot: file, ...summary }
}

// ------------------------------------------------------------ main

const RESULT_PREFIX = 'SIM-RESULT '

async function runWorker (what: string, timeoutMs: number): Promise<any> {
  const argv = process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out')
  const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=12288', fileURLToPath(import.meta.url), ...argv, '--worker', what], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  let peakRss = 0
  const sampler = setInterval(() => {
    // the child's RSS as the kernel sees it (ps), sampled every 2 s
    const ps = spawn('ps', ['-o', 'rss=', '-p', String(child.pid)])
    let text = ''
    ps.stdout.on('data', (d: Buffer) => { text += d.toString() })
    ps.on('exit', () => { const kib = Number(text.trim()); if (kib > peakRss) peakRss = kib })
  }, 2_000)
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  clearTimeout(timer)
  clearInterval(sampler)
  const line = out.split('\n').find(l => l.startsWith(RESULT_PREFIX))
  if (line == null) return { error: `worker for ${what} ended (code ${code}) without a result`, peakRssMiB: round(peakRss / 1024, 0) }
  return { ...JSON.parse(line.slice(RESULT_PREFIX.length)), peakRssMiB: round(peakRss / 1024, 0) }
}

/** `--virtual`: the virtual-time simulation (scripts/lib/virtual-sim.ts), in this process. */
async function mainVirtual (): Promise<void> {
  const started = performance.now()
  const options: VirtualSimOptions = {
    ...VIRTUAL_DEFAULTS,
    nodes: Number(args.nodes),
    seed: Number(args.seed),
    items: itemCount,
    lookups,
    gets: args.gets != null ? Number(args.gets) : VIRTUAL_DEFAULTS.gets,
    freshJoins: args['fresh-joins'] != null ? Number(args['fresh-joins']) : VIRTUAL_DEFAULTS.freshJoins,
    replicas,
    rttMs: args['rtt-ms'] != null ? Number(args['rtt-ms']) : undefined,
    formation: args.formation === 'join' ? 'join' : 'oracle',
    churnMinutes: args['churn-minutes'] != null ? Number(args['churn-minutes']) : VIRTUAL_DEFAULTS.churnMinutes,
    connectRtts: args['connect-rtts'] != null ? Number(args['connect-rtts']) : 0,
    routedJoin: !args['no-routed-join'],
    forwardPuts: !args['no-forward-puts'],
    log: line => { process.stderr.write(line + '\n') }
  }
  const result = await runVirtualSim(options)
  const report = {
    sim: 'toyrrent virtual-time simulation',
    date: new Date().toISOString(),
    node: process.version,
    host: { cpus: os.cpus().length, loadavgAtEnd: os.loadavg().map(x => round(x, 2)) },
    wallSecondsTotal: round((performance.now() - started) / 1000, 1),
    peakHeapMiB: mib(process.memoryUsage().heapUsed),
    ...result
  }
  const json = JSON.stringify(report, null, 2) + '\n'
  if (args.out != null) await writeFile(args.out, json)
  else process.stdout.write(json)
  process.stderr.write(virtualTable(result))
}

function virtualTable (r: VirtualSimReport): string {
  const s = (x: { p50: number, p95: number }): string => `${x.p50} / ${x.p95}`
  return [
    `nodes ${r.nodes}, seed ${r.seed}, ${r.latencyModel}; link RTT p50 ${r.linkRttMs.p50} ms`,
    `form (${r.formation}): ${r.virtualSeconds.form} s virtual, ${r.wallSeconds.form} s wall; table mean ${r.form.tableSize.mean}`,
    `lookup: exact ${r.lookup.exactness}, hops mean ${r.lookup.hops.mean} p99 ${r.lookup.hops.p99}, requests mean ${r.lookup.requests.mean}, RTT p50/p95 ${s(r.lookup.roundTrips)}`,
    `put: ${r.put.ok}/${r.put.attempted}, RTT p50/p95 ${s(r.put.roundTrips)}`,
    `get: ${r.get.ok}/${r.get.attempted}, hops mean ${r.get.hops.mean}, RTT p50/p95 ${s(r.get.roundTrips)}`,
    `join: RTT p50/p95 ${s(r.join.roundTrips)}; joiner's requests p50/p95 ${s(r.join.requests)} max ${r.join.requests.max}, peers p50/p95 ${s(r.join.peers)}; with band filling: requests ${s(r.join.requestsWithFill)} max ${r.join.requestsWithFill.max}, peers ${s(r.join.peersWithFill)}; all nodes' requests during a join p50/max ${r.join.requestsAllNodes.p50} / ${r.join.requestsAllNodes.max}; per join by type ${JSON.stringify(r.join.byType)}`,
    `join exact (of ${r.join.done}): table holds the true 2R nearest at return ${r.join.exact.neighbours}, known by the true R nearest ${r.join.exact.knownByNeighbours}, table holds the true 20 nearest once settled ${r.join.exact.nearestAfterSettle}`,
    `churn ${r.churn.minutes} min: ${JSON.stringify(r.churn.events)}; repair ${r.churn.repairBytesPerNodePerHour} B/node/h`,
    ...r.churn.samples.map(x => `  minute ${x.minute}: ${x.nodes} nodes, ${x.itemsUnderR} items under R, ${x.itemsLost} lost, gets ok ${x.getSuccess}`)
  ].join('\n') + '\n'
}

async function main (): Promise<void> {
  if (args.virtual) {
    await mainVirtual()
    return
  }
  if (args.worker != null) {
    const [kind, size] = args.worker.split(':')
    const result = kind === 'heap' ? await heapSummary(Number(size)) : await runSize(Number(size))
    process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n')
    return
  }
  const started = performance.now()
  const report: Record<string, unknown> = {
    sim: 'toyrrent scale simulation',
    date: new Date().toISOString(),
    node: process.version,
    host: { cpus: os.cpus().length, loadavgAtStart: os.loadavg().map(x => round(x, 2)) },
    config: { lookups, items: itemCount, replicas, writeQuorum, joinConcurrency, opTimeoutMs, maxSecondsPerSize: maxMs / 1000, rttMs },
    sizes: {} as Record<string, unknown>
  }
  for (const size of String(args.sizes).split(',').map(Number).filter(x => x > 0)) {
    process.stderr.write(`sim: ${size} nodes\n`)
    ;(report.sizes as any)[size] = await runWorker(`size:${size}`, maxMs + 60_000)
  }
  if (args['heap-summary-nodes'] != null) {
    report.heap = await runWorker(`heap:${Number(args['heap-summary-nodes'])}`, 300_000)
  }
  ;(report.host as any).loadavgAtEnd = os.loadavg().map(x => round(x, 2))
  report.wallSeconds = round((performance.now() - started) / 1000, 1)
  const json = JSON.stringify(report, null, 2) + '\n'
  if (args.out != null) await writeFile(args.out, json)
  else process.stdout.write(json)
  process.stderr.write(table(report.sizes as Record<string, any>))
}

function table (sizes: Record<string, any>): string {
  const rows = [['nodes', 'form s', 'hops mean', 'hops p99', 'log2 n', 'lookup ok', 'req/lookup', 'get p50', 'get ok', 'MiB/node', '10% killed', '30% killed', 'get RTT50', 'get RTT95', 'get new%', 'res RTT50', 'res RTT95', 'res new%', 'put RTT50', 'put RTT95', 'put new%']]
  for (const [n, r] of Object.entries(sizes)) {
    if (r.error != null) { rows.push([n, r.error]); continue }
    rows.push([n, String(round(r.formMs / 1000, 1)), String(r.lookup?.hops.mean), String(r.lookup?.hops.p99), String(r.lookup?.hops.expectedLog2nOverB),
      String(r.lookup?.success), String(r.lookup?.requestsPerLookup.mean), String(r.get?.latencyMs.p50), String(r.get?.readable),
      String(r.memory?.perNodeRssMiB), String(r.afterKilling?.killed10pct?.readable ?? '-'), String(r.afterKilling?.killed30pct?.readable ?? '-'),
      ...(['get', 'resolve', 'put'] as const).flatMap(op => [String(r[op]?.roundTrips?.p50 ?? '-'), String(r[op]?.roundTrips?.p95 ?? '-'), String(r[op]?.opsOpeningConnectionPct ?? '-')])])
  }
  return rows.map(r => r.map(c => c.padStart(10)).join(' ')).join('\n') + '\n'
}

const watchdog = setTimeout(() => { process.stderr.write('sim: time limit reached\n'); process.exit(2) }, (args.worker != null ? maxMs + 30_000 : maxMs * 4 + 400_000))
watchdog.unref()

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`sim: ${err.stack ?? err}\n`)
  process.exit(1)
})

void multiaddr
void randomOther
