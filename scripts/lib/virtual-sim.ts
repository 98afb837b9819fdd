/**
 * The virtual-time simulation (`npm run sim -- --virtual --nodes 10000`):
 * the real toyrrent services — lookup, placement, replication, repair,
 * onboarding and leave handoff — on the in-memory network
 * (src/testing/memory-network.ts: every request through the target's real
 * server path, encoded and decoded), with a VirtualClock injected as
 * ToyrrentInit.clock so every delay, deadline and repair timer is simulated.
 *
 * Deterministic from the seed: node keys, join points, per-link latency, the
 * churn trace, the workload and Math.random (BUSY and CAS backoff jitter) all
 * derive from it; table refresh is off (its random targets use node:crypto).
 *
 * Phases: form the network (nodes join one after another, then each looks
 * itself up); put `items` values; lookups of random targets (exactness vs the
 * true R nearest, hops, round trips); gets from nodes without a copy; fresh
 * nodes joining; then `churnMinutes` of churn from the trace (joins, crashes,
 * graceful leaves) with repair every `repairIntervalMs`, sampling every
 * `sampleEveryMs` the items with fewer than R live copies and the share of
 * gets that succeed. Round trips are latency over the link RTT when every
 * link has the same RTT (`rttMs`), else latency over the median link RTT.
 */
import { createMemoryNetwork } from '../../src/testing/memory-network.ts'
import { internals } from '../../src/service/toyrrent.ts'
import { compareDistance, peerPosition, POSITION_BYTES, sha256 } from '../../src/keyspace.ts'
import { compareBytes } from '../../src/bytes.ts'
import { VirtualClock } from './virtual-clock.ts'
import { rng, round, summarise, toHex } from './stats.ts'
import type { Toyrrent } from '../../src/service/toyrrent.ts'
import type { MemoryNetwork } from '../../src/testing/memory-network.ts'
import type { FoundPeer } from '../../src/found-peer.ts'
import type { PeerId } from '@libp2p/interface'
import type { LatencySummary } from './stats.ts'

export interface VirtualSimOptions {
  nodes: number
  seed: number
  /** Items put (hash items of `valueBytes`). */
  items: number
  lookups: number
  gets: number
  valueBytes: number
  replicas: number
  /** Every link has this RTT; unset: per-link RTT from the latency model (see linkRtt). */
  rttMs?: number
  /** Fresh nodes that join after the network formed (their join time in round trips). */
  freshJoins: number
  churnMinutes: number
  /** Churn events per hour, as a fraction of the network, of each kind. */
  churnPerHour: { joins: number, crashes: number, leaves: number }
  repairIntervalMs: number
  sampleEveryMs: number
  /**
   * 'join': nodes join one after another (the real join), then each looks
   * itself up. 'oracle': every table is filled from the true set (each band
   * up to the bucket size, in join order), as a long-settled network would
   * have it; the fresh joins and churn joins still run the real join.
   */
  formation: 'join' | 'oracle'
  /** Progress lines (wall clock), e.g. to stderr. */
  log?: (line: string) => void
  /** A new connection's set-up in round trips, paid by a first exchange between two nodes (about 4 over TCP): 0 models connections as free. @default 0 */
  connectRtts?: number
  /** Joins start with a routed find (ToyrrentInit.routedJoin). @default true */
  routedJoin?: boolean
  /** Puts reach replicas behind a dial through a connected peer (ToyrrentInit.forwardPuts). @default true */
  forwardPuts?: boolean
  /** Called at every churn sample with the network and the items put (diagnosis scripts look inside). */
  inspect?: (net: MemoryNetwork, items: Array<{ key: Uint8Array, value: Uint8Array }>, minute: number) => Promise<void> | void
}

export const VIRTUAL_DEFAULTS: Omit<VirtualSimOptions, 'nodes'> = {
  seed: 1,
  formation: 'oracle',
  items: 200,
  lookups: 200,
  gets: 200,
  valueBytes: 1024,
  replicas: 3,
  freshJoins: 10,
  churnMinutes: 60,
  churnPerHour: { joins: 0.05, crashes: 0.05, leaves: 0.05 },
  repairIntervalMs: 60_000,
  sampleEveryMs: 300_000
}

export interface VirtualSimReport {
  nodes: number
  seed: number
  latencyModel: string
  formation: 'join' | 'oracle'
  linkRttMs: LatencySummary
  wallSeconds: Record<string, number>
  virtualSeconds: Record<string, number>
  timersFired: number
  form: { virtualMs: number, tableSize: { min: number, mean: number, max: number } }
  put: { ok: number, attempted: number, latencyMs: LatencySummary, roundTrips: LatencySummary }
  lookup: { done: number, exact: number, exactness: number, hops: LatencySummary, requests: LatencySummary, roundTrips: LatencySummary }
  get: { ok: number, attempted: number, successRate: number, hops: LatencySummary, latencyMs: LatencySummary, roundTrips: LatencySummary }
  /**
   * A fresh join: round trips until join() returns (the critical path);
   * requests and distinct peers (a TCP node's new connections) sent by the
   * joining node until then; the same counting the work the join leaves
   * running (far-band filling) until it settles; and every node's requests
   * during the join (what earlier reports called requests per join: repair
   * rounds of the whole network land in it).
   */
  join: {
    done: number
    roundTrips: LatencySummary
    requests: LatencySummary
    peers: LatencySummary
    requestsWithFill: LatencySummary
    peersWithFill: LatencySummary
    requestsAllNodes: LatencySummary
    byType: Record<string, number>
    /**
     * Joins whose table held the true 2R nearest as members when join()
     * returned (whom it pulled its handoff from), whose true R nearest each
     * held it, and whose table held the true 20 nearest once the work the
     * join left running had settled.
     */
    exact: { neighbours: number, knownByNeighbours: number, nearestAfterSettle: number }
  }
  churn: {
    minutes: number
    events: { joins: number, crashes: number, leaves: number }
    samples: Array<{ minute: number, nodes: number, itemsUnderR: number, itemsLost: number, getSuccess: number }>
    repairBytesPerNodePerHour: number
    bytesByTypePerNodePerHour: Record<string, number>
  }
}

/** A deterministic number in [0, 1) from a string. */
function unit (text: string): number {
  const h = sha256(new TextEncoder().encode(text))
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0) / 4294967296
}

/**
 * Per-link RTT: each node sits at a point of a unit square (a continent-sized
 * area, 80 ms corner to corner... times distance) behind an access link of
 * 1–15 ms; RTT = 2 × (access a + access b) + 80 ms × distance. Median ≈ 60 ms.
 */
function linkModel (seed: number): (a: PeerId, b: PeerId) => number {
  const place = new Map<string, { x: number, y: number, access: number }>()
  const where = (p: PeerId): { x: number, y: number, access: number } => {
    const k = p.toString()
    let w = place.get(k)
    if (w == null) {
      w = { x: unit(`${seed} x ${k}`), y: unit(`${seed} y ${k}`), access: 1 + 14 * unit(`${seed} a ${k}`) ** 2 }
      place.set(k, w)
    }
    return w
  }
  return (a, b) => {
    const p = where(a)
    const q = where(b)
    return 2 * (p.access + q.access) + 80 * Math.hypot(p.x - q.x, p.y - q.y)
  }
}

interface Trace { hops: Map<string, number>, requests: number, foundAt?: number }

/** Who was asked at which hop, around each node's typed client (as scripts/sim.ts does). */
function traceNode (node: Toyrrent, traces: Map<string, Trace>): void {
  const rpc = node[internals].rpc as any
  const wrap = (method: 'findBeforeN' | 'fetch', named: (a: any) => FoundPeer[], found: (a: any) => boolean): void => {
    const original = rpc[method].bind(rpc)
    rpc[method] = async (peer: FoundPeer, target: Uint8Array, ...rest: unknown[]) => {
      const t = traces.get(toHex(target))
      if (t == null) return original(peer, target, ...rest)
      const hop = t.hops.get(peer.peerId.toString()) ?? 1
      t.requests++
      const answer = await original(peer, target, ...rest)
      for (const p of named(answer)) if (!t.hops.has(p.peerId.toString())) t.hops.set(p.peerId.toString(), hop + 1)
      if (found(answer)) t.foundAt ??= hop
      return answer
    }
  }
  wrap('findBeforeN', a => a.peers, () => false)
  wrap('fetch', a => a.closer, a => a.item != null)
}

/**
 * Every node's table from the true set: each distance band up to the bucket
 * size. With the nodes sorted by position, the peers in band b of a node
 * (sharing its first 255 − b bits, differing at the next) are a contiguous
 * run next to it, so each band costs two binary searches, not a pass over
 * every node; a band's picks start at a seeded offset in its run.
 */
function fillTables (net: MemoryNetwork, seed: number): void {
  const ids = net.nodes.map(n => net.peerId(n))
  const positions = ids.map(id => peerPosition(id))
  const order = ids.map((_, i) => i).sort((a, b) => compareBytes(positions[a], positions[b]))
  const sorted = order.map(i => positions[i])
  const bucketSize = net.nodes[0]?.[internals].settings.bucketSize ?? 20
  const bit = (pos: Uint8Array, k: number): number => (pos[k >> 3] >> (7 - (k & 7))) & 1
  /** First index in [lo, hi) whose bit k is 1 (all share bits < k). */
  const split = (lo: number, hi: number, k: number): number => {
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (bit(sorted[mid], k) === 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  for (let i = 0; i < ids.length; i++) {
    const table = net.nodes[i][internals].table
    const self = positions[i]
    let lo = 0
    let hi = sorted.length
    // walk down the prefix bits; at bit k the other half of [lo, hi) is band 255 − k
    for (let k = 0; k < POSITION_BYTES * 8 && hi - lo > 1; k++) {
      const mid = split(lo, hi, k)
      const [otherLo, otherHi] = bit(self, k) === 0 ? [mid, hi] : [lo, mid]
      const size = otherHi - otherLo
      if (size > 0) {
        const offset = Math.floor(unit(`${seed} fill ${i} ${k}`) * size)
        for (let t = 0; t < Math.min(bucketSize, size); t++) {
          const j = order[otherLo + (offset + t) % size]
          table.add(ids[j], [], positions[j])
        }
      }
      if (bit(self, k) === 0) hi = mid
      else lo = mid
    }
  }
}

export async function runVirtualSim (options: VirtualSimOptions): Promise<VirtualSimReport> {
  const o = options
  const log = o.log ?? (() => {})
  const random = rng(o.seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]
  const mathRandom = Math.random
  Math.random = rng(o.seed ^ 0x5eed)
  const clock = new VirtualClock()
  const model = o.rttMs != null ? () => o.rttMs! : linkModel(o.seed)
  const wall: Record<string, number> = {}
  const virtual: Record<string, number> = {}
  const wallStart = performance.now()
  let phaseWall = wallStart
  let phaseVirtual = 0
  const phase = (name: string): void => {
    wall[name] = round((performance.now() - phaseWall) / 1000, 2)
    virtual[name] = round((clock.elapsed() - phaseVirtual) / 1000, 2)
    phaseWall = performance.now()
    phaseVirtual = clock.elapsed()
    log(`virtual sim: ${name} done: ${wall[name]} s wall, ${virtual[name]} s virtual, ${net?.nodes.length ?? 0} nodes, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`)
  }
  const traces = new Map<string, Trace>()
  const traced = new WeakSet<Toyrrent>()
  const trace = (node: Toyrrent): void => { if (!traced.has(node)) { traced.add(node); traceNode(node, traces) } }
  let net: MemoryNetwork | undefined
  try {
    // ---- form
    // oracle-formed nodes do not join on their first contact: they are in place already
    const init = { clock, replicas: o.replicas, repairInterval: o.repairIntervalMs, refreshInterval: 0, autoJoin: o.formation === 'join', routedJoin: o.routedJoin ?? true, forwardPuts: o.forwardPuts ?? true }
    log(`virtual sim: forming ${o.nodes} nodes (${o.formation})`)
    // requests sent per node (the fresh joins' own counts)
    const sent = new Map<string, { requests: number, peers: Set<string>, byType: Record<string, number> }>()
    let counting = false
    const onExchange = (from: PeerId, to: PeerId, type: string): void => {
      if (!counting) return
      const k = from.toString()
      let c = sent.get(k)
      if (c == null) sent.set(k, c = { requests: 0, peers: new Set(), byType: {} })
      c.requests++
      c.peers.add(to.toString())
      c.byType[type] = (c.byType[type] ?? 0) + 1
    }
    net = await createMemoryNetwork(0, init, { delay: model, seed: o.seed, onExchange, connectRtts: o.connectRtts ?? 0 })
    for (let i = 0; i < o.nodes; i++) {
      await net.add({}, { join: o.formation === 'join' })
      if ((i + 1) % 1000 === 0) log(`virtual sim: ${i + 1} nodes started (${round((performance.now() - wallStart) / 1000, 1)} s wall)`)
    }
    if (o.formation === 'oracle') fillTables(net, o.seed)
    else await Promise.all(net.nodes.map(async n => n.refresh()))
    const sizes = net.nodes.map(n => n[internals].table.size)
    const formVirtual = clock.elapsed()
    phase('form')
    const n0 = net.nodes.length
    const rtts: number[] = []
    for (let i = 0; i < 1000; i++) rtts.push(model(net.peerId(pick(net.nodes)), net.peerId(pick(net.nodes))))
    const rttSummary = summarise(rtts)
    const unitRtt = o.rttMs ?? rttSummary.p50
    const inRtt = (xs: number[]): LatencySummary => summarise(xs.map(ms => ms / unitRtt))
    for (const node of net.nodes) trace(node)

    const positions = new WeakMap<Toyrrent, Uint8Array>()
    const position = (node: Toyrrent): Uint8Array => {
      let pos = positions.get(node)
      if (pos == null) positions.set(node, pos = peerPosition(net!.peerId(node)))
      return pos
    }
    const nearestLive = (key: Uint8Array, count: number): Toyrrent[] => {
      const all = net!.nodes.map(node => ({ node, pos: position(node) }))
      all.sort((a, b) => compareDistance(key, a.pos, b.pos))
      return all.slice(0, count).map(x => x.node)
    }

    // ---- puts
    const values: Array<{ key: Uint8Array, value: Uint8Array }> = []
    const putMs: number[] = []
    for (let i = 0; i < o.items; i++) {
      const value = sha256(new TextEncoder().encode(`value ${o.seed} ${i}`))
      const body = new Uint8Array(o.valueBytes)
      for (let j = 0; j < body.length; j++) body[j] = value[j % value.length] ^ (j >> 5)
      const from = pick(net.nodes)
      const start = clock.elapsed()
      try {
        const { key } = await from.put(body)
        putMs.push(clock.elapsed() - start)
        values.push({ key, value: body })
      } catch {}
    }
    phase('put')

    // ---- lookups: findBeforeN(target, R) vs the true R nearest
    const hops: number[] = []
    const requests: number[] = []
    const lookupMs: number[] = []
    let exact = 0
    for (let i = 0; i < o.lookups; i++) {
      const from = pick(net.nodes)
      const target = sha256(new TextEncoder().encode(`target ${o.seed} ${i}`))
      const t: Trace = { hops: new Map(), requests: 0 }
      traces.set(toHex(target), t)
      const start = clock.elapsed()
      try {
        const found = await from.findBeforeN(target, o.replicas)
        lookupMs.push(clock.elapsed() - start)
        const truth = nearestLive(target, o.replicas)
        if (found.length === truth.length && found.every((p, j) => p.peerId.equals(net!.peerId(truth[j])))) exact++
        const nearest = net.peerId(truth[0])
        hops.push(nearest.equals(net.peerId(from)) ? 0 : (t.hops.get(nearest.toString()) ?? 1))
        requests.push(t.requests)
      } catch {}
      traces.delete(toHex(target))
    }
    phase('lookup')

    // ---- gets from nodes that hold no copy
    const getMs: number[] = []
    const getHops: number[] = []
    let getsOk = 0
    let getsTried = 0
    for (let i = 0; i < o.gets && values.length > 0; i++) {
      const { key, value } = values[i % values.length]
      let from = pick(net.nodes)
      for (let k = 0; k < 20 && from[internals].store.has(key); k++) from = pick(net.nodes)
      const t: Trace = { hops: new Map(), requests: 0 }
      traces.set(toHex(key), t)
      const start = clock.elapsed()
      getsTried++
      try {
        const got = await from.get(key)
        if (got.byteLength === value.byteLength && got.every((b, j) => b === value[j])) {
          getsOk++
          getMs.push(clock.elapsed() - start)
          getHops.push(t.foundAt ?? 0)
        }
      } catch {}
      traces.delete(toHex(key))
    }
    phase('get')

    // ---- fresh joins: the time add() takes (self lookup, then onboarding)
    const joinMs: number[] = []
    const joinAll: number[] = []
    const joinRequests: number[] = []
    const joinPeers: number[] = []
    const fillRequests: number[] = []
    const fillPeers: number[] = []
    const joinByType: Record<string, number> = {}
    const joinExact = { neighbours: 0, knownByNeighbours: 0, nearestAfterSettle: 0 }
    const trueNearest = (node: Toyrrent, count: number): Toyrrent[] => nearestLive(position(node), count + 1).filter(n => n !== node).slice(0, count)
    const members = (node: Toyrrent, of: Toyrrent[]): boolean => of.every(n => node[internals].table.get(net!.peerId(n)) != null)
    counting = true
    for (let i = 0; i < o.freshJoins; i++) {
      sent.clear()
      const before = net.stats.exchanges
      const start = clock.elapsed()
      const node = await net.add({}, { settled: false })
      joinMs.push(clock.elapsed() - start)
      joinAll.push(net.stats.exchanges - before)
      const own = (): { requests: number, peers: Set<string>, byType: Record<string, number> } => sent.get(net!.peerId(node).toString()) ?? { requests: 0, peers: new Set(), byType: {} }
      joinRequests.push(own().requests)
      joinPeers.push(own().peers.size)
      if (members(node, trueNearest(node, o.replicas * 2))) joinExact.neighbours++
      if (trueNearest(node, o.replicas).every(n => members(n, [node]))) joinExact.knownByNeighbours++
      await node[internals].joinSettled?.()
      if (members(node, trueNearest(node, 20))) joinExact.nearestAfterSettle++
      fillRequests.push(own().requests)
      fillPeers.push(own().peers.size)
      for (const [t, n] of Object.entries(own().byType)) joinByType[t] = (joinByType[t] ?? 0) + n
      trace(node)
    }
    counting = false
    for (const t of Object.keys(joinByType)) joinByType[t] = round(joinByType[t] / Math.max(1, joinMs.length), 1)
    phase('join')

    // ---- churn from the trace, repair running, samples every sampleEveryMs
    const horizon = o.churnMinutes * 60_000
    const events: Array<{ at: number, kind: 'joins' | 'crashes' | 'leaves' }> = []
    for (const kind of ['joins', 'crashes', 'leaves'] as const) {
      const count = Math.round(o.churnPerHour[kind] * n0 * horizon / 3_600_000)
      for (let i = 0; i < count; i++) events.push({ at: random() * horizon, kind })
    }
    events.sort((a, b) => a.at - b.at)
    const done = { joins: 0, crashes: 0, leaves: 0 }
    const samples: VirtualSimReport['churn']['samples'] = []
    const bytesBefore = { ...net.stats.bytesByType }
    const churnStart = clock.elapsed()
    const sample = async (): Promise<void> => {
      let under = 0
      let lost = 0
      for (const { key } of values) {
        let copies = 0
        for (const node of net!.nodes) if (node[internals].store.has(key)) copies++
        if (copies < o.replicas) under++
        if (copies === 0) lost++
      }
      let ok = 0
      const tries = Math.min(20, values.length)
      for (let i = 0; i < tries; i++) {
        const { key, value } = pick(values)
        try {
          const got = await pick(net!.nodes).get(key)
          if (got.byteLength === value.byteLength) ok++
        } catch {}
      }
      await o.inspect?.(net!, values, round((clock.elapsed() - churnStart) / 60_000, 1))
      samples.push({ minute: round((clock.elapsed() - churnStart) / 60_000, 1), nodes: net!.nodes.length, itemsUnderR: under, itemsLost: lost, getSuccess: round(ok / Math.max(1, tries), 3) })
    }
    await sample()
    let nextSample = o.sampleEveryMs
    for (const e of events) {
      while (nextSample <= e.at) {
        await clock.until(churnStart + nextSample)
        await sample()
        nextSample += o.sampleEveryMs
      }
      await clock.until(churnStart + e.at)
      const victim = pick(net.nodes)
      if (e.kind === 'joins') trace(await net.add({}, { settled: false }))
      else if (e.kind === 'crashes' && net.nodes.length > o.replicas + 1) await net.remove(victim)
      else if (e.kind === 'leaves' && net.nodes.length > o.replicas + 1) await net.leave(victim)
      done[e.kind]++
    }
    while (nextSample <= horizon) {
      await clock.until(churnStart + nextSample)
      await sample()
      nextSample += o.sampleEveryMs
    }
    const hours = Math.max(1e-9, (clock.elapsed() - churnStart) / 3_600_000)
    const perNodeHour = (bytes: number): number => round(bytes / Math.max(1, net!.nodes.length) / hours, 0)
    const byType: Record<string, number> = {}
    for (const [type, bytes] of Object.entries(net.stats.bytesByType)) byType[type] = perNodeHour(bytes - (bytesBefore[type] ?? 0))
    const repairBytes = ['DIGEST', 'SYNC_KEYS', 'HOLDS', 'STORE'].reduce((s, t) => s + (byType[t] ?? 0), 0)
    phase('churn')

    return {
      nodes: o.nodes,
      seed: o.seed,
      formation: o.formation,
      latencyModel: o.rttMs != null ? `every link ${o.rttMs} ms RTT` : 'per link: 2 × (access a + access b) + 80 ms × distance in a unit square; access 1–15 ms',
      linkRttMs: rttSummary,
      wallSeconds: wall,
      virtualSeconds: virtual,
      timersFired: clock.fired,
      form: { virtualMs: formVirtual, tableSize: { min: Math.min(...sizes), mean: round(sizes.reduce((s, x) => s + x, 0) / sizes.length, 1), max: Math.max(...sizes) } },
      put: { ok: putMs.length, attempted: o.items, latencyMs: summarise(putMs), roundTrips: inRtt(putMs) },
      lookup: { done: lookupMs.length, exact, exactness: round(exact / Math.max(1, lookupMs.length), 4), hops: summarise(hops), requests: summarise(requests), roundTrips: inRtt(lookupMs) },
      get: { ok: getsOk, attempted: getsTried, successRate: round(getsOk / Math.max(1, getsTried), 4), hops: summarise(getHops), latencyMs: summarise(getMs), roundTrips: inRtt(getMs) },
      join: { done: joinMs.length, roundTrips: inRtt(joinMs), requests: summarise(joinRequests), peers: summarise(joinPeers), requestsWithFill: summarise(fillRequests), peersWithFill: summarise(fillPeers), requestsAllNodes: summarise(joinAll), byType: joinByType, exact: joinExact },
      churn: { minutes: o.churnMinutes, events: done, samples, repairBytesPerNodePerHour: repairBytes, bytesByTypePerNodePerHour: byType }
    }
  } finally {
    await net?.stop()
    Math.random = mathRandom
  }
}
