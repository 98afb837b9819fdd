import { toHex } from '../../api/types.ts'
import { JSON_OPTION, UsageError } from '../args.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const keygen: Command = {
  name: 'keygen',
  synopsis: 'keygen --out FILE [--json]',
  summary: 'make an Ed25519 key for publish/del in a new file (mode 0600, never overwritten); prints the id it publishes under with no salt',
  options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...JSON_OPTION },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    if (typeof values.out !== 'string') throw new UsageError('--out FILE is required')
    const { generateKeyPair } = await import('@libp2p/crypto/keys')
    const { writeKeyFile } = await import('../../key-file.ts')
    const { publishId } = await import('../../records/publish-record.ts')
    const privateKey = await generateKeyPair('Ed25519')
    await writeKeyFile(values.out, privateKey)
    const id = toHex(publishId(privateKey.publicKey.raw))
    await write(io.stdout, values.json === true
      ? `${JSON.stringify({ id, publicKey: toHex(privateKey.publicKey.raw) })}\n`
      : `${id}\n`)
    return 0
  }
}
