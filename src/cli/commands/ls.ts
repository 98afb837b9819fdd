import { CLIENT_OPTIONS, JSON_OPTION, asUsage } from '../args.ts'
import { write } from '../io.ts'
import { filesClient } from '../../files/cli.ts'
import { parseCid } from '../../files/blocks.ts'
import type { Command } from '../command.ts'
import type { ListResponse } from '../../files/http-client.ts'

export const ls: Command = {
  name: 'ls',
  synopsis: 'ls CID[/PATH] [--json]',
  summary: 'list a directory: one line per entry (CID, size in bytes, name; directories end in /)',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: { min: 1, max: 1 },
  async run ({ values, positionals }, io) {
    const path = positionals[0]
    asUsage(() => parseCid(path.split('/')[0]))
    const client = await filesClient(values, io)
    const res = await client.get(path)
    let listing: ListResponse
    if (/json/.test(res.headers['content-type'] ?? '')) {
      listing = await res.json() as ListResponse
    } else {
      // a file lists as itself, as `ipfs ls` of a file names its one entry
      res.body.destroy()
      const cid = (res.headers.etag ?? '').replace(/"/g, '')
      listing = { cid, type: 'directory', entries: [{ name: path.split('/').pop() ?? path, cid, type: 'file', size: Number(res.headers['content-length']) }] }
    }
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(listing)}\n`)
      return 0
    }
    await write(io.stdout, listing.entries.map(e => `${e.cid}\t${e.type === 'directory' ? '-' : e.size}\t${e.name}${e.type === 'directory' ? '/' : ''}\n`).join(''))
    return 0
  }
}
