import { stat as statPath } from 'node:fs/promises'
import { CLIENT_OPTIONS, JSON_OPTION, UsageError } from '../args.ts'
import { write } from '../io.ts'
import { filesClient, fileStream, progressFor, PROGRESS_OPTIONS, readSource } from '../../files/cli.ts'
import type { Command } from '../command.ts'

export const importCar: Command = {
  name: 'import',
  synopsis: 'import FILE.car | - [--json] [--quiet] [--progress]',
  summary: 'store every block of a CAR file (verified, pinned here) and pin its roots; prints the root CIDs',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION, ...PROGRESS_OPTIONS },
  positionals: { min: 0, max: 1 },
  async run ({ values, positionals }, io) {
    const path = positionals[0] ?? '-'
    let total: number | undefined
    if (path !== '-') {
      const info = await statPath(path).catch((err: NodeJS.ErrnoException) => { throw new UsageError(`cannot read ${path}: ${err.code ?? err.message}`) })
      if (!info.isFile()) throw new UsageError(`${path} is not a file`)
      total = info.size
    }
    const client = await filesClient(values, io)
    const progress = progressFor(values, io, 'import', total)
    const result = await client.importCar(readSource(path === '-' ? io.stdin : fileStream(path), path === '-' ? 'stdin' : path, progress))
    progress?.finish()
    await write(io.stdout, values.json === true ? `${JSON.stringify(result)}\n` : result.roots.map(r => `${r}\n`).join(''))
    return 0
  }
}
