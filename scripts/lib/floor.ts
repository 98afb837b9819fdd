/**
 * The per-request floor of toyrrent's stack, in process: one RPC from node 0
 * to node 1 over the service's own channel (TCP + Noise + Yamux + length
 * prefix + protobuf, both ends on this event loop), with nothing else
 * around it. A get or put cannot be cheaper than the RPCs it sends, so
 * latency ≈ rounds × floor and throughput ≈ 1 / (requests per op × CPU per
 * request).
 */
import { randomBytes } from 'node:crypto'
import { ToyrrentBenchNode } from './impl.ts'
import { round, summarise } from './stats.ts'
import type { InProcessCluster } from './cluster.ts'
import type { LatencySummary } from './stats.ts'

export type FloorCase = { latencyMs: LatencySummary, opsPerSecAtConcurrency: number, concurrency: number } | { error: string }

export async function rpcFloor (cluster: InProcessCluster, count = 500, concurrency = 32, budgetMs = 20_000): Promise<Record<string, FloorCase> | undefined> {
  const [a, b] = cluster.members
  if (!(a instanceof ToyrrentBenchNode) || !(b instanceof ToyrrentBenchNode)) return undefined
  const held = await b.put(new Uint8Array(randomBytes(1024)), AbortSignal.timeout(10_000))
  const { Frame } = await import('../../src/rpc/pb/rpc.ts')
  const cases: Record<string, () => Promise<unknown>> = {
    'fetch hit (1 KiB back)': async () => a.rawRequest(b, { type: Frame.Type.FETCH, fetchRequest: { key: held, closerCount: 0 } }, AbortSignal.timeout(5_000)),
    'fetch miss (20 closer peers back)': async () => a.rawRequest(b, { type: Frame.Type.FETCH, fetchRequest: { key: new Uint8Array(randomBytes(32)), closerCount: 0 } }, AbortSignal.timeout(5_000)),
    'find_before_n n=1': async () => a.rawRequest(b, { type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: new Uint8Array(randomBytes(32)), n: 1 } }, AbortSignal.timeout(5_000))
  }
  const out: Record<string, FloorCase> = {}
  for (const [name, op] of Object.entries(cases)) {
    try {
      out[name] = await measure(op, count, concurrency, budgetMs)
    } catch (err: any) {
      out[name] = { error: err.message }
    }
  }
  return out
}

async function measure (op: () => Promise<unknown>, count: number, concurrency: number, budgetMs: number): Promise<FloorCase> {
  {
    for (let i = 0; i < 50; i++) await op() // warm-up
    const samples: number[] = []
    const deadline = performance.now() + budgetMs
    for (let i = 0; i < count && performance.now() < deadline; i++) {
      const start = performance.now()
      await op()
      samples.push(performance.now() - start)
    }
    let done = 0
    let next = 0
    const start = performance.now()
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count * 4 && performance.now() < deadline) {
        next++
        await op()
        done++
      }
    }))
    return { latencyMs: summarise(samples), opsPerSecAtConcurrency: round(done / ((performance.now() - start) / 1000), 1), concurrency }
  }
}
