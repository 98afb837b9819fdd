/**
 * Real `toyrrent daemon` processes for the chaos test: start one on loopback
 * with free ports and parse its printed peer id, listen addresses and API
 * address; kill, pause, resume, stop and restart it on the same data dir.
 *
 * Every process started here is in one registry so that `killAllSync()` can
 * end them all from an exit or signal handler (SIGCONT first, so a paused one
 * dies too). Nothing here sleeps for time to pass: start-up waits for the
 * `api:` line with a deadline.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

export const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url))

const registry = new Set<ChildProcess>()

const alive = (child: ChildProcess): boolean => child.exitCode == null && child.signalCode == null

/** SIGCONT then SIGKILL every daemon still running; safe in an `exit` handler. */
export function killAllSync (): void {
  for (const child of registry) {
    if (!alive(child)) continue
    try { child.kill('SIGCONT') } catch {}
    try { child.kill('SIGKILL') } catch {}
  }
}

export type NodeState = 'up' | 'down' | 'paused'

export interface NodeOptions {
  dataDir: string
  /** Extra daemon flags (--repair-interval ...). */
  args: string[]
  startTimeoutMs?: number
}

const OUTPUT_KEEP = 32_768

/** One daemon, across restarts on its data dir. */
export class ChaosNode {
  readonly name: string
  readonly dataDir: string
  state: NodeState = 'down'
  peerId = ''
  multiaddrs: string[] = []
  /** `HOST:PORT` of the API of the current process. */
  api = ''
  starts = 0
  private child?: ChildProcess
  private exited?: Promise<void>
  private output = ''
  private readonly args: string[]
  private readonly startTimeoutMs: number

  constructor (name: string, options: NodeOptions) {
    this.name = name
    this.dataDir = options.dataDir
    this.args = options.args
    this.startTimeoutMs = options.startTimeoutMs ?? 120_000
  }

  /** The last lines the daemon printed (stdout and stderr), for diagnostics. */
  tail (chars = 3000): string {
    return this.output.slice(-chars)
  }

  get pid (): number | undefined {
    return this.child?.pid
  }

  /** Start (or restart) on the data dir; resolves once the API accepts requests. */
  async start (bootstrap: string[] = []): Promise<void> {
    if (this.child != null && alive(this.child)) throw new Error(`${this.name} is already running`)
    const child = spawn(process.execPath, [MAIN, 'daemon', '--data-dir', this.dataDir,
      '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', ...this.args,
      ...bootstrap.flatMap(addr => ['--bootstrap', addr])], {
      env: { ...process.env, TOYRRENT_DATA_DIR: this.dataDir },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    registry.add(child)
    this.child = child
    this.starts++
    let stdout = ''
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEEP)
    }
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); keep(chunk) })
    child.stderr?.on('data', keep)
    this.exited = new Promise(resolve => child.once('exit', () => {
      registry.delete(child)
      if (this.child === child) this.state = 'down'
      resolve()
    }))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { fail(new Error(`${this.name} did not start within ${this.startTimeoutMs} ms\n${this.tail()}`)) }, this.startTimeoutMs)
      const check = (): void => { if (/^api: .*$/m.test(stdout)) done() }
      const onExit = (code: number | null, signal: string | null): void => { fail(new Error(`${this.name} exited with ${code ?? signal} while starting\n${this.tail()}`)) }
      const done = (): void => { cleanup(); resolve() }
      const fail = (err: Error): void => { cleanup(); if (alive(child)) child.kill('SIGKILL'); reject(err) }
      const cleanup = (): void => {
        clearTimeout(timer)
        child.stdout?.off('data', check)
        child.off('exit', onExit)
      }
      child.stdout?.on('data', check)
      child.once('exit', onExit)
      check()
    })
    const field = (name: string): string[] => [...stdout.matchAll(new RegExp(`^${name}: (.+)$`, 'gm'))].map(m => m[1])
    this.peerId = field('peer id')[0]
    this.multiaddrs = field('listening')
    this.api = field('api')[0].replace(/^http:\/\//, '')
    this.state = 'up'
  }

  /** SIGKILL and wait for the exit. */
  async kill (): Promise<void> {
    await this.signalAndWait('SIGKILL', 10_000)
  }

  /**
   * SIGTERM (graceful leave: the daemon hands its items over first) and wait
   * for the exit; SIGKILL after `timeoutMs`. True when it exited by itself.
   */
  async stop (timeoutMs = 30_000): Promise<boolean> {
    return await this.signalAndWait('SIGTERM', timeoutMs)
  }

  pause (): void {
    if (this.child == null || !alive(this.child)) throw new Error(`${this.name} is not running`)
    this.child.kill('SIGSTOP')
    this.state = 'paused'
  }

  resume (): void {
    if (this.child == null || !alive(this.child)) return
    this.child.kill('SIGCONT')
    this.state = 'up'
  }

  private async signalAndWait (signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    const child = this.child
    if (child == null || !alive(child)) { this.state = 'down'; return true }
    const paused = this.state === 'paused'
    // from now on no client picks it (a stopping daemon closes its API first)
    this.state = 'down'
    if (paused) child.kill('SIGCONT')
    child.kill(signal)
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      this.exited?.then(() => false),
      new Promise<boolean>(resolve => { timer = setTimeout(() => { resolve(true) }, timeoutMs) })
    ])
    clearTimeout(timer)
    if (timedOut === true) {
      child.kill('SIGKILL')
      await this.exited
    }
    this.state = 'down'
    return timedOut !== true
  }
}
