/**
 * Length-prefixed frames on a long-lived stream, with the two deadlines a
 * hostile peer forces on us: a frame that has started must be complete within
 * `frameTimeout` (a peer that sends half a frame and stalls is reset), and a
 * stream with nothing going on may be closed after `idleTimeout`. Idle time
 * between frames is normal on an RPC channel; a partial frame is not.
 *
 * The length prefix is checked against `maxDataLength` before a single body
 * byte is buffered, and at most `maxBufferSize` unread bytes are kept per
 * stream (over that the stream is aborted).
 */
import { byteStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolError, TimeoutError, TooLargeError } from '../errors.ts'
import type { ByteStream } from '@libp2p/utils'
import type { AbortOptions, Stream } from '@libp2p/interface'

export interface FrameStreamInit {
  /** Largest frame body accepted. */
  maxDataLength: number
  /** Unread bytes buffered per stream before it is aborted. */
  maxBufferSize: number
}

export interface FrameReadOptions {
  /** A frame that has begun must be whole within this many ms. */
  frameTimeout: number
  /** Resolve `null` when no frame begins within this many ms (the caller decides whether to close). */
  idleTimeout?: number
}

/** Result of a read: a frame, the end of the stream, or idle for `idleTimeout`. */
export type FrameReadResult = { frame: Uint8ArrayList } | { end: true } | { idle: true }

export class FrameStream {
  private readonly bytes: ByteStream<Stream>
  private readonly init: FrameStreamInit
  private readonly maxLengthBytes: number

  constructor (stream: Stream, init: FrameStreamInit) {
    this.init = init
    this.bytes = byteStream(stream, { maxBufferSize: init.maxBufferSize })
    this.maxLengthBytes = varintLength(init.maxDataLength)
  }

  async read (options: FrameReadOptions): Promise<FrameReadResult> {
    let first: Uint8ArrayList
    try {
      const idle = options.idleTimeout == null ? undefined : AbortSignal.timeout(options.idleTimeout)
      first = await this.bytes.read({ bytes: 1, signal: idle })
    } catch (err: any) {
      // a clean close between frames is the normal end of a channel
      if (err.name === 'UnexpectedEOFError') return { end: true }
      if (err.name === 'TimeoutError' || err.name === 'AbortError') return { idle: true }
      throw err
    }
    const signal = AbortSignal.timeout(options.frameTimeout)
    try {
      let length = 0
      let shift = 0
      let byte = first.get(0)
      for (let read = 1; ; read++) {
        length += (byte & 0x7f) * 2 ** shift
        if ((byte & 0x80) === 0) break
        if (read >= this.maxLengthBytes) throw new TooLargeError(`frame length prefix longer than ${this.maxLengthBytes} bytes`)
        shift += 7
        byte = (await this.bytes.read({ bytes: 1, signal })).get(0)
      }
      // checked before anything of the body is read or allocated
      if (length > this.init.maxDataLength) throw new TooLargeError(`frame of ${length} bytes over the ${this.init.maxDataLength} byte cap`)
      if (length === 0) return { frame: new Uint8ArrayList() }
      return { frame: await this.bytes.read({ bytes: length, signal }) }
    } catch (err: any) {
      if (signal.aborted) throw new TimeoutError(`frame not complete within ${options.frameTimeout} ms`)
      if (err.name === 'UnexpectedEOFError') throw new ProtocolError('stream ended inside a frame')
      throw err
    }
  }

  /** Write one frame; resolves once the stream took it (waits for drain, within the signal). */
  async write (body: Uint8Array, options?: AbortOptions): Promise<void> {
    await this.bytes.write(new Uint8ArrayList(encodeVarint(body.byteLength), body), options)
  }
}

export function encodeVarint (value: number): Uint8Array {
  const out: number[] = []
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  out.push(value)
  return Uint8Array.from(out)
}

function varintLength (value: number): number {
  return encodeVarint(value).byteLength
}
