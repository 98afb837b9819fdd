import { parseKey } from '../../records/hash-item.ts'
import { toHex } from '../../api/types.ts'
import { asUsage, CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const holders: Command = {
  name: 'holders',
  synopsis: 'holders KEY [--json]',
  summary: 'which of the R nearest live nodes to KEY hold it, and any other holder met on the way',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 1, max: 1 },
  async run ({ values, positionals }, io) {
    const key = asUsage(() => parseKey(positionals[0]))
    const result = await (await connect(values, io.env)).holders(toHex(key))
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(result)}\n`)
      return 0
    }
    const lines = [`${result.holding} of ${result.replicas} nearest live nodes hold ${result.key}`]
    for (const h of result.replicaSet) lines.push(`${h.peerId} ${h.holds ? 'holds' : 'missing'}`)
    for (const peer of result.otherHolders) lines.push(`${peer} holds (not among the nearest)`)
    await write(io.stdout, lines.join('\n') + '\n')
    return 0
  }
}
