/** A process's resident memory as Linux counts it (/proc/PID/status), in MiB. */
import { readFile } from 'node:fs/promises'

export interface ProcMemory {
  /** VmRSS: everything resident, file-backed pages included. */
  rss: number
  /** RssAnon: the process's own memory (JS heap, malloc, stacks). */
  anon: number
  /** RssFile: mapped files' pages, mostly the node binary's code (shared with every node process, reclaimable). */
  file: number
}

const MiB = 1024

export async function procMemory (pid: number): Promise<ProcMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => {
    const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm'))
    if (match == null) throw new Error(`no ${field} in /proc/${pid}/status`)
    return Number(match[1])
  }
  const round = (n: number): number => Math.round(n / MiB * 10) / 10
  return { rss: round(kib('VmRSS')), anon: round(kib('RssAnon')), file: round(kib('RssFile')) }
}

/** The highest of each figure over `ms`, sampled every `every` ms (a measurement window, not a wait for a condition). */
export async function peakProcMemory (pid: number, ms: number, every = 250): Promise<ProcMemory> {
  const top: ProcMemory = { rss: 0, anon: 0, file: 0 }
  for (const end = Date.now() + ms; Date.now() < end;) {
    const now = await procMemory(pid)
    top.rss = Math.max(top.rss, now.rss)
    top.anon = Math.max(top.anon, now.anon)
    top.file = Math.max(top.file, now.file)
    await new Promise(resolve => setTimeout(resolve, every))
  }
  return top
}
