/**
 * The daemon's data directory: where it is, the `api` file that tells client
 * commands where the API listens, and the `lock` file that keeps a second
 * daemon off the same directory.
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { ToyrrentError } from '../errors.ts'

// node:fs, whose `promises` is loaded only when a daemon-side function runs:
// client commands read just the `api` file here, and loading fs/promises
// (readline with it) would cost them more than the read. Not `import from`:
// the ESM facade of node:fs reads every export, fs.promises included.
const fs = process.getBuiltinModule('node:fs')

/** `$TOYRRENT_DATA_DIR`, else `~/.toyrrent`. */
export function defaultDataDir (env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TOYRRENT_DATA_DIR
  return resolve(fromEnv != null && fromEnv !== '' ? fromEnv : join(homedir(), '.toyrrent'))
}

export const API_FILE = 'api'
export const LOCK_FILE = 'lock'

/** A daemon already holds this data directory. */
export class DataDirLockedError extends ToyrrentError {
  static override name = 'DataDirLockedError'
  override name = 'DataDirLockedError'
  override code = 'data-dir-locked'
}

export async function ensureDataDir (dataDir: string): Promise<void> {
  await fs.promises.mkdir(dataDir, { recursive: true, mode: 0o700 })
}

/** The `HOST:PORT` a running daemon wrote, or undefined when there is none. */
export async function readApiFile (dataDir: string): Promise<string | undefined> {
  try {
    const text = (await new Promise<string>((resolve, reject) => {
      fs.readFile(join(dataDir, API_FILE), 'utf8', (err, data) => { err == null ? resolve(data) : reject(err) })
    })).trim()
    return text === '' ? undefined : text
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export async function writeApiFile (dataDir: string, hostPort: string): Promise<void> {
  const handle = await fs.promises.open(join(dataDir, API_FILE), 'w', 0o600)
  try {
    await handle.writeFile(`${hostPort}\n`)
  } finally {
    await handle.close()
  }
}

export async function removeApiFile (dataDir: string): Promise<void> {
  await fs.promises.rm(join(dataDir, API_FILE), { force: true })
}

/**
 * Take the data directory for this process: create `lock` holding our pid. A
 * lock whose process is gone (a crash) is taken over; a live one is refused.
 * Returns the release function.
 */
export async function lockDataDir (dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.promises.open(path, 'wx', 0o600)
      await handle.writeFile(`${process.pid}\n`)
      await handle.close()
      return async () => { await fs.promises.rm(path, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const pid = Number((await fs.promises.readFile(path, 'utf8').catch(() => '')).trim())
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new DataDirLockedError(`another toyrrent daemon (pid ${pid}) is already using ${dataDir}; stop it first or pick another --data-dir`)
    }
    await fs.promises.rm(path, { force: true })
  }
  throw new DataDirLockedError(`could not lock ${dataDir}: another daemon is starting on it`)
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
