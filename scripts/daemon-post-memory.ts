/**
 * How much a daemon's resident memory grows while it takes one large
 * `POST /v1/files`, and where (scripts/lib/daemon-post-memory.ts): a real
 * `toyrrent daemon --replicas 1`, `head -c <N>M /dev/urandom | curl -X POST
 * -T - API/v1/files`, /proc/PID/status sampled every 0.2 s, smaps classes
 * and the JS heap before and after.
 *
 *   node dist/scripts/daemon-post-memory.js [--mib 256] [--env K=V ...] [--daemon-arg ARG ...] [--snapshot [--snapshot-delay S]] [--trace FILE] [--keep]
 *
 * --daemon-arg adds one argument to `toyrrent daemon` (repeat it: --daemon-arg
 * --repair-interval --daemon-arg 0);
 * --env passes a variable to the daemon only (e.g. MALLOC_ARENA_MAX=2);
 * --snapshot takes a heap snapshot after the POST (a full GC first) and sums
 * it by constructor (--snapshot-delay S: S seconds after the POST); --trace FILE
 * has the daemon write its JS heap, ArrayBuffers and GCs every 100 ms to FILE
 * (scripts/lib/memory-trace.ts); TOYRRENT_KEEP_SNAPSHOTS=DIR (environment)
 * keeps --snapshot's two .heapsnapshot files there instead of deleting them; --keep leaves the daemon running until Ctrl-C.
 * Prints a summary and, last, one JSON line.
 */
import { spawnSync } from 'node:child_process'
import { describePost, measureDaemonPost } from './lib/daemon-post-memory.ts'
import type { PostMemoryOptions } from './lib/daemon-post-memory.ts'

function parse (argv: string[]): PostMemoryOptions & { keep: boolean } {
  const options: PostMemoryOptions & { keep: boolean, env: Record<string, string> } = { mib: 256, env: {}, keep: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--mib') options.mib = Number(argv[++i])
    else if (arg === '--env') {
      const [k, ...v] = argv[++i].split('=')
      options.env[k] = v.join('=')
    } else if (arg === '--daemon-arg') (options.daemonArgs ??= []).push(argv[++i])
    else if (arg === '--keep') options.keep = true
    else if (arg === '--snapshot') options.snapshot = true
    else if (arg === '--snapshot-delay') options.snapshotDelayMs = Number(argv[++i]) * 1000
    else if (arg === '--trace') options.trace = argv[++i]
    else if (arg === '--settle') options.settleMs = Number(argv[++i])
    else throw new Error(`unknown argument ${arg}`)
  }
  if (!Number.isInteger(options.mib) || options.mib <= 0) throw new Error('--mib must be a positive integer')
  return options
}

if (spawnSync('curl', ['--version']).status !== 0) throw new Error('curl is needed on PATH')
const options = parse(process.argv.slice(2))
if (options.keep) {
  options.hold = async (pid, api, root) => {
    console.log(`daemon ${pid} kept running (API ${api}, data ${root}); press Ctrl-C`)
    await new Promise(resolve => process.once('SIGINT', resolve))
  }
}
const result = await measureDaemonPost(options)
for (const line of describePost(result)) console.log(line)
console.log(JSON.stringify(result))
