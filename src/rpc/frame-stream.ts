/**
 * Length-prefixed frames on a long-lived stream, with the two deadlines a
 * hostile peer forces on us: a frame that has started must be complete within
 * `frameTimeout` (a peer that sends half a frame and stalls is reset), and a
 * stream with nothing going on may be closed after `idleTimeout`. Idle time
 * between frames is normal on an RPC channel; a partial frame is not.
 *
 * The length prefix is checked against `maxDataLength` before a single body
 * byte is waited for, and at most `maxBufferSize` unread bytes are kept per
 * stream (over that the stream is aborted). Past `highWater` unread bytes the
 * stream is paused, so the muxer stops granting the peer send window: a peer
 * that sends faster than we read is slowed down, not buffered without end.
 *
 * Frames already buffered are parsed without a timer, a promise or a signal
 * each: a burst of thousands of small frames costs little more than parsing.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolError, TimeoutError, TooLargeError } from '../errors.ts'
import type { Stream } from '@libp2p/interface'

export interface FrameStreamInit {
  /** Largest frame body accepted. */
  maxDataLength: number
  /** Unread bytes buffered per stream before it is aborted. */
  maxBufferSize: number
  /** Unread bytes past which the stream is paused until we catch up. @default maxBufferSize / 4 */
  highWater?: number
}

export interface FrameReadOptions {
  /** A frame that has begun must be whole within this many ms. */
  frameTimeout: number
  /** Resolve `{ idle: true }` when no frame begins within this many ms (the caller decides whether to close). */
  idleTimeout?: number
}

/** Result of a read: a frame, the end of the stream, or idle for `idleTimeout`. */
export type FrameReadResult = { frame: Uint8Array } | { end: true } | { idle: true }

export class FrameStream {
  private readonly stream: Stream
  private readonly init: FrameStreamInit
  private readonly highWater: number
  private readonly maxLengthBytes: number
  private readonly buffer = new Uint8ArrayList()
  private ended = false
  private failed?: Error
  private wake?: () => void
  /** When the first byte of the frame now buffered arrived (for its deadline). */
  private frameStarted = 0

  constructor (stream: Stream, init: FrameStreamInit) {
    this.stream = stream
    this.init = init
    this.highWater = init.highWater ?? Math.floor(init.maxBufferSize / 4)
    this.maxLengthBytes = encodeVarint(init.maxDataLength).byteLength
    stream.addEventListener('message', (evt) => {
      if (this.failed != null) return
      if (this.buffer.byteLength === 0) this.frameStarted = Date.now()
      this.buffer.append(evt.data)
      if (this.buffer.byteLength > init.maxBufferSize) {
        this.failed = new TooLargeError(`more than ${init.maxBufferSize} unread bytes`)
        this.buffer.consume(this.buffer.byteLength)
      } else if (this.buffer.byteLength > this.highWater && stream.readStatus === 'readable') {
        stream.pause()
      }
      this.wake?.()
    })
    const onEnd = (evt?: Event): void => {
      this.ended = true
      const error = (evt as { error?: Error } | undefined)?.error
      if (error != null) this.failed ??= error
      this.wake?.()
    }
    stream.addEventListener('close', onEnd)
    stream.addEventListener('remoteCloseWrite', () => { onEnd() })
  }

  /** Bytes received and not yet read. */
  get buffered (): number {
    return this.buffer.byteLength
  }

  async read (options: FrameReadOptions): Promise<FrameReadResult> {
    while (true) {
      if (this.failed != null) throw this.failed
      const frame = this.parse()
      if (frame != null) {
        if (this.stream.readStatus === 'paused' && this.buffer.byteLength < this.highWater / 2) this.stream.resume()
        if (this.buffer.byteLength > 0) this.frameStarted = Date.now()
        return { frame }
      }
      if (this.ended) {
        if (this.buffer.byteLength === 0) return { end: true }
        throw new ProtocolError('stream ended inside a frame')
      }
      if (this.buffer.byteLength === 0) {
        if (!await this.waitForData(options.idleTimeout)) return { idle: true }
      } else {
        const left = this.frameStarted + options.frameTimeout - Date.now()
        if (left <= 0 || !await this.waitForData(left)) throw new TimeoutError(`frame not complete within ${options.frameTimeout} ms`)
      }
    }
  }

  /** Write one frame; false when the stream wants the caller to wait for `drain`. */
  send (body: Uint8Array): boolean {
    return this.stream.send(new Uint8ArrayList(encodeVarint(body.byteLength), body))
  }

  /** A whole frame off the front of the buffer, or undefined when it is not all here yet. Throws on a bad prefix. */
  private parse (): Uint8Array | undefined {
    let length = 0
    let prefix = 0
    for (;;) {
      if (prefix >= this.buffer.byteLength) return undefined
      const byte = this.buffer.get(prefix)
      length += (byte & 0x7f) * 2 ** (7 * prefix)
      prefix++
      if ((byte & 0x80) === 0) break
      if (prefix >= this.maxLengthBytes) throw new TooLargeError(`frame length prefix longer than ${this.maxLengthBytes} bytes`)
    }
    // checked before anything of the body is waited for
    if (length > this.init.maxDataLength) throw new TooLargeError(`frame of ${length} bytes over the ${this.init.maxDataLength} byte cap`)
    if (this.buffer.byteLength < prefix + length) return undefined
    const frame = this.buffer.subarray(prefix, prefix + length)
    this.buffer.consume(prefix + length)
    return frame
  }

  /** Resolves true when data or the end arrives, false after `ms` (never, when ms is undefined). */
  private async waitForData (ms?: number): Promise<boolean> {
    return new Promise<boolean>(resolve => {
      const timer = ms == null ? undefined : setTimeout(() => { this.wake = undefined; resolve(false) }, ms)
      this.wake = () => {
        clearTimeout(timer)
        this.wake = undefined
        resolve(true)
      }
    })
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
