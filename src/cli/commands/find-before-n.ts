import { DEFAULT_FIND_N, MAX_FIND_N } from '../../constants.ts'
import { parseKey } from '../../records/hash-item.ts'
import { toHex } from '../../api/types.ts'
import { asUsage, CLIENT_OPTIONS, JSON_OPTION, parseInteger } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const findBeforeN: Command = {
  name: 'find-before-n',
  synopsis: `find-before-n ID [N] [--json]`,
  summary: `the N (default ${DEFAULT_FIND_N}, at most ${MAX_FIND_N}) nodes nearest to ID (a CID or 64 hex characters), nearest first: peer id and XOR distance`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 1, max: 2 },
  async run ({ values, positionals }, io) {
    const target = asUsage(() => parseKey(positionals[0]))
    const n = positionals[1] == null ? undefined : parseInteger(positionals[1], 'N', 1, MAX_FIND_N)
    const { peers } = await (await connect(values, io.env)).findBeforeN(toHex(target), n)
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(peers)}\n`)
    } else {
      await write(io.stdout, peers.map(peer => `${peer.peerId} ${peer.distance}\n`).join(''))
    }
    return 0
  }
}
