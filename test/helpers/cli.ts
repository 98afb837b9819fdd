/**
 * Run the real `toyrrent` binary: one-shot client commands and daemon
 * processes whose printed peer id, addresses and API address are parsed from
 * stdout. No sleeps: everything waits for a condition with a deadline.
 */
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import type { ChildProcess } from 'node:child_process'

export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: Buffer
  stderr: string
}

export interface RunOptions {
  input?: Uint8Array | string
  env?: NodeJS.ProcessEnv
}

/** Run `toyrrent ...args` to completion. */
export async function toyrrent (args: string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, TOYRRENT_DATA_DIR: '/nonexistent/toyrrent-test', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  child.stdin.on('error', () => {}) // the command may exit before reading all of it
  child.stdin.end(options.input ?? '')
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  return { code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') }
}

export interface DaemonProcess {
  child: ChildProcess
  dataDir: string
  peerId: string
  multiaddrs: string[]
  /** `HOST:PORT` of the API. */
  api: string
  output(): string
  /** Send a signal and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Start `toyrrent daemon` on loopback with free ports; resolves once it printed its API address.
 * `stdin: 'pipe'` (for --console) leaves `child.stdin` open for the test to write to;
 * `listen` replaces the free loopback port (a node that must come back at the same address).
 */
export async function startDaemonProcess (dataDir: string, extraArgs: string[] = [], timeoutMs = 20_000, options: { stdin?: 'ignore' | 'pipe', listen?: string } = {}): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [MAIN, 'daemon', '--data-dir', dataDir, '--listen', options.listen ?? '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', ...extraArgs], {
    env: { ...process.env, TOYRRENT_DATA_DIR: '/nonexistent/toyrrent-test' },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] as ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  // both streams in the order they arrived: a log line on stderr must not shift what came before
  let both = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); both += chunk.toString('utf8') })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); both += chunk.toString('utf8') })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  // TOYRRENT_TEST_DAEMON_LOGS=DIR keeps every daemon's output (with DEBUG=toyrrent:*, its log) in DIR/<pid>.log, to read after a failure
  const logDir = process.env.TOYRRENT_TEST_DAEMON_LOGS
  if (logDir != null && logDir !== '') {
    const file = createWriteStream(join(logDir, `${child.pid}.log`), { flags: 'a' })
    file.write(`${new Date().toISOString()} daemon --data-dir ${dataDir} ${extraArgs.join(' ')}\n`)
    child.stdout.pipe(file)
    child.stderr.pipe(file)
  }

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { fail(new Error(`daemon did not start within ${timeoutMs} ms\n${stdout}\n${stderr}`)) }, timeoutMs)
    const check = (): void => { if (/^api: .*$/m.test(stdout)) done() }
    const onExit = (code: number | null): void => { fail(new Error(`daemon exited with ${code}\n${stdout}\n${stderr}`)) }
    const done = (): void => { cleanup(); resolve() }
    const fail = (err: Error): void => { cleanup(); child.kill('SIGKILL'); reject(err) }
    const cleanup = (): void => {
      clearTimeout(timer)
      child.stdout.off('data', check)
      child.off('exit', onExit)
    }
    child.stdout.on('data', check)
    child.once('exit', onExit)
  })

  const field = (name: string): string[] => [...stdout.matchAll(new RegExp(`^${name}: (.+)$`, 'gm'))].map(m => m[1])
  return {
    child,
    dataDir,
    peerId: field('peer id')[0],
    multiaddrs: field('listening'),
    api: field('api')[0].replace(/^http:\/\//, ''),
    output: () => both,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode == null && child.signalCode == null) child.kill(signal)
      return await exited
    }
  }
}

/** A loopback port nothing listens on (bound, then released). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

import { waitFor } from './wait.ts'

export { waitFor }

/** Two daemon processes under `root`, the second bootstrapped from the first and connected to it. */
export async function startDaemonPair (root: string): Promise<[DaemonProcess, DaemonProcess]> {
  const a = await startDaemonProcess(join(root, 'a'))
  const b = await startDaemonProcess(join(root, 'b'), ['--bootstrap', a.multiaddrs[0]])
  const client = new ToyrrentClient(b.api)
  await waitFor('b to connect to a', async () => (await client.peers()).peers.some(p => p.peerId === a.peerId))
  return [a, b]
}
