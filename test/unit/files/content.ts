/** Deterministic pseudorandom file content, streamed (AES-CTR keystream of a seed): the same bytes every run, never held whole. */
import { createCipheriv, createHash } from 'node:crypto'

const PIECE = 256 * 1024

/** `size` bytes of the stream for `seed`, in pieces of at most 256 KiB. */
export function * pseudorandom (size: number, seed = 'toyrrent'): Generator<Uint8Array> {
  const key = createHash('sha256').update(seed).digest()
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
  const zeros = Buffer.alloc(PIECE)
  for (let left = size; left > 0; left -= PIECE) {
    const n = Math.min(PIECE, left)
    yield new Uint8Array(cipher.update(zeros.subarray(0, n)))
  }
}

/** The whole of it, for small sizes. */
export function pseudorandomBytes (size: number, seed?: string): Uint8Array {
  return new Uint8Array(Buffer.concat([...pseudorandom(size, seed)]))
}

/** SHA-256 of a byte stream, hex. */
export async function digestOf (chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ hex: string, bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of chunks) {
    hash.update(chunk)
    bytes += chunk.byteLength
  }
  return { hex: hash.digest('hex'), bytes }
}
