import { CLIENT_OPTIONS, UsageError, asUsage } from '../args.ts'
import { filesClient, pipeBody, progressFor, PROGRESS_OPTIONS } from '../../files/cli.ts'
import { parseCid } from '../../files/blocks.ts'
import type { Command } from '../command.ts'

export const exportCar: Command = {
  name: 'export',
  synopsis: 'export CID [--quiet] [--progress] > FILE.car',
  summary: 'write the whole DAG under CID (a file or directory) to stdout as a CAR file',
  options: { ...CLIENT_OPTIONS, ...PROGRESS_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run ({ values, positionals }, io) {
    const cid = asUsage(() => parseCid(positionals[0])).toString()
    if ((io.stdout as { isTTY?: boolean }).isTTY === true) throw new UsageError('refusing to write a CAR file to a terminal; redirect stdout (toyrrent export CID > f.car)')
    const client = await filesClient(values, io)
    const res = await client.exportCar(cid)
    const progress = progressFor(values, io, 'export')
    await pipeBody(res.body, io.stdout, progress)
    progress?.finish()
    return 0
  }
}
