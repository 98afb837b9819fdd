/**
 * One peer floods a node with 10x its queue size of requests, pipelined in
 * bursts over several raw streams, from its own process; meanwhile another
 * peer reads from the node. The other peer's reads must finish within a
 * bound, the flood must be answered (BUSY beyond the limits, never dropped),
 * and the node's memory must stay bounded. The figures are printed.
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createToyrrentNode } from '../../src/node.ts'
import { dialAddr } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import { internals } from '../../src/service/toyrrent.ts'

/** The node's default limits: 16 running, 256 waiting, 32 per peer. */
const QUEUE = { concurrency: 16, maxQueued: 256, maxPerPeer: 32 }
/** 10x the queue size, four times over (once per stream). */
const FLOOD_REQUESTS = 10 * QUEUE.maxQueued * 4
const FLOOD_STREAMS = 4
/**
 * Bounds on the other peer's reads during the flood (alone the median is ~1 ms; in the full suite, with a
 * 400 MiB heap left by earlier tests, ~30 ms). The median shows the queue's fairness; the
 * maximum is set by this sandbox's CPU (2 cores shared by the flooder process, this one and their
 * GC: profiles show this process descheduled for 200-500 ms at a time), not by waiting in line.
 */
const MEDIAN_BOUND_MS = 150
const LATENCY_BOUND_MS = 2_000
const FLOODER = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'flooder.js')

describe('flood from one peer', function () {
  this.timeout(60_000)
  let target: ToyrrentNode
  let other: ToyrrentNode
  let key: Uint8Array
  let dataDir: string

  before(async () => {
    // LevelDB as in the daemon: handlers wait on real I/O, so requests pile up in the queue
    dataDir = await mkdtemp(join(tmpdir(), 'toyrrent-flood-'))
    target = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], dataDir, inboundQueue: QUEUE })
    other = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [dialAddr(target)] })
    // stored once both are up: a write needs W = 2 acknowledgements
    key = (await target.toyrrent.put(new TextEncoder().encode('still here'))).key
  })

  after(async () => {
    await other?.stop()
    await target?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it(`${FLOOD_REQUESTS} pipelined requests from one peer: all answered (BUSY past the limits), another peer's reads stay fast (median < ${MEDIAN_BOUND_MS} ms, all < ${LATENCY_BOUND_MS} ms), memory bounded`, async () => {
    const read = async (): Promise<number> => {
      const started = performance.now()
      const value = await other.toyrrent.get(key, { timeout: 10_000 })
      expect(new TextDecoder().decode(value)).to.equal('still here')
      return performance.now() - started
    }
    const quiet: number[] = []
    for (let i = 0; i < 20; i++) quiet.push(await read())

    const child = spawn(process.execPath, [FLOODER, dialAddr(target), Buffer.from(key).toString('hex'), String(FLOOD_REQUESTS), String(FLOOD_STREAMS)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = once(child, 'exit')
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    try {
      const first = await lines.next()
      expect(JSON.parse(first.value as string)).to.deep.equal({ started: true })
      const rssBefore = process.memoryUsage().rss
      let peakRss = rssBefore
      const lag = monitorEventLoopDelay({ resolution: 10 })
      lag.enable()
      const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }, 10)
      const result = lines.next()
      let done = false
      void result.finally(() => { done = true })
      const loaded: number[] = []
      try {
        // read for as long as the flood lasts (bounded: the flooder has its own 50 s deadline)
        while (!done && loaded.length < 10_000) loaded.push(await read())
      } finally {
        clearInterval(sampler)
      }
      const summary = JSON.parse((await result).value as string)
      const report = {
        otherReadsOver100ms: loaded.filter(ms => ms > 100).length,
        nodeEventLoopLagMaxMs: Math.round(lag.max / 1e6),
        floodRequests: FLOOD_REQUESTS,
        replies: summary.replies,
        otherReads: { quietMs: stats(quiet), duringFloodMs: stats(loaded) },
        nodeRssMiB: { before: mib(rssBefore), peak: mib(peakRss), growth: mib(peakRss - rssBefore) },
        queue: target.toyrrent[internals].inbound.stats()
      }
      // eslint-disable-next-line no-console
      console.log('      flood figures:', JSON.stringify(report))
      const replies = Object.values(summary.replies as Record<string, number>).reduce((a, b) => a + b, 0)
      expect(replies).to.equal(FLOOD_REQUESTS)
      expect(summary.replies.BUSY ?? 0).to.be.greaterThan(0)
      expect(loaded.length).to.be.greaterThan(0)
      expect(stats(loaded).median).to.be.below(MEDIAN_BOUND_MS)
      expect(Math.max(...loaded)).to.be.below(LATENCY_BOUND_MS)
      // target and reader in this process; the flood moves ~40 MiB into it
      expect(peakRss - rssBefore).to.be.below(128 * 1024 * 1024)
    } finally {
      if (child.exitCode == null) child.kill()
      await exited
    }
  })
})

function stats (ms: number[]): { n: number, median: number, p99: number, max: number } {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10
  return { n: sorted.length, median: at(0.5), p99: at(0.99), max: at(1) }
}

function mib (bytes: number): number { return Math.round(bytes / 1024 / 1024) }
