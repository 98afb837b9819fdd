/**
 * What one libp2p connection costs in CPU, both ends in this process: N
 * nodes, then one node dials each of the others in turn (after a few warm-up
 * dials). `--stack bare` is libp2p with identify only on top of the transport
 * (TCP with Noise and Yamux, or QUIC, which brings its own TLS and streams);
 * `--stack toyrrent` is createToyrrentNode (the whole node, no join).
 * `--noise default|toyrrent` (bare stack over TCP): libp2p-noise as it comes,
 * or with the node's handshake crypto (src/node/noise.ts).
 * `--transport tcp|quic` picks what the nodes listen on and so what is
 * dialled. `--dial rpc` (toyrrent stack) dials as the node's RPC does, which
 * a node off the internet does not identify from its end (identify-policy.ts). A join opens a couple of dozen connections at 50 nodes, so this is
 * the floor under formation time in one process. Also reports the CPU of
 * starting a node, and the peer-store writes per connection (both ends).
 *
 *   node dist/scripts/connection-cost.js [--stack bare|toyrrent] [--transport tcp|quic] [--dial plain|rpc] [--noise default|toyrrent] [--nodes 60] [--cpu-prof FILE]
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import { Session } from 'node:inspector/promises'
import { writeFile } from 'node:fs/promises'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { quic } from '@chainsafe/libp2p-quic'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { createToyrrentNode } from '../src/node.ts'
import { rpcDial } from '../src/rpc/rpc-dial.ts'
import { toyrrentNoise } from '../src/node/noise.ts'
import { round } from './lib/stats.ts'
import { LOOPBACK_LISTEN, parseBenchTransport } from './lib/impl.ts'
import type { BenchTransport } from './lib/impl.ts'
import type { Libp2p } from '@libp2p/interface'

const { values: args } = parseArgs({
  options: {
    stack: { type: 'string', default: 'bare' },
    transport: { type: 'string', default: 'tcp' },
    nodes: { type: 'string', default: '60' },
    dial: { type: 'string', default: 'plain' },
    noise: { type: 'string', default: 'default' },
    'cpu-prof': { type: 'string' }
  }
})
const transport = parseBenchTransport(String(args.transport))
const LISTEN = [LOOPBACK_LISTEN[transport]]
const WARM_UP = 5

async function node (stack: string): Promise<{ libp2p: Libp2p, stop(): Promise<void> }> {
  if (stack === 'toyrrent') return createToyrrentNode({ listen: LISTEN, autoJoin: false })
  const libp2p = await createLibp2p({
    addresses: { listen: LISTEN },
    ...(transport === 'quic'
      ? { transports: [quic()] }
      : { transports: [tcp()], connectionEncrypters: [args.noise === 'toyrrent' ? toyrrentNoise() : noise()], streamMuxers: [yamux()] }),
    services: { identify: identify() },
    connectionMonitor: { enabled: false }
  })
  return { libp2p, stop: async () => libp2p.stop() }
}

/** The address of `libp2p` on the chosen transport. */
function dialAddr (libp2p: Libp2p, t: BenchTransport): ReturnType<Libp2p['getMultiaddrs']>[number] {
  const addr = libp2p.getMultiaddrs().find(a => t === 'quic' ? a.toString().includes('/quic-v1') : a.toString().includes('/tcp/'))
  if (addr == null) throw new Error(`node has no ${t} address`)
  return addr
}

/** Count calls of the peer store's writing methods (a scripts-only probe); with WRITE_CALLERS=1 also by calling function. */
function countPeerStoreWrites (libp2p: Libp2p, counts: Record<string, number>): void {
  const store = libp2p.peerStore as any
  for (const method of ['save', 'patch', 'merge', 'consumePeerRecord']) {
    const original = store[method]
    if (typeof original !== 'function') continue
    store[method] = function (this: unknown, ...a: unknown[]) {
      counts[method] = (counts[method] ?? 0) + 1
      if (process.env.WRITE_CALLERS === '1') countCaller(method)
      return original.apply(this, a)
    }
  }
}

const callers: Record<string, number> = {}

/** With WRITE_CALLERS=1: count a probed call by the two functions that called it. */
function countCaller (label: string): void {
  const caller = (new Error().stack ?? '').split('\n').slice(3, 6).map(l => l.trim().replace(/^at /, '').replace(/\(.*node_modules\//, '(').replace(/\(.*\/dist\//, '(')).join(' < ')
  callers[`${label} ${caller}`] = (callers[`${label} ${caller}`] ?? 0) + 1
}

/** Count a method's calls on one object (a scripts-only probe). */
function countCalls (owner: any, method: string, counts: Record<string, number>, label: string): void {
  const original = owner?.[method]
  if (typeof original !== 'function') return
  owner[method] = function (this: unknown, ...a: unknown[]) {
    counts[label] = (counts[label] ?? 0) + 1
    if (process.env.WRITE_CALLERS === '1') countCaller(label)
    return original.apply(this, a)
  }
}

async function main (): Promise<void> {
  const n = Number(args.nodes)
  const nodes = []
  const startCpu = process.cpuUsage()
  for (let i = 0; i < n; i++) nodes.push(await node(String(args.stack)))
  const started = process.cpuUsage(startCpu)
  // let the nodes' start-up work settle (identify-push of a new node's addresses is debounced by a second), so it is not counted per connection
  await new Promise(resolve => setTimeout(resolve, 2_000))
  const [dialer, ...others] = nodes
  for (const other of others.slice(0, WARM_UP)) await dialer.libp2p.dial(dialAddr(other.libp2p, transport))
  await new Promise(resolve => setTimeout(resolve, 500))
  const writes: Record<string, number> = {}
  for (const x of nodes) countPeerStoreWrites(x.libp2p, writes)
  const events: Record<string, number> = {}
  // signing our peer record (identify did it per response) and reading our own addresses (getsockname per listener) per connection
  countCalls(RecordEnvelope, 'seal', events, 'peer records signed')
  for (const x of nodes) countCalls((x.libp2p as any).components?.addressManager, 'getAddresses', events, 'own addresses read')
  for (const x of nodes) countCalls((x.libp2p as any).components?.addressManager, 'getAddressesWithMetadata', events, 'own addresses read')
  for (const x of nodes) {
    for (const name of ['self:peer:update', 'peer:update', 'peer:identify', 'connection:open'] as const) {
      x.libp2p.addEventListener(name, () => { events[name] = (events[name] ?? 0) + 1 })
    }
  }
  const measured = others.slice(WARM_UP)
  const session = args['cpu-prof'] != null ? new Session() : undefined
  if (session != null) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 200 })
    await session.post('Profiler.start')
  }
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (const other of measured) {
    const addr = dialAddr(other.libp2p, transport)
    if (args.dial === 'rpc') await rpcDial((dialer.libp2p as any).components, other.libp2p.peerId, async () => await dialer.libp2p.dial(addr))
    else await dialer.libp2p.dial(addr)
  }
  // identify and the other per-connection work finish after the dial resolves
  await new Promise(resolve => setTimeout(resolve, 500))
  const used = process.cpuUsage(cpu)
  if (session != null) {
    const { profile } = await session.post('Profiler.stop')
    await writeFile(String(args['cpu-prof']), JSON.stringify(profile))
  }
  const counted = { ...events }
  // what one of the counted calls costs, on the dialer, same run (after the counts are taken: these calls are counted too)
  const perCall = async (fn: () => unknown, times = 200): Promise<number> => {
    const c = process.cpuUsage()
    for (let i = 0; i < times; i++) await fn()
    const u = process.cpuUsage(c)
    return round((u.user + u.system) / 1000 / times, 3)
  }
  const am = (dialer.libp2p as any).components.addressManager
  const key = (dialer.libp2p as any).components.privateKey
  const cpuMsPerCall = {
    'own addresses read': await perCall(() => am.getAddressesWithMetadata()),
    'peer record signed': await perCall(async () => RecordEnvelope.seal(new PeerRecord({ peerId: dialer.libp2p.peerId, multiaddrs: dialer.libp2p.getMultiaddrs() }), key))
  }
  process.stdout.write(JSON.stringify({
    stack: args.stack,
    dial: args.dial,
    noise: args.stack === 'bare' ? args.noise : 'toyrrent',
    transport,
    cpuMsPerNodeStart: round((started.user + started.system) / 1000 / n, 1),
    connections: measured.length,
    cpuMsPerConnection: round((used.user + used.system) / 1000 / measured.length, 1),
    wallMsPerDial: round((performance.now() - start - 500) / measured.length, 1),
    cpuMsPerCall,
    eventsPerConnection: Object.fromEntries(Object.entries(counted).map(([k, v]) => [k, round(v / measured.length, 2)])),
    peerStoreWritesPerConnection: Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, round(v / measured.length, 2)])),
    ...(process.env.WRITE_CALLERS === '1' ? { writeCallersPerConnection: Object.fromEntries(Object.entries(callers).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / measured.length, 2)])) } : {}),
    loadavg: os.loadavg().map(x => round(x, 2))
  }) + '\n')
  await Promise.all(nodes.map(async x => x.stop()))
}

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`connection-cost: ${err.stack ?? err}\n`)
  process.exit(1)
})
