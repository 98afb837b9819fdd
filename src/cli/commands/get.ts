import { CLIENT_OPTIONS } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import { keyHex } from '../key-text.ts'
import type { Command } from '../command.ts'

export const get: Command = {
  name: 'get',
  synopsis: 'get KEY',
  summary: 'write the exact bytes stored under KEY (a CID or 64 hex characters) to stdout',
  options: { ...CLIENT_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run ({ values, positionals }, io) {
    const key = await keyHex(positionals[0])
    const client = await connect(values, io.env)
    await write(io.stdout, await client.get(key))
    return 0
  }
}
