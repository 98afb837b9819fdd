/**
 * One peer's long-lived inbound RPC stream: reads request frames, submits
 * each to the server (the shared inbound queue, then its handler) and writes
 * the answers back with their ids, in whatever order they finish. It stops
 * reading while the peer does not take its answers, closes when idle, and
 * finishes what was asked before closing when the peer ends its side.
 */
import { Frame, Status } from './pb/rpc.ts'
import { FrameStream } from './frame-stream.ts'
import { decodeRequest, encodeUnknownTypeAnswer, isUnknown } from './request-codec.ts'
import { encodePrefixedFrame, prefixed } from './frame-encode.ts'
import { FrameBatch } from './frame-batch.ts'
import type { PrefixedFrame } from './frame-encode.ts'
import { codeOf } from './wire.ts'
import { DEFAULT_STREAM_BUFFER_BYTES, MAX_FRAME_BYTES } from '../constants.ts'
import type { FrameReadResult } from './frame-stream.ts'
import type { HandlerResult } from './handler.ts'
import type { ToyrrentMetrics, RequestTypeName } from '../metrics.ts'
import type { Logger, PeerId, Stream } from '@libp2p/interface'

export interface InboundStreamInit {
  /** Deadline for the peer to take an answer, and for the last answers when it ends its side, in ms. */
  handlerTimeout: number
  frameTimeout: number
  idleTimeout: number
  log: Logger
  metrics?: ToyrrentMetrics
  /**
   * Queue the request; `answer` hears the result when its turn comes (undefined
   * when `signal` aborted first: nobody is answered). Returns the BUSY answer
   * when the queue refuses it at once.
   */
  submit(peer: PeerId, request: Frame, signal: AbortSignal, answer: (result?: HandlerResult) => void): HandlerResult | undefined
}

export class InboundStream {
  private readonly init: InboundStreamInit
  private readonly stream: Stream
  private readonly peer: PeerId
  private readonly frames: FrameStream
  /** Answers finished in one turn go out as one send (rpc/frame-batch.ts). */
  private readonly batch: FrameBatch
  /** Ends the requests of this stream that are still queued or running. */
  private readonly done = new AbortController()
  private outstanding = 0
  private settled?: PromiseWithResolvers<void>

  constructor (stream: Stream, peer: PeerId, init: InboundStreamInit) {
    this.stream = stream
    this.peer = peer
    this.init = init
    this.frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: DEFAULT_STREAM_BUFFER_BYTES })
    this.batch = new FrameBatch(stream, err => { this.init.log('rpc answer to %p not sent: %s', this.peer, err.message) })
  }

  /** Serve until the peer ends, the stream idles, or `stop` aborts (then the stream is reset). */
  async serve (stop: AbortSignal): Promise<void> {
    const onStop = (): void => {
      this.done.abort(stop.reason)
      this.stream.abort(stop.reason)
    }
    stop.addEventListener('abort', onStop, { once: true })
    try {
      while (await this.next()) {}
      this.batch.flush()
      await this.stream.close({ signal: AbortSignal.timeout(this.init.handlerTimeout) })
    } catch (err: any) {
      if (stop.aborted) {
        this.init.log('rpc server stopped: reset the stream from %p', this.peer)
      } else {
        this.init.log('resetting rpc stream from %p: %s', this.peer, err.message)
        this.init.metrics?.count('rpc_streams_reset')
      }
      this.stream.abort(err)
    } finally {
      stop.removeEventListener('abort', onStop)
      this.batch.clear()
      this.done.abort()
    }
  }

  /** Read and handle one frame; false when the stream is done. */
  private async next (): Promise<boolean> {
    if (this.batch.full) {
      // a peer that does not read its answers within the deadline is reset
      await this.stream.onDrain({ signal: AbortSignal.timeout(this.init.handlerTimeout) })
    }
    const read: FrameReadResult = await this.frames.read({ frameTimeout: this.init.frameTimeout, idleTimeout: this.init.idleTimeout })
    if ('idle' in read) {
      if (this.outstanding > 0) return true
      this.init.log('closing idle rpc stream from %p', this.peer)
      return false
    }
    if ('end' in read) {
      // the peer is done sending: finish what it asked, then close
      if (this.outstanding > 0) {
        this.settled = Promise.withResolvers<void>()
        await raceDeadline(this.settled.promise, this.init.handlerTimeout)
      }
      return false
    }
    const request = decodeRequest(read.frame)
    if (isUnknown(request)) {
      // a well-formed frame of a type from a newer version: say so, keep the channel
      this.send('unknown', Status.UNKNOWN_TYPE, () => prefixed(encodeUnknownTypeAnswer(request.id, request.type)))
      return true
    }
    this.outstanding++
    const refused = this.init.submit(this.peer, request, this.done.signal, result => {
      if (result != null) this.reply(request, result)
      if (--this.outstanding === 0) this.settled?.resolve()
    })
    if (refused != null) {
      this.outstanding--
      this.reply(request, refused)
    }
    return true
  }

  private reply (request: Frame, result: HandlerResult): void {
    this.send(typeName(request.type), result.status ?? Status.OK, () => encodePrefixedFrame({ ...result, id: request.id, type: request.type, response: true }))
  }

  private send (type: RequestTypeName, status: Status, encode: () => PrefixedFrame): void {
    this.init.metrics?.request(type, codeOf(status))
    if (this.done.signal.aborted || this.stream.writeStatus !== 'writable') return
    // the read loop stops reading while the peer does not take its answers, so what waits here is bounded
    this.batch.push(encode())
  }
}

async function raceDeadline (promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([promise, new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

function typeName (type: Frame.Type): RequestTypeName {
  return type == null || type === Frame.Type.UNSPECIFIED ? 'unknown' : String(type).toLowerCase()
}
