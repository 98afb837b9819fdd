/**
 * Why routing tables hold fewer peers than the network has, and what a put
 * costs: forms an N-node toyrrent network on the in-memory network
 * (toyrrent/testing: the real join, lookups and writer, no libp2p, so no
 * connections are counted; deterministic keys from --seed), then, for every
 * node and every distance band, compares the table with the true set of
 * nodes in that band. A peer missing from a full band is Kademlia's k at
 * work; one missing from a band with room is a peer the node never met.
 * Then `--puts` puts from random nodes, counting requests by type and how
 * many put keys had a replica set the writer's table did not hold.
 *
 *   node dist/scripts/table-census.js --nodes 50 [--puts 100] [--seed 1]
 *
 * Prints JSON.
 */
import { parseArgs } from 'node:util'
import { createMemoryNetwork } from '../src/testing/memory-network.ts'
import { internals } from '../src/service/toyrrent.ts'
import { distanceBand, nearestPositioned, peerPosition } from '../src/keyspace.ts'
import { hashItemKey } from '../src/records/hash-item.ts'
import { rng, randomInt, round } from './lib/stats.ts'
import type { Toyrrent } from '../src/service/toyrrent.ts'

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50' },
    puts: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    resolves: { type: 'string', default: '100' }
  }
})
const nodes = Number(args.nodes)
const puts = Number(args.puts)
const seed = Number(args.seed)

const started = performance.now()
const net = await createMemoryNetwork(nodes, {}, { seed })
const formMs = performance.now() - started
const members = [...net.nodes]
const positions = members.map(m => ({ id: net.peerId(m).toString(), position: peerPosition(net.peerId(m)) }))

/** Requests each node sends, by type, counted around its typed RPC client. */
const counts: Record<string, number> = {}
const TYPES = { findBeforeN: 'FIND_BEFORE_N', fetch: 'FETCH', store: 'STORE', digest: 'DIGEST', syncKeys: 'SYNC_KEYS', holds: 'HOLDS', handoff: 'HANDOFF' }
for (const m of members) {
  const rpc = m[internals].rpc as any
  for (const [method, type] of Object.entries(TYPES)) {
    const original = rpc[method].bind(rpc)
    rpc[method] = async (...a: unknown[]) => { counts[type] = (counts[type] ?? 0) + 1; return original(...a) }
  }
}

function census (): Record<string, number> {
  let held = 0
  let waiting = 0
  let missingFull = 0
  let missingRoom = 0
  for (const m of members) {
    const { table, settings } = m[internals]
    const truth = new Map<number, string[]>()
    for (const p of positions) {
      if (p.id === net.peerId(m).toString()) continue
      const band = distanceBand(table.self, p.position)
      truth.set(band, [...(truth.get(band) ?? []), p.id])
    }
    const bands = table.bands()
    for (const [band, ids] of truth) {
      const have = new Set((bands.get(band) ?? []).map(e => e.peerId.toString()))
      const missing = ids.filter(id => !have.has(id)).length
      held += have.size
      if (have.size >= settings.bucketSize) missingFull += missing
      else missingRoom += missing
    }
    waiting += table.waiting
  }
  const n = members.length
  return {
    tablePeersMean: round(held / n, 1),
    missingFromFullBandsMean: round(missingFull / n, 1),
    missingFromBandsWithRoomMean: round(missingRoom / n, 1),
    replacementsWaitingMean: round(waiting / n, 1)
  }
}

const afterFormation = { formMs: Math.round(formMs), formationExchanges: net.stats.exchanges, formationConnections: net.connectionsOpened(), ...census() }

const random = rng(seed)
const before = { ...counts }
const connectionsBefore = net.connectionsOpened()
let replicaSetUnknown = 0
let failed = 0
const value = (i: number): Uint8Array => new TextEncoder().encode(`census ${seed} value ${i} `.padEnd(1024, '.'))
const viewOf = (node: Toyrrent, key: Uint8Array): string[] => {
  const self = positions.find(p => p.id === net.peerId(node).toString())!
  return nearestPositioned(key, [...node[internals].table.all().map(e => ({ id: e.peerId.toString(), position: e.position })), self], 3).map(p => p.id)
}
for (let i = 0; i < puts; i++) {
  const node = members[randomInt(random, members.length)]
  const bytes = value(i)
  const key = hashItemKey(bytes)
  const truth = nearestPositioned(key, positions, 3).map(p => p.id)
  if (truth.some(id => !viewOf(node, key).includes(id))) replicaSetUnknown++
  try {
    await node.put(bytes, { timeout: 10_000 })
  } catch {
    failed++
  }
}
const perPut: Record<string, number> = {}
for (const [type, n] of Object.entries(counts)) perPut[type] = round((n - (before[type] ?? 0)) / Math.max(puts, 1), 2)
const afterPuts = {
  puts,
  failed,
  replicaSetNotInWritersTable: round(replicaSetUnknown / Math.max(puts, 1), 2),
  // pairs of nodes that exchanged nothing before (a new connection over TCP)
  connectionsPerPut: round((net.connectionsOpened() - connectionsBefore) / Math.max(puts, 1), 2),
  requestsPerPut: perPut,
  ...census()
}

// gets and resolves from nodes that hold no copy: requests and this process's CPU (the service's
// own work: lookups, verification, encoding; the memory network has no transport) per operation
const perOp = async (ops: Array<() => Promise<unknown>>): Promise<Record<string, number>> => {
  const c0 = { ...counts }
  const cpu0 = process.cpuUsage()
  for (const op of ops) await op()
  const cpu = process.cpuUsage(cpu0)
  const out: Record<string, number> = { cpuMsPerOp: round((cpu.user + cpu.system) / 1000 / ops.length, 3) }
  for (const [type, n] of Object.entries(counts)) if (n > (c0[type] ?? 0)) out[type] = round((n - (c0[type] ?? 0)) / ops.length, 2)
  return out
}
const reader = (key: Uint8Array): Toyrrent => {
  const holders = new Set(nearestPositioned(key, positions, 3).map(p => p.id))
  for (;;) {
    const node = members[randomInt(random, members.length)]
    if (!holders.has(net.peerId(node).toString()) && !node[internals].store.has(key)) return node
  }
}
const resolves = Number(args.resolves)
const putKeys = Array.from({ length: Math.min(puts, resolves) }, (_, i) => hashItemKey(value(i)))
const gets = await perOp(putKeys.map(key => async () => reader(key).get(key)))
const { generateKeyPairFromSeed } = await import('@libp2p/crypto/keys')
const ids: Uint8Array[] = []
for (let i = 0; i < resolves; i++) {
  const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(i + 1))
  ids.push((await members[randomInt(random, members.length)].publish(key, value(i), { seq: 1n })).id)
}
// CENSUS_PROFILE=FILE: a CPU profile of the resolves alone (summarise with dist/scripts/cpuprofile-top.js)
const { Session } = await import('node:inspector/promises')
const session = new Session()
if (process.env.CENSUS_PROFILE != null) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
}
const resolvesPerOp = await perOp(ids.map(id => async () => reader(id).resolve(id)))
if (process.env.CENSUS_PROFILE != null) {
  const { profile } = await session.post('Profiler.stop')
  const { writeFile } = await import('node:fs/promises')
  await writeFile(process.env.CENSUS_PROFILE, JSON.stringify(profile))
}
process.stdout.write(JSON.stringify({ nodes, seed, afterFormation, formationRequests: before, afterPuts, getPerOp: gets, resolvePerOp: resolvesPerOp }, null, 2) + '\n')
await net.stop()
process.exit(0)
