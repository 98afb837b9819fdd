/**
 * A network of N benchmark nodes of one implementation: all in this process
 * (InProcessCluster) or one child process per node (ProcessCluster, driving
 * scripts/bench-node.ts over stdin/stdout). Both form the network the same way
 * as test/helpers/testnet.ts: nodes join one after another, each bootstrapped
 * from a random earlier node, then every node looks itself up once more.
 *
 * Every operation answers with the time it took where it ran
 * (performance.now() around the call), so the process hop of --procs adds
 * nothing to the latency figures; the round trip is reported separately.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { peerIdFromString } from '@libp2p/peer-id'
import { nearestN, peerPosition } from '../../src/keyspace.ts'
import { createImplNode } from './impl.ts'
import { rng, randomInt, settleGc, withTimeout } from './stats.ts'
import { fdCensus } from './fd-census.ts'
import type { FdCensus } from './fd-census.ts'
import type { ImplName, ImplNode } from './impl.ts'
import type { ChildProcess } from 'node:child_process'

export interface Timed<T> {
  value: T
  /** Milliseconds the operation took where it ran. */
  ms: number
}

export interface MemoryReport {
  /** Resident set of everything (this process, or the sum of the children). */
  rssBytes: number
  /** RSS attributable to nodes: total minus the empty-process baseline. */
  nodeRssBytes: number
  perNodeRssBytes: number
  heapUsedBytes: number
  processes: number
}

export interface ClusterOptions {
  impl: ImplName
  nodes: number
  replicas?: number
  writeQuorum?: number
  seed?: number
  /** Give up forming after this long. */
  formTimeoutMs?: number
  /** toyrrent: forwarded reads on (default) or off. */
  forwardReads?: boolean
}

export interface Cluster {
  readonly impl: ImplName
  readonly size: number
  /** Wall time from the first node starting to the last refresh finishing. */
  readonly formMs: number
  /** Wall time after formation until every node's join left nothing for later (toyrrent's self lookup 30 s after a join): the workload measures a settled network. */
  readonly settleMs: number
  canPublish(): Promise<boolean>
  put(node: number, value: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array>>
  get(node: number, key: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array | undefined>>
  publish(node: number, seed: Uint8Array, value: Uint8Array, seq: bigint, timeoutMs: number): Promise<Timed<Uint8Array>>
  resolve(node: number, id: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array | undefined>>
  prepareKeys(node: number, seeds: Uint8Array[]): Promise<void>
  tableSizes(): Promise<number[]>
  /** Outbound requests sent by all nodes so far, by message type. */
  requestCounts(): Promise<Record<string, number>>
  /** Does `node` hold `key` in its own store? */
  holds(node: number, key: Uint8Array): Promise<boolean>
  /** Connections opened (counted at both ends) by all nodes so far. */
  newConnections(): Promise<number>
  /** Connections each node holds open now; undefined for implementations without connections. */
  openConnections(): Promise<number[] | undefined>
  /** Connections the nodes' own trim closed so far (toyrrent); undefined elsewhere. */
  trimmedConnections(): Promise<number | undefined>
  /** Open file descriptors: this process's (in process) or the sum over the node processes (--procs). */
  fds(): Promise<FdCensus | undefined>
  /**
   * The cold-read phase: `node` closes its connections to the `replicas`
   * nodes nearest to `key` (by libp2p peer id), so the next read of `key`
   * there has no open connection to its replica set. Undefined when the
   * implementation or mode cannot (UDP DHTs, one process per node); else
   * `restore` dials those nodes again.
   */
  coldFor(node: number, key: Uint8Array, replicas: number): Promise<{ restore(): Promise<void> } | undefined>
  /** The largest value the implementation stores, when below the workload's. */
  maxValueBytes(): Promise<number | undefined>
  memory(): Promise<MemoryReport>
  stop(): Promise<void>
}

export function sumCounts (all: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const counts of all) for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v
  return out
}

async function timed<T> (work: () => Promise<T>): Promise<Timed<T>> {
  const start = performance.now()
  const value = await work()
  return { value, ms: performance.now() - start }
}

// ------------------------------------------------------------ in process

export class InProcessCluster implements Cluster {
  readonly impl: ImplName
  formMs = 0
  settleMs = 0
  private readonly nodes: ImplNode[] = []
  private baselineRss = 0

  private constructor (impl: ImplName) { this.impl = impl }

  get size (): number { return this.nodes.length }

  /** The node objects, for the profiler and the sim. */
  get members (): readonly ImplNode[] { return this.nodes }

  static async create (options: ClusterOptions): Promise<InProcessCluster> {
    const cluster = new InProcessCluster(options.impl)
    await settleGc()
    cluster.baselineRss = process.memoryUsage().rss
    const random = rng(options.seed ?? 1)
    const start = performance.now()
    const deadline = AbortSignal.timeout(options.formTimeoutMs ?? 120_000)
    try {
      for (let i = 0; i < options.nodes; i++) {
        deadline.throwIfAborted()
        const bootstrap = i === 0 ? undefined : cluster.nodes[randomInt(random, i)].addr()
        try {
          cluster.nodes.push(await createImplNode(options.impl, { bootstrap, replicas: options.replicas, writeQuorum: options.writeQuorum, forwardReads: options.forwardReads }))
        } catch (err: any) {
          throw new Error(`starting node ${i + 1} of ${options.nodes} after ${Math.round((performance.now() - start) / 1000)} s: ${err.name}: ${err.message}`)
        }
        if ((i + 1) % 50 === 0) process.stderr.write(`bench: ${options.impl}: ${i + 1} nodes joined in ${Math.round((performance.now() - start) / 1000)} s\n`)
      }
      // a second round of self-lookups once everyone exists fills the tables near each node
      await Promise.all(cluster.nodes.map(async (n, i) => n.refresh(deadline).catch((err: any) => {
        throw new Error(`refreshing node ${i + 1} of ${options.nodes}: ${err.name}: ${err.message}`)
      })))
    } catch (err) {
      await cluster.stop()
      throw err
    }
    cluster.formMs = performance.now() - start
    await Promise.all(cluster.nodes.map(async n => n.settled?.(deadline))).catch(async err => { await cluster.stop(); throw err })
    cluster.settleMs = performance.now() - start - cluster.formMs
    return cluster
  }

  async canPublish (): Promise<boolean> { return this.nodes[0]?.canPublish() ?? false }

  async put (node: number, value: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array>> {
    return timed(async () => this.nodes[node].put(value, AbortSignal.timeout(timeoutMs)))
  }

  async get (node: number, key: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array | undefined>> {
    return timed(async () => this.nodes[node].get(key, AbortSignal.timeout(timeoutMs)))
  }

  async publish (node: number, seed: Uint8Array, value: Uint8Array, seq: bigint, timeoutMs: number): Promise<Timed<Uint8Array>> {
    return timed(async () => this.nodes[node].publish(seed, value, seq, AbortSignal.timeout(timeoutMs)))
  }

  async resolve (node: number, id: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array | undefined>> {
    return timed(async () => this.nodes[node].resolve(id, AbortSignal.timeout(timeoutMs)))
  }

  async prepareKeys (node: number, seeds: Uint8Array[]): Promise<void> { await this.nodes[node].prepareKeys(seeds) }

  async tableSizes (): Promise<number[]> { return this.nodes.map(n => n.tableSize()) }

  async requestCounts (): Promise<Record<string, number>> { return sumCounts(this.nodes.map(n => n.requestCounts())) }

  async holds (node: number, key: Uint8Array): Promise<boolean> { return this.nodes[node].holds(key) }

  async newConnections (): Promise<number> { return this.nodes.reduce((s, n) => s + n.newConnections(), 0) }

  async openConnections (): Promise<number[] | undefined> {
    const counts = this.nodes.map(n => n.openConnections?.())
    return counts.every(c => c != null) ? counts as number[] : undefined
  }

  async trimmedConnections (): Promise<number | undefined> {
    const counts = this.nodes.map(n => n.trimmedConnections?.())
    return counts.every(c => c != null) ? (counts as number[]).reduce((s, x) => s + x, 0) : undefined
  }

  async fds (): Promise<FdCensus | undefined> { return fdCensus() }

  async coldFor (node: number, key: Uint8Array, replicas: number): Promise<{ restore(): Promise<void> } | undefined> {
    const reader = this.nodes[node]
    if (reader.hangUp == null || reader.peerIdString == null) return undefined
    const others = this.nodes.filter(n => n !== reader && n.peerIdString != null)
    const nearest = nearestN(key, others, replicas, n => peerPosition(peerIdFromString(n.peerIdString!())))
    await reader.hangUp(nearest.map(n => n.peerIdString!()))
    return { restore: async () => { await reader.redial?.(nearest.map(n => n.addr())) } }
  }

  async maxValueBytes (): Promise<number | undefined> { return this.nodes[0]?.maxValueBytes }

  async memory (): Promise<MemoryReport> {
    await settleGc()
    const usage = process.memoryUsage()
    const nodeRss = Math.max(0, usage.rss - this.baselineRss)
    return {
      rssBytes: usage.rss,
      nodeRssBytes: nodeRss,
      perNodeRssBytes: nodeRss / Math.max(1, this.nodes.length),
      heapUsedBytes: usage.heapUsed,
      processes: 1
    }
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.nodes.map(async n => withTimeout(n.stop(), 10_000, 'node stop')))
  }
}

// ------------------------------------------------------------ one process per node

const NODE_SCRIPT = fileURLToPath(new URL('../bench-node.js', import.meta.url))

interface Reply { id: number, ok: boolean, error?: string, ms?: number, result?: any }

/** One child process running one node (scripts/bench-node.ts), spoken to in JSON lines. */
class ChildNode {
  readonly child: ChildProcess
  private nextId = 1
  private readonly pending = new Map<number, { resolve(r: Reply): void, reject(e: Error): void }>()
  private exited?: Error

  constructor (args: string[]) {
    this.child = spawn(process.execPath, ['--expose-gc', NODE_SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = createInterface({ input: this.child.stdout! })
    lines.on('line', line => {
      let reply: Reply
      try { reply = JSON.parse(line) } catch { return }
      this.pending.get(reply.id)?.resolve(reply)
      this.pending.delete(reply.id)
    })
    this.child.on('exit', code => {
      this.exited = new Error(`bench node exited with code ${code}`)
      for (const p of this.pending.values()) p.reject(this.exited)
      this.pending.clear()
    })
  }

  async call (op: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Reply> {
    if (this.exited != null) throw this.exited
    const id = this.nextId++
    const { promise, resolve, reject } = Promise.withResolvers<Reply>()
    this.pending.set(id, { resolve, reject })
    this.child.stdin!.write(JSON.stringify({ id, op, ...args }) + '\n')
    const reply = await withTimeout(promise, timeoutMs + 5_000, `${op} on a child node`).finally(() => this.pending.delete(id))
    if (!reply.ok) throw new Error(reply.error ?? `${op} failed`)
    return reply
  }

  async kill (): Promise<void> {
    if (this.exited != null) return
    try {
      await this.call('stop', {}, 10_000)
    } catch {}
    if (this.exited == null) this.child.kill('SIGKILL')
  }
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'))

export class ProcessCluster implements Cluster {
  readonly impl: ImplName
  formMs = 0
  settleMs = 0
  private readonly children: ChildNode[] = []
  /** Ops measured in the child vs. the parent's round trip: the IPC cost. */
  readonly roundTrips: number[] = []

  private constructor (impl: ImplName) { this.impl = impl }

  get size (): number { return this.children.length }

  static async create (options: ClusterOptions): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(options.impl)
    const random = rng(options.seed ?? 1)
    const addrs: string[] = []
    const start = performance.now()
    const deadline = performance.now() + (options.formTimeoutMs ?? 120_000)
    try {
      for (let i = 0; i < options.nodes; i++) {
        if (performance.now() > deadline) throw new Error('forming the network took too long')
        const args = ['--impl', options.impl]
        if (i > 0) args.push('--bootstrap', addrs[randomInt(random, i)])
        if (options.replicas != null) args.push('--replicas', String(options.replicas))
        if (options.writeQuorum != null) args.push('--write-quorum', String(options.writeQuorum))
        const child = new ChildNode(args)
        cluster.children.push(child)
        const ready = await child.call('addr', {}, 60_000)
        addrs.push(ready.result)
      }
      await Promise.all(cluster.children.map(async c => c.call('refresh', {}, 60_000)))
      cluster.formMs = performance.now() - start
      await Promise.all(cluster.children.map(async c => c.call('settled', { timeoutMs: 120_000 }, 120_000)))
      cluster.settleMs = performance.now() - start - cluster.formMs
    } catch (err) {
      await cluster.stop()
      throw err
    }
    return cluster
  }

  private async op<T> (node: number, op: string, args: Record<string, unknown>, timeoutMs: number, parse: (r: any) => T): Promise<Timed<T>> {
    const start = performance.now()
    const reply = await this.children[node].call(op, { ...args, timeoutMs }, timeoutMs)
    if (this.roundTrips.length < 100_000) this.roundTrips.push(performance.now() - start - (reply.ms ?? 0))
    return { value: parse(reply.result), ms: reply.ms ?? NaN }
  }

  async canPublish (): Promise<boolean> { return (await this.children[0].call('canPublish')).result === true }

  async put (node: number, value: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array>> {
    return this.op(node, 'put', { value: b64(value) }, timeoutMs, unb64)
  }

  async get (node: number, key: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array | undefined>> {
    return this.op(node, 'get', { key: b64(key) }, timeoutMs, r => r == null ? undefined : unb64(r))
  }

  async publish (node: number, seed: Uint8Array, value: Uint8Array, seq: bigint, timeoutMs: number): Promise<Timed<Uint8Array>> {
    return this.op(node, 'publish', { seed: b64(seed), value: b64(value), seq: seq.toString() }, timeoutMs, unb64)
  }

  async resolve (node: number, id: Uint8Array, timeoutMs: number): Promise<Timed<Uint8Array | undefined>> {
    return this.op(node, 'resolve', { key: b64(id) }, timeoutMs, r => r == null ? undefined : unb64(r))
  }

  async prepareKeys (node: number, seeds: Uint8Array[]): Promise<void> {
    await this.children[node].call('prepareKeys', { seeds: seeds.map(b64) }, 60_000)
  }

  async tableSizes (): Promise<number[]> {
    return Promise.all(this.children.map(async c => (await c.call('stats')).result.tableSize as number))
  }

  async requestCounts (): Promise<Record<string, number>> {
    return sumCounts(await Promise.all(this.children.map(async c => (await c.call('stats')).result.requests as Record<string, number>)))
  }

  async holds (node: number, key: Uint8Array): Promise<boolean> {
    return (await this.children[node].call('holds', { key: b64(key) })).result === true
  }

  async newConnections (): Promise<number> {
    const all = await Promise.all(this.children.map(async c => (await c.call('stats')).result.newConnections as number))
    return all.reduce((s, x) => s + x, 0)
  }

  async openConnections (): Promise<number[] | undefined> {
    const all = await Promise.all(this.children.map(async c => (await c.call('stats')).result.openConnections as number | null))
    return all.every(c => c != null) ? all as number[] : undefined
  }

  async trimmedConnections (): Promise<number | undefined> {
    const all = await Promise.all(this.children.map(async c => (await c.call('stats')).result.trimmedConnections as number | null))
    return all.every(c => c != null) ? (all as number[]).reduce((s, x) => s + x, 0) : undefined
  }

  async fds (): Promise<FdCensus | undefined> {
    const all = await Promise.all(this.children.map(async c => (await c.call('stats')).result.fds as FdCensus | null))
    if (all.some(c => c == null)) return undefined
    const sum: FdCensus = { total: 0, socket: 0, anonInode: 0, pipe: 0, file: 0, other: 0 }
    for (const c of all as FdCensus[]) for (const k of Object.keys(sum) as Array<keyof FdCensus>) sum[k] += c[k]
    return sum
  }

  /** One process per node: the driver cannot close a node's connections (no cold-read phase). */
  async coldFor (): Promise<undefined> { return undefined }

  async maxValueBytes (): Promise<number | undefined> {
    return (await this.children[0].call('stats')).result.maxValueBytes ?? undefined
  }

  async memory (): Promise<MemoryReport> {
    const stats = await Promise.all(this.children.map(async c => (await c.call('stats', { gc: true })).result))
    const rss = stats.reduce((s, x) => s + x.rss, 0)
    const nodeRss = stats.reduce((s, x) => s + Math.max(0, x.rss - x.baselineRss), 0)
    return {
      rssBytes: rss,
      nodeRssBytes: nodeRss,
      perNodeRssBytes: rss / Math.max(1, stats.length),
      heapUsedBytes: stats.reduce((s, x) => s + x.heapUsed, 0),
      processes: stats.length
    }
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.children.map(async c => c.kill()))
  }
}

export async function createCluster (options: ClusterOptions & { procs?: boolean }): Promise<Cluster> {
  return options.procs === true ? ProcessCluster.create(options) : InProcessCluster.create(options)
}
