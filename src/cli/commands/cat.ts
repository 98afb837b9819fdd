import { CLIENT_OPTIONS, asUsage } from '../args.ts'
import { filesClient, pipeBody, progressFor, PROGRESS_OPTIONS } from '../../files/cli.ts'
import { parseCid } from '../../files/blocks.ts'
import { ToyrrentError } from '../../errors.ts'
import type { Command } from '../command.ts'

/** Times a cut stream is taken up again from the byte it reached (a Range request) before cat gives up. */
const RESUMES = 2

export const cat: Command = {
  name: 'cat',
  synopsis: 'cat CID[/PATH] [--quiet] [--progress]',
  summary: 'write the exact bytes of a file (from any node) to stdout; a progress bar on stderr when it is a terminal',
  options: { ...CLIENT_OPTIONS, ...PROGRESS_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run ({ values, positionals }, io) {
    const path = positionals[0]
    asUsage(() => parseCid(path.split('/')[0]))
    const client = await filesClient(values, io)
    let res = await client.get(path)
    if (/json/.test(res.headers['content-type'] ?? '')) {
      res.body.destroy()
      throw new ToyrrentError(`${path} is a directory; list it with \`toyrrent ls ${path}\``)
    }
    const total = Number(res.headers['content-length'])
    const progress = progressFor(values, io, 'cat', Number.isFinite(total) ? total : undefined)
    let written = 0
    for (let resume = 0; ; resume++) {
      try {
        written += await pipeBody(res.body, io.stdout, progress)
      } catch (err: any) {
        // the daemon cuts a stream it cannot finish; asking again from here gets either the rest or the reason
        if (resume >= RESUMES || io.stdout.destroyed) throw err
      }
      if (!Number.isFinite(total) || written >= total) break
      res = await client.get(path, { from: written })
    }
    progress?.finish()
    if (Number.isFinite(total) && written !== total) throw new ToyrrentError(`got ${written} of ${total} bytes of ${path}`)
    return 0
  }
}
