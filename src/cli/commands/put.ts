import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { readValueArg, write } from '../io.ts'
import type { Command } from '../command.ts'

export const put: Command = {
  name: 'put',
  synopsis: 'put [VALUE | -] [--json]',
  summary: 'store a value (no VALUE or - reads raw bytes from stdin); prints its key',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 1 },
  async run ({ values, positionals }, io) {
    const value = await readValueArg(positionals[0], io)
    const client = await connect(values, io.env)
    const result = await client.put(value)
    await write(io.stdout, values.json === true ? `${JSON.stringify(result)}\n` : `${result.cid}\n`)
    return 0
  }
}
