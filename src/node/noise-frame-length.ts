/**
 * Noise frames cut out of the bytes received without an exception per
 * chunk. Noise parses incoming bytes with @libp2p/utils'
 * LengthPrefixedDecoder, which takes every frame it can from a chunk and
 * then asks for one more length: with nothing (or one byte) left, Noise's
 * length reader throws a new RangeError, which the loop catches as "wait for
 * more". So every chunk a connection received built an Error with its stack
 * trace: 8.3 % of a 20-node network's CPU in a concurrent-get profile, and
 * still 2.7 % when the same RangeError was thrown again (a throw costs
 * without a new Error too). This decoder takes its place on the encrypted
 * stream and reads the same frames with a plain loop.
 */
import { InvalidParametersError } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { FRAME_LENGTH_BYTES as LENGTH_BYTES } from './noise-frames.ts'

/** Noise's own buffer bound (@chainsafe/libp2p-noise 17: 16 MiB of unread bytes per connection). */
const DEFAULT_MAX_BUFFER_BYTES = 16 * 1024 * 1024

export class NoiseFrameDecoder {
  readonly buffer = new Uint8ArrayList()
  readonly maxBufferSize: number

  constructor (maxBufferSize = DEFAULT_MAX_BUFFER_BYTES) {
    this.maxBufferSize = maxBufferSize
  }

  /** The whole frames (ciphertexts, without their lengths) now buffered, `data` appended; empty frames are skipped, as Noise's decoder does. */
  * decode (data: Uint8Array | Uint8ArrayList): Generator<Uint8ArrayList> {
    this.buffer.append(data)
    if (this.buffer.byteLength > this.maxBufferSize) {
      throw new InvalidParametersError(`Buffer length limit exceeded - ${this.buffer.byteLength}/${this.maxBufferSize}`)
    }
    while (this.buffer.byteLength >= LENGTH_BYTES) {
      const length = (this.buffer.get(0) << 8) | this.buffer.get(1)
      if (this.buffer.byteLength < LENGTH_BYTES + length) return
      const frame = this.buffer.sublist(LENGTH_BYTES, LENGTH_BYTES + length)
      this.buffer.consume(LENGTH_BYTES + length)
      if (frame.byteLength > 0) yield frame
    }
  }
}

/** What this module needs of the decoder Noise keeps on its encrypted stream. */
interface NoiseDecoder {
  decode(data: Uint8Array | Uint8ArrayList): Iterable<Uint8ArrayList>
  /** Bytes received and not yet decoded (a Uint8ArrayList, perhaps of another copy of that package). */
  buffer?: { byteLength: number, subarray(): Uint8Array }
  maxBufferSize?: number
}

/**
 * Puts a NoiseFrameDecoder, holding whatever the old one had buffered, in
 * place of the decoder Noise keeps on its encrypted stream as `decoder`
 * (read afresh for each chunk). A Noise that no longer keeps one there is
 * left as it is: correct, only dearer.
 */
export function useFrameDecoder<T> (encrypted: T): T {
  const holder = encrypted as { decoder?: NoiseDecoder }
  const old = holder.decoder
  if (typeof old?.decode !== 'function') return encrypted
  const decoder = new NoiseFrameDecoder(old.maxBufferSize)
  if (old.buffer != null && old.buffer.byteLength > 0) decoder.buffer.append(old.buffer.subarray())
  holder.decoder = decoder
  return encrypted
}
