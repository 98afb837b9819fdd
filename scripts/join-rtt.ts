/**
 * A fresh node's join over TCP in round trips: forms `--nodes` toyrrent
 * nodes in this process on loopback (each through a random earlier node, no
 * delay, so formation stays quick), then puts `--rtt-ms` on every socket
 * (scripts/lib/delay-sockets.ts, as `bench --rtt-ms`) and lets `--joins`
 * fresh nodes join one after another, each through a random node. A fresh
 * node is started before its clock starts (start-up CPU is not a round
 * trip); then it dials its bootstrap node (TCP, Noise, Yamux, identify) and
 * joins. Reported per join, in round trips of `--rtt-ms`: the dial, the dial
 * plus join() (the "a fresh node joins in ≤ 10 RTT"), and until the
 * work the join leaves running (the rest of the self lookup, the far bands)
 * has settled; and the counts that do not depend on the machine's load:
 * requests by type and connections the fresh node opened.
 *
 * On a loaded machine CPU time lands in the round trips (every figure is
 * wall time over RTT, and all the nodes share this process's one thread):
 * compare runs made together, and the counts. `loopBusy` is the share of the
 * join's wall time this thread was busy (event loop utilisation), and
 * `loopDelayMaxMs` its longest stall.
 *
 * `--trace` prints each join's critical path to stderr: when (in round
 * trips from the dial's start) each connection opened and each request left
 * and was answered, by peer, so what waits on what can be read off.
 *
 * `--no-routed-join`: every node joins with `routedJoin: false` (the self
 * lookup alone), for comparison.
 *
 *   node dist/scripts/join-rtt.js [--nodes 30] [--joins 5] [--rtt-ms 20] [--seed 1] [--trace] [--no-routed-join] [--out FILE]
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { writeFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { createToyrrentNode } from '../src/node.ts'
import { internals } from '../src/service/toyrrent.ts'
import { installSocketDelay } from './lib/delay-sockets.ts'
import { LOOPBACK_LISTEN } from './lib/impl.ts'
import { rng, randomInt, round, summarise } from './lib/stats.ts'
import type { ToyrrentNode } from '../src/node.ts'

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '30' },
    joins: { type: 'string', default: '5' },
    'rtt-ms': { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    trace: { type: 'boolean', default: false },
    'no-routed-join': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})
if (args.help) {
  process.stdout.write('usage: node dist/scripts/join-rtt.js [--nodes 30] [--joins 5] [--rtt-ms 20] [--seed 1] [--trace] [--no-routed-join] [--out FILE]\n')
  process.exit(0)
}
const nodes = Number(args.nodes)
const joins = Number(args.joins)
const rttMs = Number(args['rtt-ms'])
const routedJoin = !args['no-routed-join']
if (!(nodes >= 1) || !(joins >= 1) || !(rttMs > 0)) throw new Error('--nodes and --joins must be at least 1, --rtt-ms above 0')

const METHODS = { findBeforeN: 'FIND_BEFORE_N', findRouted: 'FIND_ROUTED', handoff: 'HANDOFF', acknowledgeHandoff: 'HANDOFF_ACK', store: 'STORE', fetch: 'FETCH', digest: 'DIGEST', holds: 'HOLDS' }

/** One line of a join's timeline (`--trace`). */
type TraceLine = (what: string) => void

/** Count the requests one node sends, by type, around its typed RPC client (and trace each one's send and answer). */
function countRequests (node: ToyrrentNode, trace?: TraceLine): Record<string, number> {
  const counts: Record<string, number> = {}
  const rpc = node.toyrrent[internals].rpc as any
  for (const [method, type] of Object.entries(METHODS)) {
    const original = rpc[method]?.bind(rpc)
    if (original == null) continue
    rpc[method] = async (...a: unknown[]) => {
      counts[type] = (counts[type] ?? 0) + 1
      const to = short(String((a[0] as any)?.peerId))
      trace?.(`${type} → ${to}`)
      try {
        const answer = await original(...a)
        trace?.(`${type} ← ${to}`)
        return answer
      } catch (err: any) {
        trace?.(`${type} ✗ ${to}: ${String(err.message).slice(0, 60)}`)
        throw err
      }
    }
  }
  return counts
}

function short (peerId: string): string {
  return peerId.slice(-6)
}

function addrOf (node: ToyrrentNode): string {
  const addr = node.libp2p.getMultiaddrs().find(a => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr == null) throw new Error('node has no loopback address')
  return addr.toString()
}

const random = rng(Number(args.seed))
const all: ToyrrentNode[] = []
const perJoin: Array<{ dialRtt: number, joinRtt: number, settledRtt: number, connections: number, requests: Record<string, number>, table: number, loopDelayMaxMs: number, loopBusy: number }> = []
const loadAtStart = os.loadavg()[0]
try {
  const formStart = performance.now()
  for (let i = 0; i < nodes; i++) {
    const bootstrap = i === 0 ? [] : [addrOf(all[randomInt(random, i)])]
    all.push(await createToyrrentNode({ listen: [LOOPBACK_LISTEN.tcp], bootstrap, routedJoin }))
  }
  process.stderr.write(`join-rtt: ${nodes} nodes formed in ${round((performance.now() - formStart) / 1000, 1)} s; ${rttMs} ms RTT on every socket from now on\n`)
  installSocketDelay(rttMs)
  for (let j = 0; j < joins; j++) {
    const via = addrOf(all[randomInt(random, all.length)])
    const fresh = await createToyrrentNode({ listen: [LOOPBACK_LISTEN.tcp], bootstrap: [], routedJoin })
    all.push(fresh)
    let t0 = performance.now()
    const timeline: string[] = []
    const trace: TraceLine | undefined = args.trace ? what => { timeline.push(`${round((performance.now() - t0) / rttMs, 2).toFixed(2).padStart(6)} RTT  ${what}`) } : undefined
    const requests = countRequests(fresh, trace)
    let connections = 0
    fresh.libp2p.addEventListener('connection:open', (e) => { connections++; trace?.(`connection open (${e.detail.direction}) ${short(e.detail.remotePeer.toString())}`) })
    // every node runs in this one thread: how busy its event loop was during the join says how much of the wall time was CPU
    const lag = monitorEventLoopDelay({ resolution: 5 })
    lag.enable()
    const elu0 = performance.eventLoopUtilization()
    t0 = performance.now()
    await fresh.libp2p.dial(multiaddr(via), { signal: AbortSignal.timeout(60_000) })
    const dialed = performance.now()
    await fresh.toyrrent.join({ timeout: 120_000 })
    const joined = performance.now()
    trace?.('join() returned')
    lag.disable()
    const busy = performance.eventLoopUtilization(elu0).utilization
    const atJoin = { connections, requests: { ...requests } }
    await fresh.toyrrent[internals].joinSettled?.()
    const settled = performance.now()
    perJoin.push({
      dialRtt: round((dialed - t0) / rttMs, 2),
      joinRtt: round((joined - t0) / rttMs, 2),
      settledRtt: round((settled - t0) / rttMs, 2),
      connections: atJoin.connections,
      requests: atJoin.requests,
      table: fresh.toyrrent[internals].table.size,
      loopDelayMaxMs: round(lag.max / 1e6, 1),
      loopBusy: round(busy, 2)
    })
    process.stderr.write(`join-rtt: join ${j + 1}: ${JSON.stringify(perJoin.at(-1))}; with the work left running: ${connections} connections, ${JSON.stringify(requests)}\n`)
    if (trace != null) process.stderr.write(`join-rtt: join ${j + 1} (${short(fresh.libp2p.peerId.toString())}) timeline:\n${timeline.join('\n')}\n`)
  }
  const total = (k: string): number => perJoin.reduce((s, x) => s + (x.requests[k] ?? 0), 0) / perJoin.length
  const result = {
    nodes,
    joins,
    rttMs,
    routedJoin,
    seed: Number(args.seed),
    date: new Date().toISOString(),
    loadAtStart: round(loadAtStart, 2),
    loadAtEnd: round(os.loadavg()[0], 2),
    dialRtt: summarise(perJoin.map(x => x.dialRtt)),
    joinRtt: summarise(perJoin.map(x => x.joinRtt)),
    settledRtt: summarise(perJoin.map(x => x.settledRtt)),
    connectionsAtJoin: summarise(perJoin.map(x => x.connections)),
    loopBusyDuringJoin: summarise(perJoin.map(x => x.loopBusy)),
    requestsAtJoin: Object.fromEntries(Object.values(METHODS).map(k => [k, round(total(k), 1)]).filter(([, v]) => Number(v) > 0)),
    perJoin
  }
  const text = JSON.stringify(result, null, 2) + '\n'
  if (args.out != null) await writeFile(args.out, text)
  process.stdout.write(text)
} finally {
  await Promise.allSettled(all.map(async n => n.stop()))
}
process.exit(0)
