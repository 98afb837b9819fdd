/**
 * One benchmark node in its own process, for `bench --procs`. Started as
 *   node dist/scripts/bench-node.js --impl toyrrent|kad-dht|hyperdht|bittorrent-dht [--bootstrap ADDR] [--replicas R] [--write-quorum W]
 * it answers JSON lines on stdin with JSON lines on stdout:
 *   {"id":1,"op":"get","key":"<base64>","timeoutMs":5000} → {"id":1,"ok":true,"ms":0.41,"result":"<base64>"}
 * ops: addr, refresh, put, get, publish, resolve, holds, prepareKeys, canPublish, stats, stop.
 * `ms` is the operation's own time (performance.now()), so the pipe does not count.
 * It exits on `stop`, when stdin closes, or when the parent goes away.
 */
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createImplNode } from './lib/impl.ts'
import { settleGc } from './lib/stats.ts'
import { fdCensus } from './lib/fd-census.ts'
import type { ImplName } from './lib/impl.ts'
import { installSocketDelay } from './lib/delay-sockets.ts'

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'toyrrent' },
    bootstrap: { type: 'string' },
    replicas: { type: 'string' },
    'write-quorum': { type: 'string' }
  }
})

installSocketDelay(Number(process.env.BENCH_RTT_MS ?? 0))
await settleGc()
const baselineRss = process.memoryUsage().rss
const node = await createImplNode(values.impl as ImplName, {
  bootstrap: values.bootstrap,
  replicas: values.replicas != null ? Number(values.replicas) : undefined,
  writeQuorum: values['write-quorum'] != null ? Number(values['write-quorum']) : undefined
})

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'))
const send = (reply: object): void => { process.stdout.write(JSON.stringify(reply) + '\n') }

let stopping = false
async function shutdown (code: number): Promise<void> {
  if (stopping) return
  stopping = true
  const timer = setTimeout(() => process.exit(code), 5_000)
  timer.unref()
  try { await node.stop() } finally { process.exit(code) }
}

async function run (cmd: any): Promise<{ result?: unknown, ms?: number }> {
  const signal = AbortSignal.timeout(cmd.timeoutMs ?? 30_000)
  const time = async <T>(work: () => Promise<T>): Promise<{ result: T, ms: number }> => {
    const start = performance.now()
    const result = await work()
    return { result, ms: performance.now() - start }
  }
  switch (cmd.op) {
    case 'addr': return { result: node.addr() }
    case 'refresh': return time(async () => node.refresh(signal))
    case 'settled': return time(async () => node.settled?.(signal))
    case 'canPublish': return { result: node.canPublish() }
    case 'put': {
      const value = unb64(cmd.value)
      const r = await time(async () => node.put(value, signal))
      return { ms: r.ms, result: b64(r.result) }
    }
    case 'get':
    case 'resolve': {
      const key = unb64(cmd.key)
      const r = await time(async () => cmd.op === 'get' ? node.get(key, signal) : node.resolve(key, signal))
      return { ms: r.ms, result: r.result == null ? null : b64(r.result) }
    }
    case 'publish': {
      const seed = unb64(cmd.seed)
      const value = unb64(cmd.value)
      const r = await time(async () => node.publish(seed, value, BigInt(cmd.seq), signal))
      return { ms: r.ms, result: b64(r.result) }
    }
    case 'holds': return { result: node.holds(unb64(cmd.key)) }
    case 'prepareKeys': {
      await node.prepareKeys((cmd.seeds as string[]).map(unb64))
      return {}
    }
    case 'stats': {
      if (cmd.gc === true) await settleGc()
      const usage = process.memoryUsage()
      return { result: { rss: usage.rss, heapUsed: usage.heapUsed, baselineRss, tableSize: node.tableSize(), requests: node.requestCounts(), newConnections: node.newConnections(), openConnections: node.openConnections?.() ?? null, trimmedConnections: node.trimmedConnections?.() ?? null, fds: fdCensus() ?? null, maxValueBytes: node.maxValueBytes ?? null } }
    }
    case 'stop':
      setImmediate(() => { void shutdown(0) })
      return {}
    default: throw new Error(`unknown op ${cmd.op}`)
  }
}

const lines = createInterface({ input: process.stdin })
lines.on('line', line => {
  let cmd: any
  try { cmd = JSON.parse(line) } catch { return }
  run(cmd).then(
    r => { send({ id: cmd.id, ok: true, ...r }) },
    (err: any) => { send({ id: cmd.id, ok: false, error: `${err.name}: ${err.message}` }) }
  )
})
lines.on('close', () => { void shutdown(0) })
process.on('disconnect', () => { void shutdown(0) })
