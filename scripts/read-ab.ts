/**
 * One read-path switch, before and after, in one formed network: forms the
 * bench's in-process toyrrent cluster over TCP (scripts/lib/cluster.ts),
 * puts and publishes `--ops` values from random nodes, then reads every key
 * twice per round from random readers, once with the switch on and once
 * off, alternating which goes first. Both sides see the same network,
 * tables and load, so what differs is the switch. Per side: new
 * connections per read (opened anywhere in the process while it ran, so
 * background work counts), the share of reads during which one opened,
 * forwarded-read fallbacks, failures and latency; then where the
 * connections were dialled from (the service's own frames of each dial's
 * async stack).
 *
 *   node dist/scripts/read-ab.js --nodes 200 --switch open-view|hops [--ops 200] [--rounds 2] [--seed 11]
 *
 * Switches: `hops`, forwardHops 1 against 0 (rpc.md, "A second hop");
 * `open-view`, ForwardedReads.overOpen against a direct path that dials.
 */
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { InProcessCluster } from './lib/cluster.ts'
import { internals } from '../src/service/toyrrent.ts'
import { round } from './lib/stats.ts'

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '200' },
    ops: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '11' },
    switch: { type: 'string', default: 'open-view' }
  }
})
const nodes = Number(args.nodes)
const ops = Number(args.ops)
const which = args.switch
if (which !== 'hops' && which !== 'open-view') throw new Error(`--switch hops|open-view, not ${which}`)

const cluster = await InProcessCluster.create({ impl: 'toyrrent', nodes, formTimeoutMs: 900_000, seed: Number(args.seed) })
process.stderr.write(`read-ab: ${nodes} nodes formed in ${Math.round(cluster.formMs)} ms\n`)
const members = cluster.members as any[]

// every new connection, with where in the service it was dialled from
Error.stackTraceLimit = 80
let label = 'setup'
let dials = 0
const dialledFrom = new Map<string, number>()
const manager = Object.getPrototypeOf(members[0].libp2p.components.connectionManager)
const openConnection = manager.openConnection
manager.openConnection = async function (this: any, peer: any, options: unknown) {
  const frames = (new Error().stack ?? '').split('\n').slice(2).map(l => l.trim())
    .filter(l => l.includes('/dist/src/') && !/\/rpc\/|identify-policy|peer-requests/.test(l)).slice(0, 3)
    .map(l => l.replace(/^at /, '').replace(/\((file:\/\/)?[^ ]*dist\/src\//, '(').replace(/(file:\/\/)?[^ ]*dist\/src\//, ''))
  const fresh = peer?.getComponent != null || this.getConnections(peer).length === 0
  const connection = await openConnection.call(this, peer, options)
  if (fresh) {
    dials++
    const key = `${label} | ${frames.join(' < ') || '(libp2p)'}`
    dialledFrom.set(key, (dialledFrom.get(key) ?? 0) + 1)
  }
  return connection
}
let fallbacks = 0
const forwardedOf = (m: any): any => m.toyrrent.publishItems.init.forwarded
for (const m of members) {
  const forwarded = forwardedOf(m)
  const fellBack = forwarded.fellBack.bind(forwarded)
  forwarded.fellBack = (why: string) => { fallbacks++; fellBack(why) }
}
const overOpen = new Map(members.map(m => [m, forwardedOf(m).overOpen]))
function turn (on: boolean): void {
  for (const m of members) {
    if (which === 'hops') m.toyrrent[internals].settings.forwardHops = on ? 1 : 0
    else forwardedOf(m).overOpen = on ? overOpen.get(m) : async (signal: AbortSignal, direct: (s: AbortSignal, mayAsk: () => boolean) => Promise<unknown>) => direct(signal, () => true)
  }
}

const pick = (): number => Math.floor(Math.random() * nodes)
const keys: Uint8Array[] = []
for (let i = 0; i < ops; i++) keys.push((await cluster.put(pick(), randomBytes(1024), 30_000)).value)
const ids: Uint8Array[] = []
for (let i = 0; i < ops; i++) {
  const seed = randomBytes(32)
  const node = pick()
  await cluster.prepareKeys(node, [seed])
  ids.push((await cluster.publish(node, seed, randomBytes(1024), 1n, 30_000)).value)
}

interface Side { reads: number, dials: number, opening: number, fallbacks: number, failed: number, ms: number[] }
const sides = new Map<string, Side>()
async function read (kind: 'get' | 'resolve', on: boolean, key: Uint8Array): Promise<void> {
  turn(on)
  label = `${kind} ${which} ${on ? 'on' : 'off'}`
  const side = sides.get(label) ?? { reads: 0, dials: 0, opening: 0, fallbacks: 0, failed: 0, ms: [] }
  sides.set(label, side)
  const [d0, f0, t0] = [dials, fallbacks, performance.now()]
  const found = await (kind === 'get' ? cluster.get(pick(), key, 30_000) : cluster.resolve(pick(), key, 30_000)).then(r => r.value != null, () => false)
  side.reads++
  side.dials += dials - d0
  if (dials > d0) side.opening++
  side.fallbacks += fallbacks - f0
  if (!found) side.failed++
  side.ms.push(performance.now() - t0)
}
for (let r = 0; r < Number(args.rounds); r++) {
  for (const [kind, list] of [['get', keys], ['resolve', ids]] as const) {
    for (let i = 0; i < list.length; i++) {
      const first = (i + r) % 2 === 0
      await read(kind, first, list[i])
      await read(kind, !first, list[i])
    }
  }
}
label = 'done'

const at = (ms: number[], q: number): number => round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))], 1)
const result = {
  nodes,
  switch: which,
  formMs: Math.round(cluster.formMs),
  sides: Object.fromEntries([...sides].map(([name, s]) => {
    s.ms.sort((a, b) => a - b)
    return [name, { reads: s.reads, newConnectionsPerRead: round(s.dials / s.reads, 3), readsOpening: round(s.opening / s.reads, 3), fallbacksPerRead: round(s.fallbacks / s.reads, 3), failed: s.failed, p50: at(s.ms, 0.5), p90: at(s.ms, 0.9), p99: at(s.ms, 0.99) }]
  })),
  dialledFrom: Object.fromEntries([...dialledFrom].filter(([k]) => !k.startsWith('setup')).sort((a, b) => b[1] - a[1]))
}
console.log(JSON.stringify(result, null, 2))
await cluster.stop()
process.exit(0)
