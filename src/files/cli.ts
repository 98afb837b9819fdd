/** What the file commands (add, cat, ls, export, import, pin) share: options, the client, streaming to and from the daemon. */
import { createReadStream } from 'node:fs'
import { connect } from '../cli/connect.ts'
import { FilesClient } from './http-client.ts'
import { ProgressBar, progressWanted } from './progress.ts'
import { ToyrrentError } from '../errors.ts'
import type { OptionValues } from '../cli/args.ts'
import type { CliIo } from '../cli/io.ts'
import type { ParseArgsOptionsConfig } from 'node:util'
import type { Readable, Writable } from 'node:stream'

export const PROGRESS_OPTIONS = {
  quiet: { type: 'boolean', short: 'q' },
  progress: { type: 'boolean' }
} satisfies ParseArgsOptionsConfig

export async function filesClient (values: OptionValues, io: CliIo): Promise<FilesClient> {
  return new FilesClient((await connect(values, io.env)).address)
}

/** A progress bar on stderr when wanted (a terminal, or --progress), else undefined. */
export function progressFor (values: OptionValues, io: CliIo, label: string, total?: number): ProgressBar | undefined {
  return progressWanted(values, io.stderr) ? new ProgressBar(io.stderr, label, total) : undefined
}

/** A file or stdin as a byte stream, counted into the progress bar; read errors become one-line ToyrrentErrors. */
export async function * readSource (source: Readable, what: string, progress?: ProgressBar): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      progress?.add(bytes.byteLength)
      yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    }
  } catch (err: any) {
    throw new ToyrrentError(`cannot read ${what}: ${err.code ?? err.message}`)
  }
}

export function fileStream (path: string): Readable {
  return createReadStream(path, { highWaterMark: 256 * 1024 })
}

/** Write a response body to `out` with backpressure; returns the bytes written. */
export async function pipeBody (body: AsyncIterable<Uint8Array>, out: Writable, progress?: ProgressBar): Promise<number> {
  let written = 0
  for await (const chunk of body) {
    written += chunk.byteLength
    progress?.add(chunk.byteLength)
    if (!out.write(chunk)) await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => { out.off('drain', ok); out.off('error', done); err == null ? resolve() : reject(err) }
      const ok = (): void => { done() }
      out.once('drain', ok)
      out.once('error', done)
    })
  }
  // the CLI exits as soon as the command returns: what the stream still queues (stdout on a
  // pipe the reader is slow to empty) would be lost, so wait until every write is handed on
  if (written > 0 && !out.destroyed) await new Promise<void>((resolve, reject) => { out.write('', err => { err == null ? resolve() : reject(err) }) })
  return written
}
