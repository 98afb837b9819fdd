import { stat as statPath, readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { CLIENT_OPTIONS, JSON_OPTION, UsageError } from '../args.ts'
import { write } from '../io.ts'
import { filesClient, fileStream, progressFor, PROGRESS_OPTIONS, readSource } from '../../files/cli.ts'
import { importDirectory } from '../../files/importer.ts'
import { blockKey } from '../../files/blocks.ts'
import { equalPositions } from '../../keyspace.ts'
import { parseKey } from '../../records/hash-item.ts'
import { DEFAULT_STORE_WINDOW, STORE_BACKOFF_MS, STORE_TRIES } from '../../files/constants.ts'
import { ApiError } from '../../api/client.ts'
import { isFinal } from '../../refusals.ts'
import { sleep } from '../../signals.ts'
import { ToyrrentError } from '../../errors.ts'
import type { Command } from '../command.ts'
import type { CliIo } from '../io.ts'
import type { OptionValues } from '../args.ts'
import type { FilesClient } from '../../files/http-client.ts'
import type { ProgressBar } from '../../files/progress.ts'
import type { ImportCandidate } from 'ipfs-unixfs-importer'

export const add: Command = {
  name: 'add',
  synopsis: 'add FILE | - | -r DIR [--json] [--quiet] [--progress]',
  summary: 'store a file of any size (or stdin, or with -r a directory) as a UnixFS DAG of 64 KiB blocks, pinned here; prints its root CID',
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION, ...PROGRESS_OPTIONS, recursive: { type: 'boolean', short: 'r' } },
  positionals: { min: 0, max: 1 },
  async run ({ values, positionals }, io) {
    const path = positionals[0] ?? '-'
    const result = values.recursive === true ? await addDirectory(path, values, io) : await addFile(path, values, io)
    await write(io.stdout, values.json === true ? `${JSON.stringify(result)}\n` : `${result.cid}\n`)
    return 0
  }
}

interface AddOutput { cid: string, size: number, blocks: number }

async function addFile (path: string, values: OptionValues, io: CliIo): Promise<AddOutput> {
  let total: number | undefined
  if (path !== '-') {
    const info = await statPath(path).catch((err: NodeJS.ErrnoException) => { throw new UsageError(`cannot read ${path}: ${err.code ?? err.message}`) })
    if (info.isDirectory()) throw new UsageError(`${path} is a directory; add it with -r`)
    total = info.size
  }
  const client = await filesClient(values, io)
  const progress = progressFor(values, io, 'add', total)
  const source = path === '-' ? io.stdin : fileStream(path)
  const result = await client.add(readSource(source, path === '-' ? 'stdin' : path, progress), path === '-' ? {} : { name: basename(path) })
  progress?.finish()
  return { cid: result.cid, size: result.size, blocks: result.blocks }
}

/**
 * A directory is imported here, on the client, with the same importer and
 * options as a file on the daemon; each block goes to the daemon as an item
 * (POST /v1/items, pinned there, R copies), then the daemon records the pin.
 */
async function addDirectory (dir: string, values: OptionValues, io: CliIo): Promise<AddOutput> {
  const info = await statPath(dir).catch((err: NodeJS.ErrnoException) => { throw new UsageError(`cannot read ${dir}: ${err.code ?? err.message}`) })
  if (!info.isDirectory()) throw new UsageError(`${dir} is not a directory`)
  const client = await filesClient(values, io)
  const entries = await listTree(dir)
  const total = entries.reduce((sum, e) => sum + e.size, 0)
  const progress = progressFor(values, io, 'add', total)
  const store = new DaemonBlocks(client)
  const result = await importDirectory(candidates(dir, entries, progress), store, { storeWindow: DEFAULT_STORE_WINDOW })
  await client.pinAdd(result.cid.toString())
  progress?.finish()
  return { cid: result.cid.toString(), size: result.size, blocks: result.blocks }
}

interface TreeEntry { path: string, dir: boolean, size: number }

/** Every file and directory under `root`, relative paths, sorted; symlinks and other special files are refused. */
async function listTree (root: string, prefix = ''): Promise<TreeEntry[]> {
  const out: TreeEntry[] = []
  const names = (await readdir(join(root, prefix), { withFileTypes: true })).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  for (const entry of names) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`
    if (entry.isDirectory()) {
      out.push({ path: rel, dir: true, size: 0 })
      out.push(...await listTree(root, rel))
    } else if (entry.isFile()) {
      out.push({ path: rel, dir: false, size: (await statPath(join(root, rel))).size })
    } else {
      throw new UsageError(`${join(root, rel)} is neither a file nor a directory; add -r takes plain files and directories`)
    }
  }
  return out
}

function * candidates (root: string, entries: TreeEntry[], progress?: ProgressBar): Generator<ImportCandidate> {
  for (const entry of entries) {
    if (entry.dir) yield { path: entry.path }
    else yield { path: entry.path, content: readSource(fileStream(join(root, entry.path)), entry.path, progress) }
  }
}

/** The importer's blockstore on the client side: each block is put on the daemon, whose answer must name the same digest. */
class DaemonBlocks {
  private readonly client: FilesClient
  constructor (client: FilesClient) { this.client = client }
  async put (cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<CID> {
    const block = bytes instanceof Uint8Array ? bytes : await collect(bytes)
    const stored = await this.putWithRetries(block)
    if (!equalPositions(parseKey(stored.cid), blockKey(cid))) throw new ToyrrentError(`the daemon stored a block under ${stored.cid}, expected ${cid.toString()}`)
    return cid
  }

  /** As on the daemon (putBlockWithRetries): a busy or short-of-peers moment is tried again with back-off. */
  private async putWithRetries (block: Uint8Array): Promise<{ cid: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.putBlock(block)
      } catch (err: any) {
        if (!(err instanceof ApiError) || isFinal(err.code) || attempt >= STORE_TRIES) throw err
        await sleep(STORE_BACKOFF_MS * 2 ** (attempt - 1))
      }
    }
  }
}

async function collect (chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}
