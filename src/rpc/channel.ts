/**
 * One long-lived RPC stream to one peer, carrying many requests at once: each
 * request frame gets a fresh id and the response with that id settles it (the
 * seeds' "request/reply with guid"). This saves a stream open and protocol
 * negotiation per request, which dominates latency on loopback.
 */
import { Frame } from './pb/rpc.ts'
import { encodePrefixedFrame } from './frame-encode.ts'
import { FrameBatch } from './frame-batch.ts'
import { FrameStream } from './frame-stream.ts'
import { DEFAULT_FRAME_TIMEOUT_MS, MAX_FRAME_BYTES } from '../constants.ts'
import { MAX_FETCH_MANY_ANSWER_BYTES } from './fetch-many-limits.ts'
import { ProtocolError, TimeoutError } from '../errors.ts'
import { proposal, readAcceptance } from './optimistic-select.ts'
import type { Stream, AbortOptions, Logger } from '@libp2p/interface'

/** A response and the bytes the exchange took on the wire (both frames as encoded). */
export interface Exchange {
  response: Frame
  bytes: number
}

interface Pending {
  resolve(exchange: Exchange): void
  reject(err: Error): void
}

/** Largest answer frame: a FETCH_MANY's (up to 16 blocks); requests the server reads stay under MAX_FRAME_BYTES. */
const MAX_ANSWER_BYTES = Math.max(MAX_FRAME_BYTES, MAX_FETCH_MANY_ANSWER_BYTES)

/** Requests given up on whose answer may still come (a sign of life worth telling): at most this many per channel. */
const MAX_LATE = 256

export class RpcChannel {
  private readonly stream: Stream
  /** Answers as whole frames, parsed where they lie (no read per byte of the length, no error per partial one). */
  private readonly frames: FrameStream
  /** Requests queued in one turn (a cat's window) go out as one send (rpc/frame-batch.ts). */
  private readonly batch: FrameBatch
  private readonly pending = new Map<bigint, Pending>()
  /** Requests that timed out or were aborted, by id: who to tell if their answer comes after all. */
  private readonly late = new Map<bigint, () => void>()
  private readonly log: Logger
  private nextId = 1n
  private closedWith?: Error

  /**
   * `select`: the stream is not negotiated yet; propose this protocol in the
   * same send as the first request (rpc/optimistic-select.ts) and read the
   * peer's acceptance before the first answer.
   */
  constructor (stream: Stream, log: Logger, select?: string) {
    this.stream = stream
    this.log = log
    // paused past two whole answers, so one answer never waits for a resume that only a whole answer brings
    this.frames = new FrameStream(stream, { maxDataLength: MAX_ANSWER_BYTES, highWater: 2 * MAX_ANSWER_BYTES, maxBufferSize: 4 * MAX_ANSWER_BYTES })
    this.batch = new FrameBatch(stream, err => { this.close(err) })
    if (select != null) {
      const bytes = proposal(select)
      this.batch.push({ parts: [bytes], length: bytes.byteLength })
    }
    void this.readLoop(select)
  }

  get closed (): boolean {
    return this.closedWith != null
  }

  /** Send one request frame and wait for its response, the signal or the deadline. */
  async request (frame: Partial<Frame>, options: AbortOptions & { timeout: number, onLateAnswer?(): void }): Promise<Exchange> {
    if (this.closedWith != null) throw this.closedWith
    const id = this.nextId++
    const { promise, resolve, reject } = Promise.withResolvers<Exchange>()
    // the channel may fail while the write is still in progress: observed below, not unhandled
    promise.catch(() => {})
    this.pending.set(id, { resolve, reject })
    const onAbort = (): void => { reject(options.signal?.reason ?? new TimeoutError('request aborted')) }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const timer = setTimeout(() => { reject(new TimeoutError(`no response within ${options.timeout} ms`)) }, options.timeout)
    let answered = false
    try {
      options.signal?.throwIfAborted()
      // a stream that takes no more: wait for it to drain before queueing more on it, within
      // the request's own deadline (a stream reset while full may never report a drain)
      if (this.batch.full) await Promise.race([this.stream.onDrain({ signal: options.signal }), promise])
      if (this.closedWith != null) throw this.closedWith
      const encoded = encodePrefixedFrame({ ...frame, id, response: false })
      // prefix and frame as one (lp.write would add the prefix as a buffer, a socket write, of its own), with the others of this turn
      this.batch.push(encoded)
      const exchange = await promise
      answered = true
      exchange.bytes += encoded.length
      return exchange
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      this.pending.delete(id)
      if (!answered && options.onLateAnswer != null && this.closedWith == null) this.awaitLate(id, options.onLateAnswer)
    }
  }

  private awaitLate (id: bigint, onLateAnswer: () => void): void {
    this.late.set(id, onLateAnswer)
    if (this.late.size > MAX_LATE) this.late.delete(this.late.keys().next().value!)
  }

  close (err: Error = new ProtocolError('channel closed')): void {
    if (this.closedWith != null) return
    this.closedWith = err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    this.late.clear()
    this.batch.clear()
    this.stream.abort(err)
  }

  /** The next answer frame; an answer begun must be whole within the frame deadline the server keeps too. */
  private async readFrame (): Promise<Uint8Array> {
    const read = await this.frames.read({ frameTimeout: DEFAULT_FRAME_TIMEOUT_MS })
    if ('frame' in read) return read.frame
    throw new ProtocolError('channel closed by the peer')
  }

  private async readLoop (select?: string): Promise<void> {
    try {
      // the peer's acceptance of `select`, in front of the first answer
      if (select != null) await readAcceptance(async () => await this.readFrame(), select)
      while (true) {
        const bytes = await this.readFrame()
        const frame = Frame.decode(bytes)
        if (!frame.response) throw new ProtocolError('peer sent a request on a client stream')
        // a response nobody waits for (timed out, aborted) is dropped, but the peer is alive after all
        const pending = this.pending.get(frame.id)
        if (pending != null) {
          pending.resolve({ response: frame, bytes: bytes.byteLength })
        } else {
          const late = this.late.get(frame.id)
          this.late.delete(frame.id)
          late?.()
        }
      }
    } catch (err: any) {
      this.log('rpc channel ended: %s', err.message)
      if (err.name === 'UnsupportedProtocolError') this.log.error('%s', err.message)
      this.close(err instanceof Error ? err : new ProtocolError(String(err)))
    }
  }
}
