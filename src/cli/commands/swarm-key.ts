import { open } from 'node:fs/promises'
import { generateSwarmKey } from '../../swarm-key.ts'
import { ToyrrentError } from '../../errors.ts'
import { write } from '../io.ts'
import type { Command } from '../command.ts'

export const swarmKey: Command = {
  name: 'swarm-key',
  synopsis: 'swarm-key [--out FILE] [--force]',
  summary: 'make a private-network key (give every member `daemon --swarm-key FILE`); written mode 0600, or to stdout',
  options: {
    out: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  },
  positionals: { min: 0, max: 0 },
  async run ({ values }, io) {
    const key = generateSwarmKey()
    if (typeof values.out !== 'string') {
      await write(io.stdout, key)
      return 0
    }
    let file
    try {
      // created 0600 from the start: the key is the network's only secret
      file = await open(values.out, values.force === true ? 'w' : 'wx', 0o600)
    } catch (err) {
      // as keygen: an existing file is a failed operation (exit 1), not a wrong command line
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ToyrrentError(`${values.out} exists; pass --force to replace it`)
      throw err
    }
    try {
      await file.chmod(0o600)
      await file.writeFile(key)
    } finally {
      await file.close()
    }
    await write(io.stdout, `wrote a swarm key to ${values.out}\n`)
    return 0
  }
}
