/**
 * The cost of compare-and-swap against a plain publish: latency (p50/p99)
 * and requests to peers per write, on the in-memory network with a per
 * exchange delay or on a real TCP network on 127.0.0.1. Prints JSON.
 *
 *   node dist/scripts/cas-bench.js [--transport memory|tcp] [--nodes 10] [--ops 200] [--delay 5] [--racers 2]
 *
 * Each phase writes `ops` records sequentially from random nodes, each to
 * one of 20 ids in turn (seq counting up per id): `plain` with no expected
 * seq, `cas` with the seq the id holds. `race` runs `racers` CAS writers on
 * one id at once per round (same expected seq), counting the outcomes.
 * Requests are counted around each node's typed client (PeerRpc), so the
 * node's own acceptor, which needs no request, is not counted.
 */
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../src/testing/memory-network.ts'
import { createTestnet } from '../src/testing/testnet.ts'
import { internals } from '../src/service/toyrrent.ts'
import { createPublishRecord, publishId } from '../src/records/publish-record.ts'
import type { Toyrrent } from '../src/service/toyrrent.ts'
import type { PrivateKey } from '@libp2p/interface'

const { values: args } = parseArgs({
  options: {
    transport: { type: 'string', default: 'memory' },
    nodes: { type: 'string', default: '10' },
    ops: { type: 'string', default: '200' },
    delay: { type: 'string', default: '5' },
    racers: { type: 'string', default: '2' },
    ids: { type: 'string', default: '20' }
  }
})
const nodesCount = Number(args.nodes)
const ops = Number(args.ops)
const delay = Number(args.delay)
const racers = Number(args.racers)
const idCount = Number(args.ids)

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

function summary (latencies: number[], requests: number[]): Record<string, number> {
  const l = [...latencies].sort((a, b) => a - b)
  const r = [...requests].sort((a, b) => a - b)
  const round = (x: number): number => Math.round(x * 100) / 100
  return {
    ops: latencies.length,
    p50Ms: round(percentile(l, 50)),
    p99Ms: round(percentile(l, 99)),
    meanMs: round(l.reduce((a, b) => a + b, 0) / Math.max(1, l.length)),
    requestsP50: percentile(r, 50),
    requestsMean: round(r.reduce((a, b) => a + b, 0) / Math.max(1, r.length)),
    requestsMax: r[r.length - 1] ?? 0
  }
}

/** Count every request a node's typed client sends. */
function countRequests (services: Toyrrent[]): { total: () => number, byMethod: Map<string, number> } {
  let total = 0
  const byMethod = new Map<string, number>()
  for (const service of services) {
    const rpc = service[internals].rpc as unknown as Record<string, (...a: unknown[]) => unknown>
    for (const method of ['findBeforeN', 'fetch', 'store', 'digest', 'syncKeys', 'holds', 'handoff', 'acknowledgeHandoff', 'prepare', 'accept']) {
      const original = rpc[method]
      if (typeof original !== 'function') continue
      rpc[method] = function (this: unknown, ...a: unknown[]) {
        total++
        byMethod.set(method, (byMethod.get(method) ?? 0) + 1)
        return original.apply(rpc, a)
      }
    }
  }
  return { total: () => total, byMethod }
}

async function main (): Promise<void> {
  let services: Toyrrent[]
  let stop: () => Promise<void>
  if (args.transport === 'tcp') {
    const net = await createTestnet(nodesCount)
    services = net.nodes.map(n => n.toyrrent as unknown as Toyrrent)
    stop = async () => { await net.stop() }
  } else {
    const net = await createMemoryNetwork(nodesCount)
    net.setDelay(delay)
    services = net.nodes
    stop = async () => { await net.stop() }
  }
  const counter = countRequests(services)
  const pick = (): Toyrrent => services[Math.floor(Math.random() * services.length)]
  try {
    const keys: PrivateKey[] = await Promise.all(Array.from({ length: idCount }, async () => generateKeyPair('Ed25519')))
    const seqs = new Map<number, bigint>()
    const phases: Record<string, unknown> = {}
    for (const phase of ['plain', 'cas'] as const) {
      const latencies: number[] = []
      const requests: number[] = []
      const errors: Record<string, number> = {}
      const methods = new Map(counter.byMethod)
      for (let i = 0; i < ops; i++) {
        const k = i % idCount
        const expected = seqs.get(k) ?? 0n
        const record = await createPublishRecord({ privateKey: keys[k], seq: expected + 1n, value: new TextEncoder().encode(`${phase} ${i}`) })
        const before = counter.total()
        const started = performance.now()
        try {
          await pick().publishRecord(record, phase === 'cas' ? { expectedSeq: expected } : {})
          seqs.set(k, expected + 1n)
          latencies.push(performance.now() - started)
          requests.push(counter.total() - before)
        } catch (err: any) {
          errors[err.code ?? err.name] = (errors[err.code ?? err.name] ?? 0) + 1
        }
      }
      const perMethod: Record<string, number> = {}
      for (const [m, n] of counter.byMethod) { const d = n - (methods.get(m) ?? 0); if (d > 0) perMethod[m] = Math.round(d / Math.max(1, latencies.length) * 100) / 100 }
      phases[phase] = { ...summary(latencies, requests), requestsPerOpByMethod: perMethod, errors }
    }
    // racing writers on one id
    const raceKey = await generateKeyPair('Ed25519')
    const raceId = publishId(raceKey.publicKey.raw)
    const outcomes: Record<string, number> = {}
    let expected = 0n
    const raceLatencies: number[] = []
    let doubleAcks = 0
    const rounds = Math.max(1, Math.floor(ops / 4))
    for (let round = 0; round < rounds; round++) {
      const records = await Promise.all(Array.from({ length: racers }, async (_, w) => createPublishRecord({ privateKey: raceKey, seq: expected + 1n, value: new TextEncoder().encode(`r${round}w${w}`) })))
      const started = performance.now()
      const results = await Promise.allSettled(records.map(async r => pick().publishRecord(r, { expectedSeq: expected })))
      raceLatencies.push(performance.now() - started)
      let acked = 0
      for (const r of results) {
        const code = r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? 'error')
        outcomes[code] = (outcomes[code] ?? 0) + 1
        if (code === 'ok') acked++
      }
      if (acked > 1) doubleAcks++
      expected = (await pick().resolve(raceId)).seq
    }
    const sortedRace = raceLatencies.sort((a, b) => a - b)
    const result = {
      transport: args.transport,
      nodes: nodesCount,
      delayMsPerExchange: args.transport === 'tcp' ? undefined : delay,
      ...phases,
      race: { rounds, racers, outcomes, doubleAcks, roundP50Ms: Math.round(percentile(sortedRace, 50) * 100) / 100, roundP99Ms: Math.round(percentile(sortedRace, 99) * 100) / 100 }
    }
    console.log(JSON.stringify(result, null, 2))
  } finally {
    await stop()
  }
}

main().then(() => process.exit(0), err => { console.error(err); process.exit(1) })
