import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const stats: Command = {
  name: 'stats',
  synopsis: 'stats [--json]',
  summary: 'items and bytes held, peers known, and replica health as of the last repair round',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    const s = await (await connect(values, io.env)).stats()
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(s)}\n`)
      return 0
    }
    const r = s.repair
    const last = r.lastRoundAt === 0 ? 'none yet' : `${new Date(r.lastRoundAt).toISOString()} (${r.lastRoundMs} ms, ${r.lastRoundBytes} bytes)`
    const lines = [
      `items: ${s.items} (${s.bytes} bytes, ${s.pinned} pinned)`,
      `peers in table: ${s.peers}`,
      `replicas (R): ${s.replicas}`,
      `responsible for: ${r.responsible}`,
      `items under R copies: ${r.underReplicated}`,
      `items over R copies: ${r.overReplicated}`,
      `last repair round: ${last}`,
      `repair totals: ${r.rounds} rounds, ${r.pushed} pushed, ${r.dropped} dropped`
    ]
    await write(io.stdout, lines.join('\n') + '\n')
    return 0
  }
}
