/**
 * A one-line progress bar on stderr (bytes, rate, ETA), redrawn at most ten
 * times a second. Shown when stderr is a terminal, never on a pipe or file
 * unless forced (`--progress`); `--quiet` silences it.
 */
import type { Writable } from 'node:stream'

const REDRAW_MS = 100

export function progressWanted (values: { quiet?: unknown, progress?: unknown }, stderr: Writable & { isTTY?: boolean }): boolean {
  if (values.quiet === true) return false
  if (values.progress === true) return true
  return stderr.isTTY === true
}

export class ProgressBar {
  private readonly out: Writable
  private readonly label: string
  private total?: number
  private done = 0
  private readonly started: number
  private drawnAt = 0
  private readonly now: () => number

  constructor (out: Writable, label: string, total?: number, now: () => number = Date.now) {
    this.out = out
    this.label = label
    this.total = total
    this.now = now
    this.started = now()
  }

  setTotal (total: number | undefined): void { this.total = total }

  add (bytes: number): void {
    this.done += bytes
    const t = this.now()
    if (t - this.drawnAt >= REDRAW_MS) {
      this.drawnAt = t
      this.draw()
    }
  }

  /** The last line, and a newline so what follows starts clean. */
  finish (): void {
    this.draw()
    this.out.write('\n')
  }

  line (): string {
    const seconds = Math.max((this.now() - this.started) / 1000, 0.001)
    const rate = this.done / seconds
    const parts = [this.label, this.total == null ? formatBytes(this.done) : `${formatBytes(this.done)} / ${formatBytes(this.total)} ${percent(this.done, this.total)}`, `${formatBytes(rate)}/s`]
    if (this.total != null && rate > 0) parts.push(`ETA ${formatDuration(Math.max(0, this.total - this.done) / rate)}`)
    return parts.join('  ')
  }

  private draw (): void {
    this.out.write(`\r${this.line()}\x1b[K`)
  }
}

function percent (done: number, total: number): string {
  return total === 0 ? '100%' : `${Math.min(100, Math.floor(done / total * 100))}%`
}

export function formatBytes (n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(1)} ${units[i]}`
}

function formatDuration (seconds: number): string {
  const s = Math.round(seconds)
  const m = Math.floor(s / 60)
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`
}
