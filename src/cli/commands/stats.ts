import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import { ApiError, DaemonNotRunningError } from '../../api/client.ts'
import type { Command } from '../command.ts'
import type { StatsResponse } from '../../api/routes/stats.ts'

export const stats: Command = {
  name: 'stats',
  synopsis: 'stats [--json]',
  summary: 'items and bytes held, routing table, estimated network size, inbound queue',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    const client = await connect(values, io.env)
    let res: Response
    try {
      res = await fetch(`http://${client.address}/v1/stats`, { signal: AbortSignal.timeout(10_000) })
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') throw new DaemonNotRunningError(`no daemon is running at ${client.address} (start one with \`toyrrent daemon\`)`)
      throw err
    }
    if (!res.ok) throw new ApiError(`the daemon at ${client.address} answered ${res.status} ${res.statusText}`, 'http-error', res.status)
    const s = await res.json() as StatsResponse
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(s)}\n`)
      return 0
    }
    const lines = [
      `peer id: ${s.peerId}`,
      `items: ${s.items} (${s.bytes} bytes)`,
      `connections: ${s.connections}`,
      `routing table: ${s.tablePeers} peers in ${s.bands} distance bands`,
      `network size: ~${s.networkSize.estimate} nodes (from the ${s.networkSize.peers} nearest peers)`,
      `inbound queue: ${s.inbound.running} running, ${s.inbound.queued} waiting, ${s.inbound.refused} refused busy, ${s.inbound.done} done`
    ]
    await write(io.stdout, lines.join('\n') + '\n')
    return 0
  }
}
