import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const stats: Command = {
  name: 'stats',
  synopsis: 'stats [--json]',
  summary: 'items and bytes held, peers known, replica health as of the last repair round, estimated network size, inbound queue',
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
      ...(s.pinnedBytes == null ? [] : [`pinned: ${s.pinned} items, ${s.pinnedBytes} bytes`]),
      `peers in table: ${s.peers}`,
      `replicas (R): ${s.replicas}`,
      ...(s.writeQuorum == null ? [] : [`write quorum (W): ${s.writeQuorum}; forwarded puts: ${s.forwardPuts === true ? 'on' : 'off'}`]),
      `responsible for: ${r.responsible}`,
      `items under R copies: ${r.underReplicated}`,
      `items over R copies: ${r.overReplicated}`,
      `last repair round: ${last}`,
      `repair totals: ${r.rounds} rounds, ${r.pushed} pushed, ${r.dropped} dropped${r.republished != null ? `, ${r.republished} republished` : ''}`,
      ...(s.unreadable?.dropped > 0 ? [`unreadable on disk: ${s.unreadable.dropped} item(s) dropped since start; pinned ones fetched again: ${s.unreadable.restored}, not: ${s.unreadable.failed}`] : []),
      ...networkLines(s.network),
      ...((s as any).mode == null ? [] : [`mode: ${(s as any).mode}, reachability ${(s as any).reachability}`])
    ]
    await write(io.stdout, lines.join('\n') + '\n')
    return 0
  }
}

/** `~11 nodes (±6: likely 6 to 19, from the 4 nearest peers)`: the fewer peers, the wider. */
export function sizeText (size: { estimate: number, peers: number, low?: number, high?: number | null, plusMinus?: number | null }): string {
  const estimate = `~${Math.round(size.estimate)} nodes`
  if (size.peers === 0) return `${estimate} (no peers known)`
  if (size.low == null) return `${estimate} (from the ${size.peers} nearest peers)`
  if (size.high == null) return `${estimate} (at least ${size.low}; one peer says nothing about the upper end)`
  return `${estimate} (±${size.plusMinus}: likely ${size.low} to ${size.high}, from the ${size.peers} nearest peers)`
}

/** The network as the node sees it (hardening: size estimate, table bands, inbound queue). */
function networkLines (n: any): string[] {
  if (n == null) return []
  return [
    `distance bands in table: ${n.tableBands}`,
    `network size: ${sizeText(n.networkSize)}`,
    `inbound queue: ${n.inbound.running} running, ${n.inbound.queued} waiting, ${n.inbound.refused} refused busy, ${n.inbound.done} done`,
    ...(n.departed?.length > 0 ? [`kept out after their leave: ${n.departed.length} peer(s), until they connect anew`] : [])
  ]
}
