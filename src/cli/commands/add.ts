import { stat as statPath, readdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { CLIENT_OPTIONS, JSON_OPTION, UsageError } from '../args.ts'
import { write } from '../io.ts'
import { filesClient, fileStream, progressFor, PROGRESS_OPTIONS, readSource } from '../../files/cli.ts'
import type { Command } from '../command.ts'
import type { CliIo } from '../io.ts'
import type { OptionValues } from '../args.ts'
import { MAX_UPLOAD_ENTRIES } from '../../files/multipart-names.ts'
import type { ProgressBar } from '../../files/progress.ts'
import type { UploadEntry } from '../../files/multipart-body.ts'

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
 * A directory goes to the daemon as one multipart/form-data upload (POST
 * /v1/files): each file a part named by its relative path, each directory a
 * part of type application/x-directory, streamed as the files are read. The
 * daemon imports it (the same importer and options as a file), stores the
 * blocks and records the pin.
 */
async function addDirectory (dir: string, values: OptionValues, io: CliIo): Promise<AddOutput> {
  const info = await statPath(dir).catch((err: NodeJS.ErrnoException) => { throw new UsageError(`cannot read ${dir}: ${err.code ?? err.message}`) })
  if (!info.isDirectory()) throw new UsageError(`${dir} is not a directory`)
  const client = await filesClient(values, io)
  const entries = await listTree(dir)
  if (entries.length > MAX_UPLOAD_ENTRIES) throw new UsageError(`${dir} holds ${entries.length} files and directories; one add -r takes at most ${MAX_UPLOAD_ENTRIES}`)
  const total = entries.reduce((sum, e) => sum + e.size, 0)
  const progress = progressFor(values, io, 'add', total)
  const result = await client.addDirectory(uploads(dir, entries, progress), { name: basename(resolve(dir)) })
  progress?.finish()
  return { cid: result.cid, size: result.size, blocks: result.blocks }
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

function * uploads (root: string, entries: TreeEntry[], progress?: ProgressBar): Generator<UploadEntry> {
  for (const entry of entries) {
    if (entry.dir) yield { path: entry.path }
    else yield { path: entry.path, content: readSource(fileStream(join(root, entry.path)), entry.path, progress) }
  }
}
