/**
 * Why routing tables hold fewer peers than the network has: forms an N-node
 * toyrrent network in this process exactly as the benchmark does
 * (scripts/lib/cluster.ts), then, for every node and every distance band,
 * compares the table with the true set of nodes in that band. A peer missing
 * from a band that is full is Kademlia's k at work; one missing from a band
 * with room is a peer the node never met. Then `--puts` puts from random
 * nodes, counting requests by type, connections opened and closed, and how
 * many put keys had a replica set the writer's table did not hold.
 *
 *   node dist/scripts/table-census.js --nodes 50 [--puts 100] [--seed 1]
 *
 * Prints JSON.
 */
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { createCluster } from './lib/cluster.ts'
import { rng, randomInt, round } from './lib/stats.ts'
import { internals } from '../src/service/toyrrent.ts'
import { distanceBand, nearestPositioned, peerPosition } from '../src/keyspace.ts'
import { hashItemKey } from '../src/records/hash-item.ts'
import type { InProcessCluster } from './lib/cluster.ts'
import type { ToyrrentBenchNode } from './lib/impl.ts'

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50' },
    puts: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    'form-timeout-s': { type: 'string', default: '600' }
  }
})
const nodes = Number(args.nodes)
// an abandoned request's deadline can surface here; count it rather than die (reported at the end)
let unhandled = 0
for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
  process.on(event, (err: any) => {
    if (unhandled++ < 3) process.stderr.write(`census: ${event}: ${err?.stack ?? err}\n`)
  })
}
const progress = (what: string): void => { process.stderr.write(`census: ${what} at ${Math.round(performance.now() / 1000)} s\n`) }
const puts = Number(args.puts)

const cluster = await createCluster({ impl: 'toyrrent', nodes, procs: false, seed: Number(args.seed), formTimeoutMs: Number(args['form-timeout-s']) * 1000 }) as InProcessCluster
progress('formed')
const members = cluster.members as ToyrrentBenchNode[]
const closes: Record<string, number> = {}
for (const m of members) {
  m.libp2p.addEventListener('connection:close', () => { closes.count = (closes.count ?? 0) + 1 })
}
const positions = members.map(m => ({ id: m.libp2p.peerId.toString(), position: peerPosition(m.libp2p.peerId) }))

function census (): Record<string, number> {
  let held = 0
  let waiting = 0
  let missingFull = 0
  let missingRoom = 0
  let connected = 0
  for (const m of members) {
    const table = m.toyrrent[internals].table
    const bucketSize = m.toyrrent[internals].settings.bucketSize
    const self = table.self
    const truth = new Map<number, string[]>()
    for (const p of positions) {
      if (p.id === m.libp2p.peerId.toString()) continue
      const band = distanceBand(self, p.position)
      truth.set(band, [...(truth.get(band) ?? []), p.id])
    }
    const bands = table.bands()
    for (const [band, ids] of truth) {
      const have = new Set((bands.get(band) ?? []).map(e => e.peerId.toString()))
      const missing = ids.filter(id => !have.has(id)).length
      held += have.size
      if (have.size >= bucketSize) missingFull += missing
      else missingRoom += missing
    }
    waiting += table.waiting
    connected += new Set(m.libp2p.getConnections().map(c => c.remotePeer.toString())).size
  }
  const n = members.length
  return {
    tablePeersMean: round(held / n, 1),
    missingFromFullBandsMean: round(missingFull / n, 1),
    missingFromBandsWithRoomMean: round(missingRoom / n, 1),
    replacementsWaitingMean: round(waiting / n, 1),
    connectedPeersMean: round(connected / n, 1)
  }
}

const counts = async (): Promise<Record<string, number>> => cluster.requestCounts()
const connections = async (): Promise<number> => cluster.newConnections()

const afterFormation = { formMs: Math.round(cluster.formMs), ...census(), requests: await counts() }

const random = rng(Number(args.seed))
const before = await counts()
const connBefore = await connections()
const closesBefore = closes.count ?? 0
let replicaSetUnknown = 0
let failed = 0
for (let i = 0; i < puts; i++) {
  const node = randomInt(random, members.length)
  const value = new Uint8Array(randomBytes(1024))
  const key = hashItemKey(value)
  // the true replica set against the writer's view of it (ourselves included when we are one)
  const truth = nearestPositioned(key, positions, 3).map(p => p.id)
  const self = members[node].libp2p.peerId.toString()
  const view = nearestPositioned(key, [...members[node].toyrrent[internals].table.all().map(e => ({ id: e.peerId.toString(), position: e.position })), positions.find(p => p.id === self)!], 3).map(p => p.id)
  if (truth.some(id => !view.includes(id))) replicaSetUnknown++
  try {
    await members[node].put(value, AbortSignal.timeout(10_000))
  } catch {
    failed++
  }
}
progress('puts done')
const after = await counts()
const perPut: Record<string, number> = {}
for (const [type, n] of Object.entries(after)) perPut[type] = round((n - (before[type] ?? 0)) / Math.max(puts, 1), 2)
const afterPuts = {
  puts,
  failed,
  replicaSetNotInWritersTable: round(replicaSetUnknown / Math.max(puts, 1), 2),
  requestsPerPut: perPut,
  newConnectionsPerPut: round((await connections() - connBefore) / 2 / Math.max(puts, 1), 3),
  connectionsClosedPerPut: round(((closes.count ?? 0) - closesBefore) / 2 / Math.max(puts, 1), 3),
  ...census()
}
process.stdout.write(JSON.stringify({ nodes, afterFormation, afterPuts, unhandledRejections: unhandled }, null, 2) + '\n')
await cluster.stop()
process.exit(0)
