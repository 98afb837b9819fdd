/**
 * A real toyrrent daemon inside one of the lab's namespaces, driven with the
 * real CLI run in the same namespace (its API listens on that namespace's
 * loopback, which nothing outside it can reach).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sh } from './netns.ts'
import type { ChildProcess } from 'node:child_process'
import type { Lab } from './netns.ts'

const CLI = resolve(import.meta.dirname, '../../src/cli/main.js')

export interface ModeLine { reachability: string, mode: string, afterMs: number }

export class LabNode {
  readonly name: string
  readonly ns: string
  readonly ip: string
  peerId = ''
  /** Every "reachability X, mode Y (after N ms)" line the daemon printed. */
  readonly modeLines: ModeLine[] = []
  stdout = ''
  stderr = ''
  private child?: ChildProcess
  private dataDir = ''
  private readonly lab: Lab

  constructor (lab: Lab, ns: string, ip: string, name = ns) {
    this.lab = lab
    this.ns = ns
    this.ip = ip
    this.name = name
  }

  /** Start `toyrrent daemon` with these flags; resolves once it printed its peer id and API line. */
  async start (flags: string[]): Promise<void> {
    this.dataDir = await mkdtemp(join(tmpdir(), `toyrrent-lab-${this.name}-`))
    const args = ['netns', 'exec', this.lab.ns(this.ns), process.execPath, CLI, 'daemon', '--data-dir', this.dataDir, '--leave-timeout', '0', ...flags]
    const child = this.child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.setEncoding('utf8').on('data', (d: string) => { this.stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d
      for (const m of d.matchAll(/reachability (\w+), mode (\w+) \(after (\d+) ms\)/g)) this.modeLines.push({ reachability: m[1], mode: m[2], afterMs: Number(m[3]) })
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${this.name}: daemon did not start in 30 s\n${this.stdout}\n${this.stderr}`)) }, 30_000)
      const check = (): void => {
        const id = /peer id: (\S+)/.exec(this.stdout)?.[1]
        if (id != null && this.stdout.includes('api: http://')) {
          this.peerId = id
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout.on('data', check)
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`${this.name}: daemon exited with ${code}\n${this.stdout}\n${this.stderr}`)) })
    })
  }

  /** Run the toyrrent CLI against this daemon, inside its namespace. */
  async cli (...args: string[]): Promise<string> {
    return sh('ip', ['netns', 'exec', this.lab.ns(this.ns), process.execPath, CLI, args[0], '--data-dir', this.dataDir, ...args.slice(1)])
  }

  /** A CLI command that talks to no daemon (keygen). */
  async tool (...args: string[]): Promise<string> {
    return sh('ip', ['netns', 'exec', this.lab.ns(this.ns), process.execPath, CLI, ...args])
  }

  async json<T = any> (...args: string[]): Promise<T> {
    return JSON.parse(await this.cli(...args, '--json')) as T
  }

  /** A GET on the daemon's HTTP API (routes the CLI has no command for, such as /v1/table). */
  async api<T = any> (path: string): Promise<T> {
    const hostPort = (await readFile(join(this.dataDir, 'api'), 'utf8')).trim()
    return JSON.parse(await sh('ip', ['netns', 'exec', this.lab.ns(this.ns), 'curl', '-sf', '--max-time', '20', `http://${hostPort}${path}`])) as T
  }

  addr (transport: 'tcp' | 'quic' = 'tcp', port = 4001): string {
    return transport === 'tcp' ? `/ip4/${this.ip}/tcp/${port}/p2p/${this.peerId}` : `/ip4/${this.ip}/udp/${port}/quic-v1/p2p/${this.peerId}`
  }

  async stop (): Promise<void> {
    const child = this.child
    if (child != null && child.exitCode == null) {
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    if (this.dataDir !== '') await rm(this.dataDir, { recursive: true, force: true })
  }
}

/**
 * Poll `check` every `everyMs` until it returns true, failing after `timeoutMs`
 * (the lab's checks start processes in namespaces, so they poll slowly).
 */
export async function eventually (what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs)) // poll interval, not a wait for time to pass
  }
}
