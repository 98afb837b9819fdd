/**
 * Inbound RPC: reads request frames off a peer's long-lived stream and puts
 * each through the shared InboundQueue (fair between peers, bounded); the
 * handler for its type runs when its turn comes and the response goes back
 * with the same id. A request the queue refuses is answered BUSY at once.
 *
 * Hostile input resets the stream and nothing else: a length prefix over the
 * cap (checked before any body byte is buffered), a frame that is not
 * protobuf, a response where a request belongs, a frame begun and not
 * finished within `frameTimeout`, a peer that does not read its replies
 * within `handlerTimeout`. Unknown request types are answered UNKNOWN_TYPE,
 * with the type number echoed.
 *
 * Serves between start() and stop(): stop aborts every queued and running
 * request on every stream and resets the streams.
 */
import { Frame, Status } from './pb/rpc.ts'
import { FrameStream } from './frame-stream.ts'
import { InboundQueue } from './inbound-queue.ts'
import { statusCode } from './status.ts'
import { DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_STREAM_BUFFER_BYTES, MAX_FRAME_BYTES } from '../constants.ts'
import { ProtocolError, TimeoutError, ToyrrentError } from '../errors.ts'
import type { ToyrrentMetrics, RequestTypeName } from '../metrics.ts'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

/** What a handler answers: a status, an optional message and a response body. */
export type HandlerResult = Partial<Omit<Frame, 'id' | 'type' | 'response'>>

export interface RequestContext {
  /** The peer that sent the request. */
  peer: PeerId
  signal: AbortSignal
}

export interface RpcHandler {
  handle(request: Frame, context: RequestContext): Promise<HandlerResult>
}

export type HandlerTable = Partial<Record<Frame.Type, RpcHandler>>

export interface RpcServerInit {
  handlers: HandlerTable
  log: Logger
  /** Deadline for one handler run, and for the peer to take its reply, in ms. */
  handlerTimeout: number
  queue: InboundQueue
  frameTimeout?: number
  idleTimeout?: number
  metrics?: ToyrrentMetrics
}

export class RpcServer {
  readonly queue: InboundQueue
  private readonly init: RpcServerInit
  /** Made by start(), aborted by stop(); every stream listens on the one current when it opened. */
  private running?: AbortController

  constructor (init: RpcServerInit) {
    this.init = init
    this.queue = init.queue
  }

  /** Serve streams; a no-op while serving. */
  start (): void {
    // a live controller is kept: streams already open listen on it
    if (this.running == null || this.running.signal.aborted) this.running = new AbortController()
  }

  /**
   * Abort every queued request (it never runs) and every running one (its
   * handler's signal aborts) on every stream, and reset the streams; streams
   * opened until the next start() are reset at once. A no-op when stopped.
   */
  stop (): void {
    if (this.running?.signal.aborted === false) this.running.abort(new DOMException('rpc server stopped', 'AbortError'))
  }

  /** The libp2p stream handler for the RPC protocol. */
  readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    const peerKey = peer.toString()
    const running = this.running?.signal
    if (running == null || running.aborted) {
      // not started, or stopped
      stream.abort(running?.reason ?? new DOMException('rpc server not started', 'AbortError'))
      return
    }
    const frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: DEFAULT_STREAM_BUFFER_BYTES })
    // ends the requests of this stream that are still queued or running: when the stream ends or the server stops
    const streamDone = new AbortController()
    const signal = streamDone.signal
    const onStop = (): void => {
      streamDone.abort(running.reason)
      stream.abort(running.reason)
    }
    running.addEventListener('abort', onStop, { once: true })
    let outstanding = 0
    let mustDrain = false
    let settled: PromiseWithResolvers<void> | undefined
    const send = (type: RequestTypeName, status: Status, encode: () => Uint8Array): void => {
      this.init.metrics?.request(type, statusCode(status))
      if (signal.aborted || stream.writeStatus !== 'writable') return
      // the read loop stops reading while the peer does not take its replies, so what waits here is bounded
      if (!frames.send(encode())) mustDrain = true
    }
    const reply = (request: Frame, result: HandlerResult): void => {
      send(typeName(request.type), result.status ?? Status.OK, () => Frame.encode({ ...result, id: request.id, type: request.type, response: true }))
    }
    try {
      while (true) {
        if (mustDrain) {
          // a peer that does not read its replies within the deadline is reset
          await stream.onDrain({ signal: AbortSignal.timeout(this.init.handlerTimeout) })
          mustDrain = false
        }
        const read = await frames.read({ frameTimeout: this.init.frameTimeout ?? DEFAULT_FRAME_TIMEOUT_MS, idleTimeout: this.init.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS })
        if ('idle' in read) {
          if (outstanding > 0) continue
          this.init.log('closing idle rpc stream from %p', peer)
          break
        }
        if ('end' in read) {
          // the peer is done sending: finish what it asked, then close
          if (outstanding > 0) {
            settled = Promise.withResolvers<void>()
            await raceDeadline(settled.promise, this.init.handlerTimeout)
          }
          break
        }
        const request = decodeRequest(read.frame)
        if (isUnknown(request)) {
          // a well-formed frame of a type from a newer version: say so, keep the channel
          send('unknown', Status.UNKNOWN_TYPE, () => encodeUnknownTypeAnswer(request.id, request.type))
          continue
        }
        outstanding++
        const refused = this.queue.push(peerKey, async () => {
          try {
            if (signal.aborted) return
            reply(request, await this.dispatch(request, peer, signal))
          } finally {
            if (--outstanding === 0) settled?.resolve()
          }
        })
        if (refused != null) {
          outstanding--
          reply(request, { status: Status.BUSY, message: refused === 'peer-limit' ? `more than ${this.queue.maxPerPeer} requests in flight` : 'inbound queue full' })
        }
      }
      await stream.close({ signal: AbortSignal.timeout(this.init.handlerTimeout) })
    } catch (err: any) {
      if (running.aborted) {
        this.init.log('rpc server stopped: reset the stream from %p', peer)
      } else {
        this.init.log('resetting rpc stream from %p: %s', peer, err.message)
        this.init.metrics?.count('rpc_streams_reset')
      }
      stream.abort(err)
    } finally {
      running.removeEventListener('abort', onStop)
      streamDone.abort()
    }
  }

  private async dispatch (request: Frame, peer: PeerId, streamSignal: AbortSignal): Promise<HandlerResult> {
    const handler = this.init.handlers[request.type]
    if (handler == null) {
      return { status: Status.UNKNOWN_TYPE, message: `unknown request type ${request.type}` }
    }
    // one controller and one timer per request, both released when it ends (AbortSignal.any on the
    // long-lived stream signal would pile up dependents under a flood)
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort(new TimeoutError(`handler took over ${this.init.handlerTimeout} ms`)) }, this.init.handlerTimeout)
    const onStreamDone = (): void => { controller.abort(streamSignal.reason) }
    streamSignal.addEventListener('abort', onStreamDone, { once: true })
    try {
      return await handler.handle(request, { peer, signal: controller.signal })
    } catch (err: any) {
      if (err instanceof ToyrrentError) {
        return { status: statusForError(err), message: err.message }
      }
      // stopped or the stream ended: nobody gets this answer, and the handler did not fail
      if (streamSignal.aborted) return { status: Status.ERROR, message: 'aborted' }
      this.init.log.error('handler for %s failed: %e', request.type, err)
      return { status: Status.ERROR, message: 'internal error' }
    } finally {
      clearTimeout(timer)
      streamSignal.removeEventListener('abort', onStreamDone)
    }
  }
}

/** A well-formed request of a type this build does not know: its id and type number as sent. */
interface UnknownRequest {
  id: bigint
  type: bigint
}

function isUnknown (request: Frame | UnknownRequest): request is UnknownRequest {
  return typeof request.type === 'bigint'
}

/**
 * Decode a request frame; anything that is not one is a protocol violation.
 * A well-formed frame whose only fault is a request type we do not know
 * returns its id and type, to be answered UNKNOWN_TYPE.
 */
function decodeRequest (bytes: Uint8Array): Frame | UnknownRequest {
  let request: Frame
  try {
    request = Frame.decode(bytes)
  } catch (err: any) {
    const unknown = unknownType(bytes)
    if (unknown != null) return unknown
    throw new ProtocolError(`not a frame: ${err.message}`)
  }
  if (request.response) throw new ProtocolError('response frame on a server stream')
  return request
}

/** Wire numbers of the request types this build knows, read off the generated codec so new types need no edit here. */
const KNOWN_TYPES = new Set(Object.values(Frame.Type).filter(t => typeof t === 'string').map(t => {
  const bytes = Frame.encode({ type: t as Frame.Type })
  return bytes.length === 0 ? 0 : bytes[1]
}))

/** Id and type of a frame that is well-formed protobuf at the top level, not a response, with an unknown type number; else undefined. */
function unknownType (bytes: Uint8Array): UnknownRequest | undefined {
  let pos = 0
  let id = 0n
  let type: bigint | undefined
  const varint = (): bigint => {
    let value = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) throw new RangeError('truncated')
      const b = bytes[pos++]
      value |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return value
    }
    throw new RangeError('varint too long')
  }
  try {
    while (pos < bytes.length) {
      const tag = varint()
      const field = Number(tag >> 3n)
      const wire = Number(tag & 7n)
      if (wire === 0) {
        const value = varint()
        if (field === 1) id = value
        if (field === 2) type = value
        if (field === 3 && value !== 0n) return undefined
      } else if (wire === 2) {
        const length = Number(varint())
        if (pos + length > bytes.length) return undefined
        pos += length
      } else if (wire === 1 || wire === 5) {
        pos += wire === 1 ? 8 : 4
        if (pos > bytes.length) return undefined
      } else {
        return undefined
      }
    }
  } catch {
    return undefined
  }
  return type != null && !KNOWN_TYPES.has(Number(type)) ? { id, type } : undefined
}

/** Frame.type is field 2, wire type 0 (varint): tag (2 << 3) | 0. */
const FRAME_TYPE_TAG = 0x10

/**
 * The UNKNOWN_TYPE answer to a request of a type this build does not know.
 * It must carry the type number the client sent, which the generated codec
 * cannot encode (it only knows the enum's names): encode the rest with no
 * type, then put field 2 in by hand, after the id (field 1) so the fields stay
 * in number order as other encoders write them.
 */
export function encodeUnknownTypeAnswer (id: bigint, type: bigint): Uint8Array {
  const rest = Frame.encode({ id, response: true, status: Status.UNKNOWN_TYPE, message: `unknown request type ${type}` })
  // Frame.encode writes fields in number order; the id (tag 0x08, then a varint) comes first unless it is 0
  let at = 0
  if (rest[0] === 0x08) {
    at = 1
    while ((rest[at] & 0x80) !== 0) at++
    at++
  }
  const field = [FRAME_TYPE_TAG, ...varint(type)]
  const out = new Uint8Array(rest.byteLength + field.length)
  out.set(rest.subarray(0, at))
  out.set(field, at)
  out.set(rest.subarray(at), at + field.length)
  return out
}

/** Unsigned LEB128, as protobuf writes a uint64 varint. */
function varint (value: bigint): number[] {
  const out: number[] = []
  while (value >= 0x80n) {
    out.push(Number(value & 0x7fn) | 0x80)
    value >>= 7n
  }
  out.push(Number(value))
  return out
}

async function raceDeadline (promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([promise, new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

function typeName (type: Frame.Type): RequestTypeName {
  return type == null || type === Frame.Type.UNSPECIFIED ? 'unknown' : String(type).toLowerCase()
}

function statusForError (err: ToyrrentError): Status {
  switch (err.code) {
    case 'bad-input': return Status.BAD_REQUEST
    case 'too-large': return Status.TOO_LARGE
    case 'not-found': return Status.NOT_FOUND
    default: return Status.ERROR
  }
}
