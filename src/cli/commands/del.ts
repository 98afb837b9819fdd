import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { write } from '../io.ts'
import { finalSeqWarning, loadKey, publishedText, saltOf, seqFlags, signAndPublish, SIGNING_OPTIONS } from '../publishing.ts'
import type { Command } from '../command.ts'

export const del: Command = {
  name: 'del',
  synopsis: 'del --key FILE [--salt TEXT] [--cas SEQ] [--seq SEQ] [--json]',
  summary: 'publish a signed tombstone with a higher seq: the id reads as deleted and no older value can come back; prints ID SEQ',
  options: { ...CLIENT_OPTIONS, ...SIGNING_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    seqFlags(values)
    const salt = saltOf(values)
    const privateKey = await loadKey(values)
    const warning = finalSeqWarning(values)
    if (warning != null) await write(io.stderr, warning)
    const result = await signAndPublish(await connect(values, io.env), { privateKey, salt, deleted: true }, values)
    await write(io.stdout, publishedText(result, values.json === true))
    return 0
  }
}
