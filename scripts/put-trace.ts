/**
 * Where a put's new connections and requests come from: forms the bench's
 * in-process toyrrent cluster over TCP (scripts/lib/cluster.ts, settled),
 * then puts `--ops` 1 KiB values one after another from random writers,
 * each in its own async context, and tags what the writer did on its way
 * (Writer's paths, each forwarded put's outcome with the forwarder's rank
 * among the key's true nearest and how many of its acks came from the true
 * replica set), and every new connection and every STORE, FORWARD_STORE and
 * FIND_BEFORE_N sent, with whether it was before the put resolved, after
 * it (its background placement), or outside any put (a forwarder serving
 * one, repair, table upkeep). Prints latency, the counts and the most
 * common paths.
 *
 *   node dist/scripts/put-trace.js [--nodes 200] [--ops 300] [--seed 11]
 */
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { AsyncLocalStorage } from 'node:async_hooks'
import { InProcessCluster } from './lib/cluster.ts'
import { Writer } from '../src/service/writer.ts'
import { ForwardedPuts } from '../src/service/forwarded-put.ts'
import { RpcClient } from '../src/rpc/client.ts'
import { nearestPositioned, peerPosition } from '../src/keyspace.ts'
import { round } from './lib/stats.ts'
import type { FoundPeer } from '../src/found-peer.ts'

const { values: args } = parseArgs({ options: { nodes: { type: 'string', default: '200' }, ops: { type: 'string', default: '300' }, seed: { type: 'string', default: '11' } } })
const nodes = Number(args.nodes)
const ops = Number(args.ops)

/** One put's trace; `resolved` flips when the put's promise settles (what follows is its background). */
interface PutTrace { resolved: boolean, events: string[] }
const context = new AsyncLocalStorage<PutTrace>()
const when = (): string => { const t = context.getStore(); return t == null ? 'outside a put' : t.resolved ? 'after the put' : 'during the put' }
const tag = (event: string): void => { const t = context.getStore(); t?.events.push(`${t.resolved ? 'after: ' : ''}${event}`) }
const counts = new Map<string, number>()
const count = (key: string): void => { counts.set(key, (counts.get(key) ?? 0) + 1) }
let truth: FoundPeer[] = []
const rankOf = (key: Uint8Array, peer: FoundPeer): number => nearestPositioned(key, truth, truth.length).findIndex(p => p.peerId.equals(peer.peerId))

// the writer's paths (private methods, wrapped on the prototype: a throw-away view, not an API)
const writer: any = Writer.prototype
for (const name of ['replicateDirect', 'replicateToKnown', 'replicateLookedUp', 'correctForwarded']) {
  const original = writer[name]
  writer[name] = function (this: unknown, ...a: any[]) { tag(name === 'replicateDirect' && a[3] != null ? `${name} (${a[3].size} placed)` : name); return original.apply(this, a) }
}
const forwarded: any = ForwardedPuts.prototype
const countAcks = forwarded.count
forwarded.count = async function (this: unknown, item: { key: Uint8Array }, forwarder: FoundPeer, nonce: Uint8Array, answer: { acks: Array<{ peer: FoundPeer }> }, ...rest: unknown[]) {
  const counted = await countAcks.call(this, item, forwarder, nonce, answer, ...rest)
  const replicaSet = new Set(nearestPositioned(item.key, truth, 3).map(p => p.peerId.toString()))
  const rank = rankOf(item.key, forwarder)
  const fromSet = answer.acks.filter(a => replicaSet.has(a.peer.peerId.toString())).length
  tag(`forward (forwarder ${rank < 10 ? 'among the 10 nearest' : rank < 40 ? '10th–39th nearest' : '40th nearest or farther'}, ${fromSet} of ${answer.acks.length} acks from the replica set, ${counted == null ? 'fell short' : 'counted'})`)
  count(`forwarded puts: forwarder ${rank < 40 ? 'among the 40 nearest' : 'farther'}, ${counted == null ? 'fell short' : 'counted'}`)
  return counted
}
const client: any = RpcClient.prototype
for (const [method, type] of [['store', 'STORE'], ['forwardStore', 'FORWARD_STORE'], ['findBeforeN', 'FIND_BEFORE_N']]) {
  const original = client[method]
  client[method] = function (this: unknown, ...a: any[]) {
    count(`${type} ${when()}${type === 'FORWARD_STORE' ? (a[4] > 0 ? ' (a put, enough W)' : ' (a placement, enough 0)') : ''}`)
    return original.apply(this, a)
  }
}

const cluster = await InProcessCluster.create({ impl: 'toyrrent', nodes, formTimeoutMs: 900_000, seed: Number(args.seed) })
process.stderr.write(`put-trace: ${nodes} nodes formed in ${Math.round(cluster.formMs)} ms, settled in ${Math.round(cluster.settleMs)} ms\n`)
const members = cluster.members as any[]
truth = members.map(m => ({ peerId: m.libp2p.peerId, position: peerPosition(m.libp2p.peerId), multiaddrs: [] }))
const manager = Object.getPrototypeOf(members[0].libp2p.components.connectionManager)
const openConnection = manager.openConnection
manager.openConnection = async function (this: any, peer: any, options: unknown) {
  const fresh = peer?.getComponent != null || this.getConnections(peer).length === 0
  const connection = await openConnection.call(this, peer, options)
  if (fresh) { tag('new connection'); count(`new connections ${when()}`) }
  return connection
}
counts.clear()
const traces: Array<PutTrace & { ms: number }> = []
for (let i = 0; i < ops; i++) {
  const trace: PutTrace = { resolved: false, events: [] }
  const started = performance.now()
  await context.run(trace, async () => cluster.put(Math.floor(Math.random() * nodes), randomBytes(1024), 30_000))
  trace.resolved = true
  traces.push({ ...trace, events: trace.events, ms: performance.now() - started })
}
// the last puts' background placements
await new Promise(resolve => setTimeout(resolve, 3000))
const ms = traces.map(t => t.ms).sort((a, b) => a - b)
const at = (q: number): number => round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))], 1)
const paths = new Map<string, number>()
for (const t of traces) paths.set(t.events.join(' → '), (paths.get(t.events.join(' → ')) ?? 0) + 1)
console.log(JSON.stringify({
  nodes,
  puts: ops,
  latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99) },
  counts: Object.fromEntries([...counts].sort((a, b) => a[0].localeCompare(b[0]))),
  paths: Object.fromEntries([...paths].sort((a, b) => b[1] - a[1]).slice(0, 25))
}, null, 2))
await cluster.stop()
process.exit(0)
