import { CLIENT_OPTIONS, JSON_OPTION, UsageError, asUsage } from '../args.ts'
import { write } from '../io.ts'
import { filesClient } from '../../files/cli.ts'
import { parseCid } from '../../files/blocks.ts'
import type { Command } from '../command.ts'

export const pin: Command = {
  name: 'pin',
  synopsis: 'pin ls | add CID | rm CID [--json]',
  summary: 'pins on this node: list them, fetch and keep a whole DAG, or unpin one (its blocks then expire like others\')',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 1, max: 2 },
  async run ({ values, positionals }, io) {
    const [action, arg] = positionals
    const json = values.json === true
    if (action === 'ls') {
      if (arg != null) throw new UsageError(`unexpected argument "${arg}"`)
      const pins = await (await filesClient(values, io)).pins()
      await write(io.stdout, json ? `${JSON.stringify({ pins })}\n` : pins.map(p => `${p.cid}\t${p.type}\t${p.blocks} blocks\t${p.bytes} bytes${p.name == null ? '' : `\t${p.name}`}\n`).join(''))
      return 0
    }
    if (action !== 'add' && action !== 'rm') throw new UsageError(`unknown pin action "${action}"; use ls, add CID or rm CID`)
    if (arg == null) throw new UsageError(`pin ${action} needs a CID`)
    const cid = asUsage(() => parseCid(arg)).toString()
    const client = await filesClient(values, io)
    if (action === 'add') {
      const record = await client.pinAdd(cid)
      await write(io.stdout, json ? `${JSON.stringify(record)}\n` : `pinned ${record.cid} (${record.blocks} blocks, ${record.bytes} bytes)\n`)
    } else {
      const result = await client.pinRm(cid)
      await write(io.stdout, json ? `${JSON.stringify(result)}\n` : `unpinned ${result.cid} (${result.unpinned} blocks)\n`)
    }
    return 0
  }
}
