import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const peers: Command = {
  name: 'peers',
  synopsis: 'peers [--json]',
  summary: 'the connected peers, one per line: peer id and the address it listens on; --json: all its addresses and the latency',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    const { peers } = await (await connect(values, io.env)).peers()
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(peers)}\n`)
    } else {
      // one line per peer: where it listens (the first address; --json has them all)
      await write(io.stdout, peers.map(peer => `${peer.peerId} ${peer.multiaddrs[0] ?? ''}\n`).join(''))
    }
    return 0
  }
}
