import { CLIENT_OPTIONS } from '../args.ts'
import { connect } from '../connect.ts'
import { readValueArg, write } from '../io.ts'
import { loadKey, saltOf, seqFlags, signAndPublish, SIGNING_OPTIONS } from '../publishing.ts'
import type { Command } from '../command.ts'

export const publish: Command = {
  name: 'publish',
  synopsis: 'publish --key FILE [--salt TEXT] [--cas SEQ] [--seq SEQ] [VALUE | -]',
  summary: 'sign VALUE (none or -: stdin) here with the key and publish it; prints ID SEQ. --cas SEQ: only if the network holds SEQ (0: nothing yet)',
  options: { ...CLIENT_OPTIONS, ...SIGNING_OPTIONS },
  positionals: { min: 0, max: 1 },
  async run ({ values, positionals }, io) {
    // every local check before anything is read from stdin or sent
    seqFlags(values)
    const salt = saltOf(values)
    const privateKey = await loadKey(values)
    const value = await readValueArg(positionals[0], io)
    const result = await signAndPublish(await connect(values, io.env), { privateKey, salt, value }, values)
    await write(io.stdout, `${result.id} ${result.seq}\n`)
    return 0
  }
}
