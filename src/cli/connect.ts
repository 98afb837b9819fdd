/**
 * Which daemon a client command talks to: `--api HOST:PORT`, else the `api`
 * file of `--data-dir DIR`, else that of the default data dir, else the
 * default API address.
 */
import { ToyrrentClient } from '../api/client.ts'
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from '../api/defaults.ts'
import { DaemonNotRunningError } from '../api/client.ts'
import { defaultDataDir, readApiFile } from '../daemon/data-dir.ts'
import { parseHostPort } from './args.ts'
import type { OptionValues } from './args.ts'
import { resolve } from 'node:path'

export async function connect (values: OptionValues, env: NodeJS.ProcessEnv): Promise<ToyrrentClient> {
  if (typeof values.api === 'string') {
    parseHostPort(values.api)
    return new ToyrrentClient(values.api)
  }
  if (typeof values['data-dir'] === 'string') {
    const dataDir = resolve(values['data-dir'])
    const address = await readApiFile(dataDir)
    if (address == null) {
      throw new DaemonNotRunningError(`no daemon is running on ${dataDir} (start one with \`toyrrent daemon --data-dir ${dataDir}\`)`)
    }
    return new ToyrrentClient(address)
  }
  const address = await readApiFile(defaultDataDir(env))
  return new ToyrrentClient(address ?? `${DEFAULT_API_HOST}:${DEFAULT_API_PORT}`)
}
