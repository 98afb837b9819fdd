/**
 * One chaos run: start N daemons, run the clients and the nemesis for the
 * given time, stop the nemesis, bring every node up, wait (with a deadline)
 * until every hash item put is back on R nodes, read everything once more,
 * check the history and sum it up.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChaosNode } from './daemons.ts'
import { check } from './checker.ts'
import { Clients, finalRead, hashKeysOf } from './clients.ts'
import { Nemesis } from './nemesis.ts'
import { Recorder } from './history.ts'
import { rng } from '../stats.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { compareDistance, peerPosition } from '../../../src/keyspace.ts'
import type { CheckName, CheckResult, Violation } from './checker.ts'
import type { FaultKind, OpKind, Outcome } from './history.ts'

export interface ChaosOptions {
  seconds: number
  seed: number
  nodes: number
  clients: number
  replicas: number
  writeQuorum: number
  repairInterval: number
  /** How long to wait for repair after the nemesis stopped. */
  healSeconds: number
  requestTimeoutMs: number
  maxJoins: number
  /** Passed to every daemon besides the chaos run's own (--forward-puts, --max-connections). */
  daemonArgs?: string[]
  /** Write the history (ops and faults, JSON lines) here. */
  historyFile?: string
  log: (line: string) => void
  /** Set by the caller's signal handlers: give up as soon as possible. */
  abort?: AbortSignal
}

export interface ChaosSummary {
  seed: number
  nodes: number
  clients: number
  seconds: number
  replicas: number
  writeQuorum: number
  startedAt: string
  durationMs: number
  operations: Record<OpKind, Record<Outcome, number>>
  /** Error codes of the operations that did not succeed, per kind. */
  errors: Record<string, Record<string, number>>
  faults: Record<FaultKind, number>
  finalNodes: number
  /**
   * Forwarded puts the nodes up at the end counted since their last start
   * (their /metrics): forwarded, fallen back to the direct path, served,
   * and copies placed through a connected peer instead of a dial.
   */
  forwardedPuts: { forwarded: number, fallbacks: number, served: number, placements: number }
  heal: { healed: boolean, ms: number, items: number, underReplicated: number, diagnosis: Diagnosis[] }
  checks: Record<CheckName, { checked: number, violations: number }>
  violations: number
  /** The first violations in full. */
  examples: Violation[]
  ok: boolean
}

export class ChaosCluster {
  readonly nodes: ChaosNode[] = []
  root = ''
  private readonly options: ChaosOptions
  private readonly random: () => number

  constructor (options: ChaosOptions) {
    this.options = options
    this.random = rng(options.seed * 31 + 17)
  }

  async init (): Promise<void> {
    this.root = await mkdtemp(join(tmpdir(), 'toyrrent-chaos-'))
  }

  private bootstrapAddrs (except?: ChaosNode): string[] {
    const up = this.nodes.filter(n => n.state === 'up' && n !== except && n.multiaddrs.length > 0)
    const picked = new Set<ChaosNode>()
    for (let i = 0; i < 2 && up.length > 0; i++) picked.add(up[Math.floor(this.random() * up.length)])
    return [...picked].map(n => n.multiaddrs[0])
  }

  async add (): Promise<ChaosNode> {
    const name = `n${this.nodes.length}`
    const node = new ChaosNode(name, {
      dataDir: join(this.root, name),
      args: ['--repair-interval', String(this.options.repairInterval), '--replicas', String(this.options.replicas),
        '--write-quorum', String(this.options.writeQuorum), '--leave-timeout', '5', ...(this.options.daemonArgs ?? [])]
    })
    const bootstrap = this.bootstrapAddrs()
    this.nodes.push(node)
    await node.start(bootstrap)
    return node
  }

  async restart (node: ChaosNode): Promise<void> {
    try {
      await node.start(this.bootstrapAddrs(node))
    } catch (err) {
      this.options.log(`${node.name} did not restart, trying once more: ${(err as Error).message.split('\n')[0]}`)
      await node.start(this.bootstrapAddrs(node))
    }
  }

  /** Every node up: resume the paused, restart the down. */
  async allUp (): Promise<void> {
    for (const node of this.nodes) {
      if (node.state === 'paused') node.resume()
      if (node.state === 'down') await this.restart(node)
    }
  }

  async destroy (): Promise<void> {
    await Promise.allSettled(this.nodes.map(async n => n.kill()))
    if (this.root !== '') await rm(this.root, { recursive: true, force: true })
  }
}

/** Where an item that did not heal is: who holds it, and its true R nearest. */
export interface Diagnosis {
  key: string
  /** Nodes holding it (by asking every node), with `*` for pinned and `r` for responsible. */
  heldBy: string[]
  /** The R nearest nodes by position, from every node's peer id. */
  nearest: string[]
}

async function diagnose (cluster: ChaosCluster, keys: string[], options: ChaosOptions): Promise<Diagnosis[]> {
  if (keys.length === 0) return []
  const held = new Map<string, string[]>()
  await Promise.all(cluster.nodes.map(async node => {
    try {
      const res = await fetch(`http://${node.api}/v1/local/items`, { signal: AbortSignal.timeout(options.requestTimeoutMs) })
      const { items } = await res.json() as { items: Array<{ key: string, pinned: boolean, responsible: boolean }> }
      for (const item of items) {
        if (!keys.includes(item.key)) continue
        const list = held.get(item.key) ?? []
        list.push(`${node.name}${item.pinned ? '*' : ''}${item.responsible ? 'r' : ''}`)
        held.set(item.key, list)
      }
    } catch {}
  }))
  const positions = cluster.nodes.map(node => ({ name: node.name, position: peerPosition(peerIdFromString(node.peerId)) }))
  return keys.map(key => {
    const target = Buffer.from(key, 'hex')
    const nearest = [...positions].sort((a, b) => compareDistance(target, a.position, b.position)).slice(0, options.replicas).map(p => p.name)
    return { key, heldBy: held.get(key) ?? [], nearest }
  })
}

async function inBatches<T> (items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++])
  }))
}

export async function runChaos (options: ChaosOptions, cluster: ChaosCluster): Promise<ChaosSummary> {
  const { log } = options
  const startedAt = new Date().toISOString()
  const t0 = performance.now()
  const random = rng(options.seed * 131 + 5)
  const aborted = (): boolean => options.abort?.aborted === true
  const checkAbort = (): void => { if (aborted()) throw new Error('aborted') }

  // ------------------------------------------------------------- the network
  await cluster.init()
  log(`starting ${options.nodes} daemons under ${cluster.root}`)
  await cluster.add()
  while (cluster.nodes.length < options.nodes) {
    checkAbort()
    await Promise.all(Array.from({ length: Math.min(3, options.nodes - cluster.nodes.length) }, async () => cluster.add()))
  }
  log(`${cluster.nodes.length} daemons up after ${Math.round(performance.now() - t0)} ms`)

  // --------------------------------------------------- clients and nemesis
  const recorder = new Recorder()
  const clients = new Clients(recorder, () => cluster.nodes, {
    seed: options.seed,
    clients: options.clients,
    casGroupSize: 3,
    requestTimeoutMs: options.requestTimeoutMs,
    thinkMs: [20, 120]
  })
  await clients.prepare()
  const nemesis = new Nemesis(recorder, () => cluster.nodes, {
    seed: options.seed,
    maxJoins: options.maxJoins,
    join: async () => await cluster.add(),
    restart: async node => { await cluster.restart(node) },
    log
  })
  const onAbort = (): void => { clients.stop() }
  options.abort?.addEventListener('abort', onAbort, { once: true })
  const deadline = performance.now() + options.seconds * 1000
  nemesis.start()
  log(`clients and nemesis running for ${options.seconds} s`)
  const progress = setInterval(() => { log(`${recorder.ops.length} operations, faults ${JSON.stringify(nemesis.counts)}`) }, 15_000)
  try {
    await clients.run(deadline)
  } finally {
    clearInterval(progress)
    await nemesis.stop()
  }
  checkAbort()

  // ----------------------------------------------------------- heal, check
  await cluster.allUp()
  log(`nemesis stopped, every node up (${cluster.nodes.length}); waiting for repair (at most ${options.healSeconds} s)`)
  const acked = [...new Set(recorder.ops.filter(op => op.kind === 'put' && op.outcome === 'ok').map(op => op.key as string))]
  const pickUp = (): ChaosNode => {
    const up = cluster.nodes.filter(n => n.state === 'up')
    return up[Math.floor(random() * up.length)]
  }
  const healStart = performance.now()
  const healDeadline = healStart + options.healSeconds * 1000
  const healthy = new Set<string>()
  // every observation goes into the history; the checker judges each key by its last one
  while (true) {
    checkAbort()
    const pending = acked.filter(k => !healthy.has(k))
    await inBatches(pending, 8, async key => {
      const op = await finalRead(recorder, pickUp(), 'holders', key, options.requestTimeoutMs)
      if (op.outcome === 'ok' && (op.holders?.holding ?? 0) >= options.replicas) healthy.add(key)
    })
    if (healthy.size === acked.length || performance.now() > healDeadline) break
    await new Promise(resolve => setTimeout(resolve, 1000)) // next repair round; bounded by healDeadline
  }
  const healMs = Math.round(performance.now() - healStart)
  log(`${healthy.size} of ${acked.length} acknowledged items on ${options.replicas} nodes after ${healMs} ms`)
  const diagnosis = await diagnose(cluster, acked.filter(k => !healthy.has(k)).slice(0, 20), options)

  // final reads: every hash key from a random node (3 tries), every id from 2 nodes
  await inBatches(hashKeysOf(recorder), 8, async key => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const op = await finalRead(recorder, pickUp(), 'get', key, options.requestTimeoutMs)
      if (op.outcome === 'ok') break
    }
  })
  await inBatches(clients.ids(), 4, async id => {
    for (let i = 0; i < 2; i++) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const op = await finalRead(recorder, pickUp(), 'resolve', id, options.requestTimeoutMs)
        if (op.outcome === 'ok' || op.error === 'not-found') break
      }
    }
  })

  const history = recorder.history()
  if (options.historyFile != null) {
    await writeFile(options.historyFile, [...history.faults.map(f => JSON.stringify({ fault: f })), ...history.ops.map(op => JSON.stringify(op))].join('\n') + '\n')
  }
  const result = check(history, { replicas: options.replicas })
  const forwarded = await forwardedPuts(cluster, options.requestTimeoutMs)
  return summarise(options, startedAt, performance.now() - t0, recorder, nemesis, cluster, result, forwarded, { healed: healthy.size === acked.length, ms: healMs, items: acked.length, underReplicated: acked.length - healthy.size, diagnosis })
}

/** The forwarded-put counters of every node up, summed (a node that cannot be asked counts nothing). */
async function forwardedPuts (cluster: ChaosCluster, timeoutMs: number): Promise<ChaosSummary['forwardedPuts']> {
  const sum = { forwarded: 0, fallbacks: 0, served: 0, placements: 0 }
  const names = { forwarded: 'toyrrent_forwarded_puts_total', fallbacks: 'toyrrent_forwarded_put_fallbacks_total', served: 'toyrrent_forwarded_puts_served_total', placements: 'toyrrent_forwarded_placements_total' }
  await Promise.all(cluster.nodes.filter(n => n.state === 'up').map(async node => {
    try {
      const text = await (await fetch(`http://${node.api}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })).text()
      for (const [field, name] of Object.entries(names) as Array<[keyof typeof sum, string]>) {
        const line = text.split('\n').find(l => l.startsWith(`${name} `))
        if (line != null) sum[field] += Number(line.split(' ')[1])
      }
    } catch {}
  }))
  return sum
}

function summarise (options: ChaosOptions, startedAt: string, ms: number, recorder: Recorder, nemesis: Nemesis, cluster: ChaosCluster, result: CheckResult, forwardedPuts: ChaosSummary['forwardedPuts'], heal: ChaosSummary['heal']): ChaosSummary {
  const operations = {} as ChaosSummary['operations']
  const errors: ChaosSummary['errors'] = {}
  for (const op of recorder.ops) {
    const kind = op.phase === 'final' ? `final-${op.kind}` as OpKind : op.kind
    operations[kind] ??= { ok: 0, fail: 0, unknown: 0 }
    operations[kind][op.outcome ?? 'unknown']++
    if (op.outcome !== 'ok') {
      errors[kind] ??= {}
      errors[kind][op.error ?? 'in-flight'] = (errors[kind][op.error ?? 'in-flight'] ?? 0) + 1
    }
  }
  const checks = Object.fromEntries(Object.entries(result.checked).map(([name, checked]) =>
    [name, { checked, violations: result.counts[name as CheckName] }])) as ChaosSummary['checks']
  return {
    seed: options.seed,
    nodes: options.nodes,
    clients: options.clients,
    seconds: options.seconds,
    replicas: options.replicas,
    writeQuorum: options.writeQuorum,
    startedAt,
    durationMs: Math.round(ms),
    operations,
    errors,
    faults: { ...nemesis.counts },
    finalNodes: cluster.nodes.length,
    forwardedPuts,
    heal,
    checks,
    violations: result.violations.length,
    examples: result.violations.slice(0, 20),
    ok: result.violations.length === 0
  }
}
