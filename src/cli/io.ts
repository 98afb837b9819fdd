/** The streams a command runs against, and helpers to read and write them whole. */
import { TooLargeError } from '../errors.ts'
import { MAX_VALUE_BYTES } from '../constants.ts'
import type { Readable, Writable } from 'node:stream'

export interface CliIo {
  stdin: Readable & { isTTY?: boolean }
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
}

/**
 * The process's own streams, each built on first use: Node builds
 * process.stdin/stdout/stderr lazily, and stdin alone (an fs.ReadStream when
 * it is a file, with fs/promises and readline behind it) cost `toyrrent get`
 * more than everything it does.
 */
export function processIo (): CliIo {
  return {
    get stdin () { return process.stdin },
    get stdout () { return process.stdout },
    get stderr () { return process.stderr },
    env: process.env
  }
}

/** Write and wait until the stream took it. */
export async function write (stream: Writable, data: string | Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.write(data, err => { err == null ? resolve() : reject(err) })
  })
}

/** Read a stream to its end, refusing as soon as it passes `limit` bytes. */
export async function readAll (stream: Readable, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    length += bytes.byteLength
    if (length > limit) {
      stream.destroy()
      throw new TooLargeError(`value is more than ${limit} bytes; the limit is ${limit} bytes (64 KiB)`)
    }
    chunks.push(bytes)
  }
  return new Uint8Array(Buffer.concat(chunks, length))
}

/**
 * The value a command was given: its VALUE argument as UTF-8, or with none
 * (or `-`) the raw bytes of stdin. Checked against the 64 KiB limit before
 * anything is sent.
 */
export async function readValueArg (arg: string | undefined, io: CliIo): Promise<Uint8Array> {
  let value: Uint8Array
  if (arg == null || arg === '-') {
    if (io.stdin.isTTY === true) await write(io.stderr, 'reading the value from stdin; end it with Ctrl-D\n')
    value = await readAll(io.stdin, MAX_VALUE_BYTES)
  } else {
    value = new TextEncoder().encode(arg)
  }
  // loaded here: only the commands that read a value need it
  const { checkValueSize } = await import('../records/hash-item.ts')
  checkValueSize(value)
  return value
}
