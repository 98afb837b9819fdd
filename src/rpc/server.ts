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
 * within `handlerTimeout`. Unknown request types are answered UNKNOWN_TYPE.
 */
import { Frame, Status } from './pb/rpc.ts'
import { FrameStream } from './frame-stream.ts'
import { InboundQueue } from './inbound-queue.ts'
import { statusCode } from './status.ts'
import { MAX_FRAME_BYTES } from '../constants.ts'
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

/** A frame begun must be complete within this long. */
export const DEFAULT_FRAME_TIMEOUT_MS = 10_000
/** A stream with no frame and nothing in flight for this long is closed (the client reopens on demand). */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000
/** Unread inbound bytes kept per stream; a peer that pipelines more while we cannot keep up is reset. */
export const DEFAULT_STREAM_BUFFER_BYTES = 4 * 1024 * 1024

export interface RpcServerInit {
  handlers: HandlerTable
  log: Logger
  /** Deadline for one handler run, and for the peer to take its reply, in ms. */
  handlerTimeout: number
  queue: InboundQueue
  frameTimeout?: number
  idleTimeout?: number
  metrics?: ToyrrentMetrics
  /** Aborts every queued and running request (service stop). */
  signal?: AbortSignal
}

export class RpcServer {
  readonly queue: InboundQueue
  private readonly init: RpcServerInit

  constructor (init: RpcServerInit) {
    this.init = init
    this.queue = init.queue
  }

  /** The libp2p stream handler for the RPC protocol. */
  readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    const peerKey = peer.toString()
    const frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: DEFAULT_STREAM_BUFFER_BYTES })
    // ends the requests of this stream that are still queued or running
    const streamDone = new AbortController()
    const signal = this.init.signal == null ? streamDone.signal : AbortSignal.any([streamDone.signal, this.init.signal])
    let outstanding = 0
    let mustDrain = false
    let settled: PromiseWithResolvers<void> | undefined
    const reply = (request: Frame, result: HandlerResult): void => {
      this.init.metrics?.request(typeName(request.type), statusCode(result.status ?? Status.OK))
      if (signal.aborted || stream.writeStatus !== 'writable') return
      // the read loop stops reading while the peer does not take its replies, so what waits here is bounded
      if (!frames.send(Frame.encode({ ...result, id: request.id, type: request.type, response: true }))) mustDrain = true
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
        if (typeof request === 'bigint') {
          // a well-formed frame of a type from a newer version: say so, keep the channel
          reply({ id: request, type: Frame.Type.UNSPECIFIED } as Frame, { status: Status.UNKNOWN_TYPE, message: 'unknown request type' })
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
      this.init.log('resetting rpc stream from %p: %s', peer, err.message)
      this.init.metrics?.count('rpc_streams_reset')
      stream.abort(err)
    } finally {
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
      this.init.log.error('handler for %s failed: %e', request.type, err)
      return { status: Status.ERROR, message: 'internal error' }
    } finally {
      clearTimeout(timer)
      streamSignal.removeEventListener('abort', onStreamDone)
    }
  }
}

/**
 * Decode a request frame; anything that is not one is a protocol violation.
 * A well-formed frame whose only fault is a request type we do not know
 * returns its id, to be answered UNKNOWN_TYPE.
 */
function decodeRequest (bytes: Uint8Array): Frame | bigint {
  let request: Frame
  try {
    request = Frame.decode(bytes)
  } catch (err: any) {
    const id = unknownTypeId(bytes)
    if (id != null) return id
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

/** The id of a frame that is well-formed protobuf at the top level, not a response, with an unknown type number; else undefined. */
function unknownTypeId (bytes: Uint8Array): bigint | undefined {
  let pos = 0
  let id = 0n
  let type: number | undefined
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
        if (field === 2) type = Number(value)
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
  return type != null && !KNOWN_TYPES.has(type) ? id : undefined
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
