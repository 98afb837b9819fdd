import { ToyrrentError } from '../../errors.ts'
import { parsePublishId } from '../../records/publish-id.ts'
import { toHex } from '../../api/types.ts'
import { asUsage, CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const resolve: Command = {
  name: 'resolve',
  synopsis: 'resolve ID [--json]',
  summary: 'write the value published under ID (64 hex) to stdout, checking its signature; --json: the whole record',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 1, max: 1 },
  async run ({ values, positionals }, io) {
    const id = asUsage(() => parsePublishId(positionals[0]))
    const json = await (await connect(values, io.env)).resolve(toHex(id))
    // the daemon is not trusted with the answer: the signature is checked here
    const { verifyPublishRecord } = await import('../../records/publish-record.ts')
    const { recordFromJson } = await import('../../api/record-json.ts')
    const verdict = await verifyPublishRecord(id, recordFromJson(json))
    if (verdict !== 'ok' || json.id !== toHex(id)) {
      throw new ToyrrentError(`the daemon answered with a record for ${toHex(id)} that does not verify (${verdict === 'ok' ? 'id-mismatch' : verdict})`)
    }
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(json)}\n`)
      return 0
    }
    if (json.deleted) {
      await write(io.stderr, `${json.id}: deleted (seq ${json.seq})\n`)
      return 1
    }
    await write(io.stdout, Buffer.from(json.value, 'base64'))
    return 0
  }
}
