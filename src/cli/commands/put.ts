import { MAX_VALUE_BYTES } from '../../constants.ts'
import { checkValueSize } from '../../records/hash-item.ts'
import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { readAll, write } from '../io.ts'
import type { Command } from '../command.ts'

export const put: Command = {
  name: 'put',
  synopsis: 'put [VALUE | -] [--json]',
  summary: 'store a value (no VALUE or - reads raw bytes from stdin); prints its key',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 1 },
  async run ({ values, positionals }, io) {
    const arg = positionals[0]
    let value: Uint8Array
    if (arg == null || arg === '-') {
      if (io.stdin.isTTY === true) await write(io.stderr, 'reading the value from stdin; end it with Ctrl-D\n')
      value = await readAll(io.stdin, MAX_VALUE_BYTES)
    } else {
      value = new TextEncoder().encode(arg)
    }
    checkValueSize(value)
    const client = await connect(values, io.env)
    const result = await client.put(value)
    await write(io.stdout, values.json === true ? `${JSON.stringify(result)}\n` : `${result.cid}\n`)
    return 0
  }
}
