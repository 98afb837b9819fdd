import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const id: Command = {
  name: 'id',
  synopsis: 'id [--json]',
  summary: "the daemon's peer id, key-space position and listen addresses",
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    const info = await (await connect(values, io.env)).id()
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(info)}\n`)
    } else {
      const lines = [`peer id: ${info.peerId}`, `position: ${info.position}`, ...info.multiaddrs.map(ma => `listening: ${ma}`), `mode: ${info.mode}, reachability ${info.reachability}`]
      await write(io.stdout, lines.join('\n') + '\n')
    }
    return 0
  }
}
