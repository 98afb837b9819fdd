/**
 * The benchmark workload, the same for every implementation: sequential puts
 * and gets of distinct 1 KiB values from random nodes, gets at a fixed
 * concurrency, then the same for publish/resolve, then the cold reads (they
 * close connections, so they come last). Every phase is bounded in
 * count and in wall time and reports how far it got.
 */
import { randomBytes } from 'node:crypto'
import { sha256 } from '../../src/keyspace.ts'
import { equalBytes, mib, rng, randomInt, randomOther, round, summarise } from './stats.ts'
import type { Cluster, MemoryReport, Timed } from './cluster.ts'
import type { LatencySummary } from './stats.ts'
import type { FloorCase } from './floor.ts'
import type { FdCensus } from './fd-census.ts'

export interface WorkloadOptions {
  sequential: number
  concurrentOps: number
  concurrency: number
  valueBytes: number
  opTimeoutMs: number
  /** Wall-time cap of one phase. */
  phaseBudgetMs: number
  seed: number
  /** Skip publish/resolve even when available. */
  noPublish?: boolean
  /** The delay in front of every connection (bench --rtt-ms): latencies are also reported in round trips. */
  rttMs?: number
  /**
   * Cold reads (issue 13's cold path): this many sequential gets and
   * resolves, each from a reader that first closed its connections to the
   * key's replica set (untimed). 0 or a cluster that cannot: skipped.
   */
  coldReads?: number
  /**
   * After each cold read (untimed) the reader dials the replicas again, so
   * later readers' forwarders still have their connections (without it 100
   * cold reads close 300 connections of a 20-node network: the pessimistic case).
   */
  coldRestore?: boolean
  /**
   * Cold puts (issue 13's cold put): this many sequential puts of new values,
   * each from a random node that first closed its connections to the key's
   * replica set (untimed; restored after each with coldRestore). 0: skipped.
   */
  coldPuts?: number
  /** R: the replica set a cold read's reader hangs up on. @default 3 */
  replicas?: number
  /** Called around each phase (the profiler hooks in here). */
  onPhase?: (phase: string, event: 'start' | 'end') => Promise<void>
}

export interface PhaseResult {
  attempted: number
  ok: number
  failed: number
  /** Ran out of its time budget before the planned count. */
  truncated: boolean
  successRate: number
  wallMs: number
  latencyMs: LatencySummary
  opsPerSec?: number
  /** Outbound requests all nodes sent during the phase, per operation, by type (background traffic included). */
  requestsPerOp?: Record<string, number>
  /** With --rtt-ms: latency in round trips. */
  roundTrips?: LatencySummary
  /**
   * CPU time of this process per operation (user + system, all threads): with
   * every node in this process, the whole network's work for one operation,
   * background included; with --procs, only the driver's. Less moved by other
   * load on the machine than latencies are.
   */
  cpuMsPerOp?: number
  /** New connections (each counted once) per operation, background traffic included. */
  newConnectionsPerOp?: number
  /** Sequential phases: share of operations during which at least one connection opened. */
  opsOpeningConnection?: number
  /** Reads that had to be answered from the reader's own store (no reader without a copy was found). */
  localReads?: number
  /** At the phase's end: connections open per node (mean) and this process's open file descriptors. */
  openConnectionsPerNode?: number
  openFds?: number
  errors?: string[]
}

/** Connections the nodes hold open at one moment (each in-process TCP connection counts at both ends: 2 sockets). */
export interface OpenConnections {
  total: number
  perNodeMean: number
  perNodeMax: number
}

export function openConnectionsOf (counts: number[] | undefined): OpenConnections | undefined {
  if (counts == null || counts.length === 0) return undefined
  const total = counts.reduce((s, x) => s + x, 0)
  return { total, perNodeMean: round(total / counts.length, 1), perNodeMax: Math.max(...counts) }
}

export interface MemorySummary {
  totalRssMiB: number
  perNodeRssMiB: number
  heapUsedMiB: number
  processes: number
}

export interface ImplResult {
  impl: string
  nodes: number
  procs: boolean
  formMs: number
  /** After formation, until no node's join had work left for later (Cluster.settleMs); the phases start after it. */
  settleMs?: number
  /** Outbound requests of all nodes while the network formed, by type. */
  formationRequests?: Record<string, number>
  tableSize: { min: number, mean: number, max: number }
  memoryIdle: MemorySummary
  memoryAfter?: MemorySummary
  put?: PhaseResult
  get?: PhaseResult
  getConcurrent?: PhaseResult
  publish?: PhaseResult | { skipped: string }
  resolve?: PhaseResult
  resolveConcurrent?: PhaseResult
  /** Sequential gets from a reader with no connection to the key's replica set (--cold-reads). */
  getCold?: PhaseResult
  /** Sequential resolves from a reader with no connection to the id's replica set (--cold-reads). */
  resolveCold?: PhaseResult
  /** Sequential puts from a writer with no connection to the key's replica set (--cold-puts). */
  putCold?: PhaseResult
  ipcRoundTripMs?: LatencySummary
  /** Outbound requests of all nodes over the whole run (formation included), by type. */
  requestTotals?: Record<string, number>
  /** Bytes per value (below the workload's when the implementation caps values). */
  valueBytes?: number
  /** toyrrent in process: the cost of one bare RPC (scripts/lib/floor.ts). */
  rpcFloor?: Record<string, FloorCase>
  /** Connections open after formation and after the workload; how many the nodes' own trim closed. */
  connections?: { afterFormation?: OpenConnections, after?: OpenConnections, trimmed?: number }
  /** Open file descriptors by kind after formation and after the workload; the peak is sampled by the bench (in process). */
  fds?: { afterFormation?: FdCensus, after?: FdCensus, peak?: number }
}

export function memorySummary (m: MemoryReport): MemorySummary {
  return { totalRssMiB: mib(m.rssBytes), perNodeRssMiB: mib(m.perNodeRssBytes), heapUsedMiB: mib(m.heapUsedBytes), processes: m.processes }
}

class Phase {
  requestsBefore: Record<string, number> = {}
  connectionsBefore = 0
  opsOpening = 0
  localReads = 0
  readonly samples: number[] = []
  readonly errors = new Map<string, number>()
  ok = 0
  failed = 0
  truncated = false
  private readonly start = performance.now()
  private readonly cpuAtStart = process.cpuUsage()
  private readonly deadline: number

  constructor (budgetMs: number) { this.deadline = this.start + budgetMs }

  get expired (): boolean {
    if (performance.now() > this.deadline) this.truncated = true
    return this.truncated
  }

  record (ms: number, ok: boolean, error?: string): void {
    this.samples.push(ms)
    if (ok) this.ok++
    else {
      this.failed++
      const e = error ?? 'wrong bytes'
      this.errors.set(e, (this.errors.get(e) ?? 0) + 1)
    }
  }

  async attempt<T> (work: () => Promise<Timed<T>>, check: (value: T) => boolean): Promise<T | undefined> {
    const start = performance.now()
    try {
      const { value, ms } = await work()
      this.record(ms, check(value))
      return value
    } catch (err: any) {
      this.record(performance.now() - start, false, `${err.name ?? 'Error'}: ${String(err.message).slice(0, 120)}`)
      return undefined
    }
  }

  /** The phase's requests per attempted op, from counts taken before and after. */
  async requests (cluster: Cluster): Promise<Record<string, number>> {
    const after = await cluster.requestCounts()
    const out: Record<string, number> = {}
    const ops = Math.max(1, this.ok + this.failed)
    for (const [k, v] of Object.entries(after)) {
      const d = v - (this.requestsBefore[k] ?? 0)
      if (d > 0) out[k] = round(d / ops, 2)
    }
    return out
  }

  result (concurrent = false): PhaseResult {
    const wallMs = performance.now() - this.start
    const attempted = this.ok + this.failed
    const r: PhaseResult = {
      attempted,
      ok: this.ok,
      failed: this.failed,
      truncated: this.truncated,
      successRate: round(this.ok / Math.max(1, attempted), 4),
      wallMs: round(wallMs, 1),
      latencyMs: summarise(this.samples)
    }
    if (concurrent) r.opsPerSec = round(this.ok / (wallMs / 1000), 1)
    const cpu = process.cpuUsage(this.cpuAtStart)
    r.cpuMsPerOp = round((cpu.user + cpu.system) / 1000 / Math.max(1, attempted), 3)
    if (this.errors.size > 0) r.errors = [...this.errors].slice(0, 5).map(([e, n]) => `${n}× ${e}`)
    return r
  }
}

interface Written { node: number, key: Uint8Array, value: Uint8Array }

/** `concurrency` workers share `total` operations; each stops when the phase budget is gone. */
async function concurrently (phase: Phase, total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total && !phase.expired) await op(next++)
  }))
}

export async function runWorkload (cluster: Cluster, options: WorkloadOptions): Promise<ImplResult> {
  const random = rng(options.seed)
  const n = cluster.size
  const sizes = await cluster.tableSizes()
  const formationRequests = await cluster.requestCounts()
  const result: ImplResult = {
    impl: cluster.impl,
    formationRequests,
    nodes: n,
    procs: false,
    formMs: round(cluster.formMs, 1),
    settleMs: round(cluster.settleMs, 1),
    tableSize: { min: Math.min(...sizes), mean: round(sizes.reduce((s, x) => s + x, 0) / sizes.length, 1), max: Math.max(...sizes) },
    memoryIdle: memorySummary(await cluster.memory()),
    connections: { afterFormation: openConnectionsOf(await cluster.openConnections()) },
    fds: { afterFormation: await cluster.fds() }
  }
  const hook = options.onPhase ?? (async () => {})
  const startPhase = async (): Promise<Phase> => {
    const before = await cluster.requestCounts()
    const connections = await cluster.newConnections()
    const p = new Phase(options.phaseBudgetMs)
    p.requestsBefore = before
    p.connectionsBefore = connections
    return p
  }
  const finish = async (p: Phase, concurrent = false): Promise<PhaseResult> => {
    const r = p.result(concurrent)
    r.requestsPerOp = await p.requests(cluster)
    const ops = Math.max(1, p.ok + p.failed)
    // both ends count a connection
    r.newConnectionsPerOp = round((await cluster.newConnections() - p.connectionsBefore) / 2 / ops, 3)
    if (!concurrent) r.opsOpeningConnection = round(p.opsOpening / ops, 3)
    if (p.localReads > 0) r.localReads = p.localReads
    const open = openConnectionsOf(await cluster.openConnections())
    if (open != null) r.openConnectionsPerNode = open.perNodeMean
    r.openFds = (await cluster.fds())?.total
    if (options.rttMs != null && options.rttMs > 0) {
      const rtt = options.rttMs
      r.roundTrips = summarise(p.samples.map(ms => ms / rtt))
    }
    return r
  }
  /** Run one sequential op and note whether a connection opened meanwhile. */
  const watched = async <T>(p: Phase, work: () => Promise<T>): Promise<T> => {
    const before = await cluster.newConnections()
    const value = await work()
    if (await cluster.newConnections() > before) p.opsOpening++
    return value
  }
  /** A random node other than the writer that holds no copy, so the read goes over the network. */
  const remoteReader = async (p: Phase, writer: number, key: Uint8Array): Promise<number> => {
    let reader = randomOther(random, n, writer)
    for (let i = 0; i < 4 * n && await cluster.holds(reader, key); i++) reader = randomOther(random, n, writer)
    if (await cluster.holds(reader, key)) p.localReads++
    return reader
  }
  /**
   * Read back what was written: each value once, in order, from a random node
   * other than its writer; then `concurrentOps` random ones at concurrency.
   */
  const readPhases = async (name: 'get' | 'resolve', concurrentName: 'getConcurrent' | 'resolveConcurrent', items: Written[],
    read: (node: number, key: Uint8Array) => Promise<Timed<Uint8Array | undefined>>): Promise<void> => {
    await hook(name, 'start')
    let phase = await startPhase()
    for (const w of items) {
      if (phase.expired) break
      const p = phase
      const reader = await remoteReader(p, w.node, w.key)
      await watched(p, async () => p.attempt(async () => read(reader, w.key), v => equalBytes(v, w.value)))
    }
    result[name] = await finish(phase)
    await hook(name, 'end')
    if (items.length === 0) return
    await hook(concurrentName, 'start')
    phase = await startPhase()
    const p = phase
    await concurrently(phase, options.concurrentOps, options.concurrency, async () => {
      const w = items[randomInt(random, items.length)]
      const reader = await remoteReader(p, w.node, w.key)
      await p.attempt(async () => read(reader, w.key), v => equalBytes(v, w.value))
    })
    result[concurrentName] = await finish(phase, true)
    await hook(concurrentName, 'end')
  }
  /**
   * The cold path: before each read (untimed) the reader closes its
   * connections to the key's replica set, so the read either opens one
   * (the direct path) or goes through a peer it is still connected to
   * (toyrrent's forwarded reads). Sequential, each item once.
   */
  const coldPhase = async (name: 'getCold' | 'resolveCold', items: Written[], read: (node: number, key: Uint8Array) => Promise<Timed<Uint8Array | undefined>>): Promise<void> => {
    const count = Math.min(options.coldReads ?? 0, items.length)
    if (count === 0) return
    await hook(name, 'start')
    const p = await startPhase()
    for (const w of items.slice(0, count)) {
      if (p.expired) break
      const reader = await remoteReader(p, w.node, w.key)
      const cold = await cluster.coldFor(reader, w.key, options.replicas ?? 3)
      if (cold == null) break
      await watched(p, async () => p.attempt(async () => read(reader, w.key), v => equalBytes(v, w.value)))
      // untimed, and outside the op's connection count: the next op starts from the network as it was
      if (options.coldRestore === true) {
        const before = await cluster.newConnections()
        await cold.restore()
        p.connectionsBefore += await cluster.newConnections() - before
      }
    }
    if (p.ok + p.failed > 0) result[name] = await finish(p)
    await hook(name, 'end')
  }
  /** The cold put: as coldPhase, for puts of new values (toyrrent forwards them, forwarded-put.ts). */
  const coldPuts = async (): Promise<void> => {
    const count = options.coldPuts ?? 0
    if (count === 0) return
    await hook('putCold', 'start')
    const p = await startPhase()
    for (let i = 0; i < count && !p.expired; i++) {
      const value = new Uint8Array(randomBytes(result.valueBytes ?? options.valueBytes))
      const writer = randomInt(random, n)
      const cold = await cluster.coldFor(writer, sha256(value), options.replicas ?? 3)
      if (cold == null) break
      await watched(p, async () => p.attempt(async () => cluster.put(writer, value, options.opTimeoutMs), () => true))
      if (options.coldRestore === true) {
        const before = await cluster.newConnections()
        await cold.restore()
        p.connectionsBefore += await cluster.newConnections() - before
      }
    }
    if (p.ok + p.failed > 0) result.putCold = await finish(p)
    await hook('putCold', 'end')
  }
  const valueBytes = Math.min(options.valueBytes, await cluster.maxValueBytes() ?? Infinity)
  result.valueBytes = valueBytes
  const values = Array.from({ length: options.sequential }, () => new Uint8Array(randomBytes(valueBytes)))

  // ---- puts: sequential, from random nodes
  await hook('put', 'start')
  const written: Written[] = []
  let phase = await startPhase()
  for (const value of values) {
    if (phase.expired) break
    const node = randomInt(random, n)
    const p = phase
    const key = await watched(p, async () => p.attempt(async () => cluster.put(node, value, options.opTimeoutMs), () => true))
    if (key != null) written.push({ node, key, value })
  }
  result.put = await finish(phase)
  await hook('put', 'end')

  // ---- gets: sequential, each from a random node other than the writer, then at concurrency
  await readPhases('get', 'getConcurrent', written, async (node, key) => cluster.get(node, key, options.opTimeoutMs))

  // ---- publish / resolve
  const published: Written[] = []
  if (options.noPublish === true) {
    result.publish = { skipped: 'disabled (--no-publish)' }
  } else if (!(await cluster.canPublish())) {
    result.publish = { skipped: 'this build has no publish/resolve' }
  } else {
    const plan = values.map((value, i) => ({
      node: randomInt(random, n),
      seed: sha256(new TextEncoder().encode(`bench publisher ${options.seed} ${i}`)),
      value
    }))
    // derive the publisher keys before anything is timed
    const byNode = new Map<number, Uint8Array[]>()
    for (const p of plan) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p.seed])
    await Promise.all([...byNode].map(async ([node, seeds]) => cluster.prepareKeys(node, seeds)))

    await hook('publish', 'start')
    phase = await startPhase()
    for (const p of plan) {
      if (phase.expired) break
      const ph = phase
      const id = await watched(ph, async () => ph.attempt(async () => cluster.publish(p.node, p.seed, p.value, 1n, options.opTimeoutMs), () => true))
      if (id != null) published.push({ node: p.node, key: id, value: p.value })
    }
    result.publish = await finish(phase)
    await hook('publish', 'end')

    await readPhases('resolve', 'resolveConcurrent', published, async (node, key) => cluster.resolve(node, key, options.opTimeoutMs))
  }

  // ---- cold reads last: they close connections, which every later phase would otherwise pay to reopen
  await coldPhase('getCold', written, async (node, key) => cluster.get(node, key, options.opTimeoutMs))
  if (published.length > 0) await coldPhase('resolveCold', published, async (node, key) => cluster.resolve(node, key, options.opTimeoutMs))
  await coldPuts()

  result.memoryAfter = memorySummary(await cluster.memory())
  result.connections = { ...result.connections, after: openConnectionsOf(await cluster.openConnections()), trimmed: await cluster.trimmedConnections() }
  result.fds = { ...result.fds, after: await cluster.fds() }
  result.requestTotals = await cluster.requestCounts()
  return result
}
