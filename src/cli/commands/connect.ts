import { CLIENT_OPTIONS, JSON_OPTION, UsageError } from '../args.ts'
import { connect as connectToDaemon } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const connect: Command = {
  name: 'connect',
  synopsis: 'connect MULTIADDR [--json]',
  summary: 'have the running daemon dial MULTIADDR (e.g. /ip4/192.168.1.10/tcp/4001/p2p/12D3KooW...) and join the network through it',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 1, max: 1 },
  async run ({ values, positionals }, io) {
    const addr = positionals[0]
    const { multiaddr } = await import('@multiformats/multiaddr')
    try {
      multiaddr(addr)
    } catch (err) {
      throw new UsageError(`"${addr}" is not a multiaddr: ${(err as Error).message}`)
    }
    const result = await (await connectToDaemon(values, io.env)).connect(addr)
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(result)}\n`)
    } else {
      const what = result.joined ? 'joined' : 'connected, but it is not in the routing table (does it run toyrrent?)'
      await write(io.stdout, `${result.peerId} ${what}; ${result.peers} peers in the routing table\n`)
    }
    return 0
  }
}
