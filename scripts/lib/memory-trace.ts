/**
 * A preload (`node --import dist/scripts/lib/memory-trace.js`) that writes
 * the process's memory as V8 and Node count it, one JSON line every
 * TOYRRENT_MEMORY_TRACE_MS (default 100) ms, to the file named by
 * TOYRRENT_MEMORY_TRACE: time, RSS, the JS heap (committed, used, new
 * space committed), ArrayBuffers' bytes, and the collections since the
 * last line (scavenges, mark-compacts). scripts/lib/daemon-post-memory.ts
 * passes it to the daemon it measures (`--trace`), so the growth in
 * /proc/PID/status can be set against what V8 holds at the same moment.
 * Without TOYRRENT_MEMORY_TRACE it does nothing.
 */
import { appendFileSync } from 'node:fs'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { getHeapSpaceStatistics } from 'node:v8'

const file = process.env.TOYRRENT_MEMORY_TRACE
if (file != null && file !== '') {
  const every = Number(process.env.TOYRRENT_MEMORY_TRACE_MS ?? 100)
  const counts = { minor: 0, major: 0, other: 0, gcMs: 0 }
  const observer = new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minor++
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major++
      else counts.other++
      counts.gcMs += entry.duration
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const start = performance.now()
  const MiB = (n: number): number => Math.round(n / 104857.6) / 10
  const timer = setInterval(() => {
    const m = process.memoryUsage()
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map(s => [s.space_name, s]))
    appendFileSync(file, JSON.stringify({
      t: Math.round(performance.now() - start),
      rss: MiB(m.rss),
      heapTotal: MiB(m.heapTotal),
      heapUsed: MiB(m.heapUsed),
      newSpace: MiB(spaces.new_space?.space_size ?? 0),
      oldUsed: MiB(spaces.old_space?.space_used_size ?? 0),
      external: MiB(m.external),
      arrayBuffers: MiB(m.arrayBuffers),
      ...counts
    }) + '\n')
    counts.minor = counts.major = counts.other = counts.gcMs = 0
  }, every)
  timer.unref()
}
