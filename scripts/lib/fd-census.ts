/**
 * Open file descriptors of this process (Linux /proc/self/fd), by kind:
 * every in-process TCP connection is one socket at each end, a listener one
 * more. The 200-node bench runs all its nodes in one process whose limit is
 * 20,000 descriptors, so the bench reports them next to the connections the
 * nodes hold. Elsewhere (no /proc) every count is undefined.
 */
import { readdirSync, readlinkSync } from 'node:fs'
import { readdir } from 'node:fs/promises'

export interface FdCensus {
  total: number
  socket: number
  anonInode: number
  pipe: number
  file: number
  other: number
}

const FD_DIR = '/proc/self/fd'

/** Open descriptors by kind (a readlink each: for phase ends, not for sampling; FdPeak counts). */
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

/**
 * The most descriptors seen open, sampled every `intervalMs` until stop().
 * The sample reads the directory off the event loop (fs.promises): a
 * readdirSync of 11,000 descriptors (200 nodes) took ~20 ms, every 500 ms,
 * in the middle of the operations the bench times.
 */
export class FdPeak {
  peak = 0
  private readonly timer: ReturnType<typeof setInterval>
  private sampling: Promise<void> | undefined

  constructor (intervalMs = 500) {
    this.sample()
    this.timer = setInterval(() => { this.sample() }, intervalMs)
    this.timer.unref()
  }

  /** One sample, unless one is under way. */
  private sample (): void {
    this.sampling ??= readdir(FD_DIR).then(names => {
      if (names.length > this.peak) this.peak = names.length
    }, () => {}).finally(() => { this.sampling = undefined })
  }

  async stop (): Promise<number> {
    clearInterval(this.timer)
    await this.sampling
    this.sample()
    await this.sampling
    return this.peak
  }
}
