/**
 * Open file descriptors of this process (Linux /proc/self/fd), by kind:
 * every in-process TCP connection is one socket at each end, a listener one
 * more. The 200-node bench runs all its nodes in one process whose limit is
 * 20,000 descriptors, so the bench reports them next to the connections the
 * nodes hold. Elsewhere (no /proc) every count is undefined.
 */
import { readdirSync, readlinkSync } from 'node:fs'

export interface FdCensus {
  total: number
  socket: number
  anonInode: number
  pipe: number
  file: number
  other: number
}

const FD_DIR = '/proc/self/fd'

/** How many descriptors are open now (one readdir: cheap enough to sample often). */
export function openFdCount (): number | undefined {
  try {
    return readdirSync(FD_DIR).length
  } catch {
    return undefined
  }
}

/** Open descriptors by kind (a readlink each: for phase ends, not for sampling). */
export function fdCensus (): FdCensus | undefined {
  let names: string[]
  try {
    names = readdirSync(FD_DIR)
  } catch {
    return undefined
  }
  const out: FdCensus = { total: 0, socket: 0, anonInode: 0, pipe: 0, file: 0, other: 0 }
  for (const name of names) {
    let target: string
    try {
      target = readlinkSync(`${FD_DIR}/${name}`)
    } catch {
      continue // closed meanwhile (the readdir's own descriptor, among others)
    }
    out.total++
    if (target.startsWith('socket:')) out.socket++
    else if (target.startsWith('anon_inode:')) out.anonInode++
    else if (target.startsWith('pipe:')) out.pipe++
    else if (target.startsWith('/')) out.file++
    else out.other++
  }
  return out
}

/** The most descriptors seen open, sampled every `intervalMs` until stop(). */
export class FdPeak {
  peak = 0
  private readonly timer: ReturnType<typeof setInterval>

  constructor (intervalMs = 500) {
    this.sample()
    this.timer = setInterval(() => { this.sample() }, intervalMs)
    this.timer.unref()
  }

  sample (): number | undefined {
    const n = openFdCount()
    if (n != null && n > this.peak) this.peak = n
    return n
  }

  stop (): number {
    clearInterval(this.timer)
    this.sample()
    return this.peak
  }
}
