/**
 * Chaos test, in the spirit of Jepsen: real daemons on 127.0.0.1, concurrent
 * clients through the HTTP API, a seeded nemesis (SIGKILL/restart,
 * SIGSTOP/SIGCONT, SIGTERM/restart, joins; at most R − W = 1 node down or
 * paused at once), a recorded history and a checker.
 *
 *   npm run chaos -- --seconds 180 --seed 1 [--nodes 9] [--clients 6] [--history FILE]
 *                    [--forward-puts on|off] [--max-connections N]   (passed to every daemon)
 *   npm run chaos -- --check FILE      (check a history written by --history again)
 *
 * Prints the summary as JSON on stdout (progress on stderr). Exit 0 when the
 * history has no violation, 1 when it has, 2 when the run itself failed (a
 * daemon would not start, bad flags). Every daemon is killed and the temp dir
 * removed on the way out, also on SIGINT/SIGTERM or a crash of this script.
 */
import { readFileSync, rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { killAllSync } from './lib/chaos/daemons.ts'
import { ChaosCluster, runChaos } from './lib/chaos/run.ts'
import { check } from './lib/chaos/checker.ts'
import type { History } from './lib/chaos/history.ts'
import type { ChaosOptions } from './lib/chaos/run.ts'

function int (text: string, flag: string, min: number, max: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`chaos: ${flag} must be an integer in ${min}..${max}, got "${text}"\n`)
    process.exit(2)
  }
  return n
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    nodes: { type: 'string', default: '9' },
    clients: { type: 'string', default: '6' },
    replicas: { type: 'string', default: '3' },
    'write-quorum': { type: 'string', default: '2' },
    'repair-interval': { type: 'string', default: '2' },
    'heal-seconds': { type: 'string', default: '90' },
    'request-timeout': { type: 'string', default: '15' },
    'max-joins': { type: 'string' },
    'forward-puts': { type: 'string' },
    'max-connections': { type: 'string' },
    history: { type: 'string' },
    check: { type: 'string' },
    quiet: { type: 'boolean', default: false }
  }
})

if (values.check != null) {
  const history: History = { ops: [], faults: [] }
  for (const line of readFileSync(values.check, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const entry = JSON.parse(line)
    if (entry.fault != null) history.faults.push(entry.fault)
    else history.ops.push(entry)
  }
  const result = check(history, { replicas: int(values.replicas, '--replicas', 1, 7) })
  process.stdout.write(JSON.stringify({ operations: history.ops.length, faults: history.faults.length, checked: result.checked, counts: result.counts, violations: result.violations }, null, 2) + '\n')
  process.exit(result.violations.length === 0 ? 0 : 1)
}

const nodes = int(values.nodes, '--nodes', 4, 40)
const replicas = int(values.replicas, '--replicas', 1, 7)
const writeQuorum = int(values['write-quorum'], '--write-quorum', 1, replicas)
if (replicas - writeQuorum < 1) {
  process.stderr.write('chaos: the nemesis takes one node down at a time, so it needs R − W ≥ 1\n')
  process.exit(2)
}
const abort = new AbortController()
const t0 = Date.now()
const options: ChaosOptions = {
  seconds: int(values.seconds, '--seconds', 1, 24 * 3600),
  seed: int(values.seed, '--seed', 0, 2 ** 31),
  nodes,
  clients: int(values.clients, '--clients', 1, 64),
  replicas,
  writeQuorum,
  repairInterval: int(values['repair-interval'], '--repair-interval', 1, 3600),
  healSeconds: int(values['heal-seconds'], '--heal-seconds', 1, 3600),
  requestTimeoutMs: int(values['request-timeout'], '--request-timeout', 1, 120) * 1000,
  maxJoins: values['max-joins'] == null ? Math.ceil(nodes / 3) : int(values['max-joins'], '--max-joins', 0, 40),
  historyFile: values.history,
  daemonArgs: [
    ...(values['forward-puts'] == null ? [] : ['--forward-puts', values['forward-puts']]),
    ...(values['max-connections'] == null ? [] : ['--max-connections', String(int(values['max-connections'], '--max-connections', 1, 1000))])
  ],
  abort: abort.signal,
  log: values.quiet ? () => {} : line => { process.stderr.write(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}\n`) }
}

const cluster = new ChaosCluster(options)
// whatever happens, no daemon outlives this process and no temp dir is left
process.on('exit', () => {
  killAllSync()
  if (cluster.root !== '') rmSync(cluster.root, { recursive: true, force: true })
})
let signals = 0
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`chaos: ${signal}, stopping every daemon\n`)
    abort.abort()
    if (++signals > 1) process.exit(130)
    // the exit handler kills the daemons and removes the temp dir
    setTimeout(() => process.exit(130), 2000).unref()
  })
}

// a bound on the whole run, whatever hangs: the operations, healing, final
// reads (each request has its own deadline) and start-ups, with room to spare
const limitMs = (options.seconds + options.healSeconds + 600) * 1000
setTimeout(() => {
  process.stderr.write(`chaos: the run did not finish within ${limitMs / 1000} s; giving up\n`)
  process.exit(2)
}, limitMs).unref()

try {
  const summary = await runChaos(options, cluster)
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
  await cluster.destroy()
  process.exitCode = summary.ok ? 0 : 1
} catch (err) {
  process.stderr.write(`chaos: the run failed: ${(err as Error).stack ?? String(err)}\n`)
  await cluster.destroy().catch(() => {})
  process.exitCode = abort.signal.aborted ? 130 : 2
}
// clients' keep-alive sockets and timers must not keep us alive
setTimeout(() => process.exit(), 1000).unref()
