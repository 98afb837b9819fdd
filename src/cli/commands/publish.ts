import { CLIENT_OPTIONS, JSON_OPTION } from '../args.ts'
import { connect } from '../connect.ts'
import { readValueArg, write } from '../io.ts'
import { finalSeqWarning, loadKey, publishedText, saltOf, seqFlags, signAndPublish, SIGNING_OPTIONS } from '../publishing.ts'
import type { Command } from '../command.ts'

export const publish: Command = {
  name: 'publish',
  synopsis: 'publish --key FILE [--salt TEXT] [--cas SEQ] [--seq SEQ] [--json] [VALUE | -]',
  summary: 'sign VALUE (none or -: stdin) here with the key and publish it; prints ID SEQ. --cas SEQ: only if the network holds SEQ (0: nothing yet)',
  options: { ...CLIENT_OPTIONS, ...SIGNING_OPTIONS, ...JSON_OPTION },
  positionals: { min: 0, max: 1 },
  async run ({ values, positionals }, io) {
    // every local check before anything is read from stdin or sent
    seqFlags(values)
    const salt = saltOf(values)
    const privateKey = await loadKey(values)
    const warning = finalSeqWarning(values)
    if (warning != null) await write(io.stderr, warning)
    const value = await readValueArg(positionals[0], io)
    const result = await signAndPublish(await connect(values, io.env), { privateKey, salt, value }, values)
    await write(io.stdout, publishedText(result, values.json === true))
    return 0
  }
}
