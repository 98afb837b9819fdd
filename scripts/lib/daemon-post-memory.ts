/**
 * One real `toyrrent daemon --replicas 1` on loopback taking one large
 * `POST /v1/files` of random bytes (`head -c <N>M /dev/urandom | curl -X POST
 * -T - API/v1/files`), its memory sampled from /proc/PID/status every 0.2 s,
 * with the growth attributed from /proc/PID/smaps (main malloc heap, small
 * and large anonymous mappings, LevelDB's mapped tables, the node binary)
 * and the JS heap from the daemon's diagnostic report. Used by
 * scripts/daemon-post-memory.ts and test/long/files-memory.spec.ts.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChaosNode } from './chaos/daemons.ts'
import { procMemory } from './proc-memory.ts'
import type { ProcMemory } from './proc-memory.ts'
import { heapGroups, heapGrowth } from './heap-diff.ts'
import type { HeapGroups } from './heap-diff.ts'

export interface PostMemoryOptions {
  mib: number
  /** Variables for the daemon only (e.g. MALLOC_ARENA_MAX=2). */
  env?: Record<string, string>
  /** More `toyrrent daemon` arguments (e.g. ['--repair-interval', '0']). */
  daemonArgs?: string[]
  /** ms the started daemon idles before the baseline reading. */
  settleMs?: number
  /** After the POST, take a heap snapshot (a full GC) and sum it by constructor. */
  snapshot?: boolean
  /** Wait this long after the POST before the snapshot (per-operation timers still pending keep their state reachable). */
  snapshotDelayMs?: number
  /** Write the daemon's own memory trace (scripts/lib/memory-trace.ts: JS heap, ArrayBuffers, GCs every 100 ms) to this file. */
  trace?: string
  /** Called with the running daemon after the measurement, before it is stopped. */
  hold?: (pid: number, api: string, root: string) => Promise<void>
}

export interface HeapFigures { committed: number, used: number, external: number }

export interface PostMemory {
  mib: number
  env: Record<string, string>
  daemonArgs: string[]
  /** Response of the POST. */
  reply: string
  seconds: number
  /** Daemon CPU (user + system) over the POST, s. */
  cpu: number
  base: ProcMemory
  /** Peak minus base of each figure, MiB. */
  growth: ProcMemory
  /** After the POST minus base, MiB. */
  kept: ProcMemory
  /** smaps Rss growth by class at the highest VmRSS sample, and after, MiB. */
  peakMaps: Record<string, number>
  afterMaps: Record<string, number>
  baseHeap: HeapFigures
  afterHeap: HeapFigures
  /** With `snapshot`: what the JS heap grew by, by constructor, from a snapshot before the POST to one after (each after a full GC). */
  heapSummary?: Record<string, string>
}

export async function measureDaemonPost (options: PostMemoryOptions): Promise<PostMemory> {
  const env = options.env ?? {}
  const root = await mkdtemp(join(tmpdir(), 'toyrrent-post-memory-'))
  // the helper passes this process's environment on to the daemon
  Object.assign(process.env, env)
  // a diagnostic report (JS heap by space, native handles) on SIGUSR2, read before and after
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --report-on-signal --report-signal=SIGUSR2 --report-directory=${root}` +
    (options.snapshot === true ? ` --heapsnapshot-signal=SIGPWR --diagnostic-dir=${root}` : '') +
    (options.trace == null ? '' : ` --import=${fileURLToPath(new URL('./memory-trace.js', import.meta.url))}`)
  if (options.trace != null) {
    await rm(options.trace, { force: true })
    process.env.TOYRRENT_MEMORY_TRACE = options.trace
  }
  const daemon = new ChaosNode('post', { dataDir: join(root, 'd'), args: ['--replicas', '1', ...(options.daemonArgs ?? [])], startTimeoutMs: 60_000 })
  await daemon.start()
  for (const k of [...Object.keys(env), 'NODE_OPTIONS', 'TOYRRENT_MEMORY_TRACE']) Reflect.deleteProperty(process.env, k)
  const pid = daemon.pid as number
  try {
    // settle: the daemon's own start-up allocations are not the POST's
    await new Promise(resolve => setTimeout(resolve, options.settleMs ?? 3000))
    const baseGroups = options.snapshot === true ? await snapshotGroups(pid, root) : undefined
    const baseHeap = await heapReport(pid, root)
    const base = await procMemory(pid)
    const baseMaps = await smapsClasses(pid)
    const peak: ProcMemory = { ...base }
    let peakMaps = baseMaps
    let sampling = true
    const sampler = (async () => {
      let n = 0
      while (sampling) {
        const now = await procMemory(pid)
        if (now.rss > peak.rss) {
          // smaps at the VmRSS peak, at most every 2 s (reading it costs)
          if (n % 10 === 0) peakMaps = await smapsClasses(pid)
        }
        peak.rss = Math.max(peak.rss, now.rss)
        peak.anon = Math.max(peak.anon, now.anon)
        peak.file = Math.max(peak.file, now.file)
        n++
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    })()
    const cpuBefore = await cpuSeconds(pid)
    const started = Date.now()
    const curl = spawn('sh', ['-c', `head -c ${options.mib}M /dev/urandom | curl -sS --fail-with-body -X POST -T - http://${daemon.api}/v1/files`], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    curl.stdout.on('data', (c: Buffer) => { out += c.toString() })
    const code = await new Promise<number | null>(resolve => curl.once('close', resolve))
    const seconds = (Date.now() - started) / 1000
    sampling = false
    await sampler
    if (code !== 0) throw new Error(`curl exited ${code}: ${out}\ndaemon's last output:\n${daemon.tail()}`)
    const cpu = r(await cpuSeconds(pid) - cpuBefore)
    const after = await procMemory(pid)
    const afterMaps = await smapsClasses(pid)
    let afterHeap = await heapReport(pid, root)
    let summary: Record<string, string> | undefined
    if (options.snapshot === true) {
      // a heap snapshot collects garbage first: what the JS heap really keeps after the POST
      if (options.snapshotDelayMs != null) await new Promise(resolve => setTimeout(resolve, options.snapshotDelayMs))
      summary = heapGrowth(baseGroups as HeapGroups, await snapshotGroups(pid, root))
      afterHeap = await heapReport(pid, root)
    }
    await options.hold?.(pid, daemon.api, root)
    return {
      mib: options.mib,
      env,
      daemonArgs: options.daemonArgs ?? [],
      reply: out.trim(),
      seconds,
      cpu,
      base,
      growth: { rss: r(peak.rss - base.rss), anon: r(peak.anon - base.anon), file: r(peak.file - base.file) },
      kept: { rss: r(after.rss - base.rss), anon: r(after.anon - base.anon), file: r(after.file - base.file) },
      peakMaps: diff(peakMaps, baseMaps),
      afterMaps: diff(afterMaps, baseMaps),
      baseHeap,
      afterHeap,
      ...(summary == null ? {} : { heapSummary: summary })
    }
  } finally {
    await daemon.stop()
    await rm(root, { recursive: true, force: true })
  }
}

/** kB of Rss per mapping class, from /proc/PID/smaps. */
export async function smapsClasses (pid: number): Promise<Record<string, number>> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8')
  const classes: Record<string, number> = {}
  let current = ''
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line)
    if (header != null) {
      const size = (parseInt(header[2], 16) - parseInt(header[1], 16)) / 1024
      current = classify(header[3].trim(), size)
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss != null) classes[current] = (classes[current] ?? 0) + Number(rss[1])
  }
  return classes
}

function classify (name: string, sizeKiB: number): string {
  if (name === '') {
    // glibc's per-thread arenas reserve 64 MiB (HEAP_MAX_SIZE) aligned heaps; V8 pages are 256 KiB chunks in large reservations
    if (sizeKiB >= 65536 - 4096 && sizeKiB <= 65536) return 'anon 60-64 MiB (malloc arena?)'
    if (sizeKiB < 1024) return 'anon < 1 MiB'
    if (sizeKiB < 65536) return 'anon 1-60 MiB'
    return 'anon > 64 MiB'
  }
  if (name.endsWith('.ldb') || name.endsWith('.log')) return 'leveldb files'
  if (name.startsWith('[')) return name
  if (/\/node$/.test(name)) return 'node binary'
  if (name.endsWith('.node') || name.includes('.so')) return 'shared libraries'
  return 'other files'
}

function diff (after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const k of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0)
    if (Math.abs(d) >= 256) out[k] = Math.round(d / 102.4) / 10
  }
  return out
}

/** Send the heap-snapshot signal (a full GC first), wait for the file, and group it by constructor (heap-diff.ts). */
async function snapshotGroups (pid: number, dir: string): Promise<HeapGroups> {
  const before = new Set(await readdir(dir))
  process.kill(pid, 'SIGPWR')
  const deadline = Date.now() + 120_000
  for (;;) {
    const file = (await readdir(dir)).find(f => !before.has(f) && f.endsWith('.heapsnapshot'))
    if (file != null) {
      try {
        // a file still being written does not parse yet: try again
        const groups = await heapGroups(join(dir, file))
        if (process.env.TOYRRENT_KEEP_SNAPSHOTS == null) await rm(join(dir, file))
        else await rename(join(dir, file), join(process.env.TOYRRENT_KEEP_SNAPSHOTS, file))
        return groups
      } catch {}
    }
    if (Date.now() > deadline) throw new Error('no heap snapshot within 120 s')
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

/** The JS heap as the daemon's diagnostic report gives it (SIGUSR2, --report-on-signal), MiB. */
async function heapReport (pid: number, dir: string): Promise<HeapFigures> {
  const before = new Set(await readdir(dir))
  process.kill(pid, 'SIGUSR2')
  const deadline = Date.now() + 30_000
  for (;;) {
    const file = (await readdir(dir)).find(f => !before.has(f) && f.startsWith('report.') && f.endsWith('.json'))
    if (file != null) {
      try {
        const report = JSON.parse(await readFile(join(dir, file), 'utf8'))
        await rm(join(dir, file))
        const heap = report.javascriptHeap
        const mib = (n: number): number => r(n / 1048576)
        return { committed: mib(heap.totalMemory), used: mib(heap.usedMemory), external: mib(report.resourceUsage == null ? 0 : (heap.externalMemory ?? 0)) }
      } catch {}
    }
    if (Date.now() > deadline) throw new Error('no diagnostic report from the daemon within 30 s')
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** user + system CPU seconds of a process (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s). */
async function cpuSeconds (pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function r (n: number): number { return Math.round(n * 10) / 10 }

/** A few lines' account of a measurement (for a script's output or a test's log). */
export function describePost (m: PostMemory): string[] {
  return [
    `daemon POST ${m.mib} MiB in ${m.seconds.toFixed(1)} s (daemon CPU ${m.cpu} s), env ${JSON.stringify(m.env)}, daemon args ${JSON.stringify(m.daemonArgs)}: ${m.reply}`,
    `  base VmRSS ${m.base.rss} = anon ${m.base.anon} + file ${m.base.file} MiB`,
    `  peak growth VmRSS ${m.growth.rss}, anon ${m.growth.anon}, file ${m.growth.file} MiB`,
    `  kept after  VmRSS ${m.kept.rss}, anon ${m.kept.anon}, file ${m.kept.file} MiB`,
    `  smaps growth at the VmRSS peak (MiB): ${JSON.stringify(m.peakMaps)}`,
    `  smaps growth after (MiB): ${JSON.stringify(m.afterMaps)}`,
    `  JS heap committed ${m.baseHeap.committed} -> ${m.afterHeap.committed} MiB, used ${m.baseHeap.used} -> ${m.afterHeap.used}, external ${m.baseHeap.external} -> ${m.afterHeap.external}` +
      (m.heapSummary == null ? '' : ` (after the snapshot's full GC); grown most, by constructor, from a snapshot before the POST: ${JSON.stringify(m.heapSummary)}`)
  ]
}
