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
 * On a limited (relayed) connection a stream carries one request, and only
 * the small ones (rpc/limited-inbound.ts).
 *
 * Serves between start() and stop(): stop aborts every queued and running
 * request on every stream and resets the streams.
 */
import { Frame, Status } from './pb/rpc.ts'
import { InboundQueue } from './inbound-queue.ts'
import { InboundStream } from './inbound-stream.ts'
import { serveLimitedStream } from './limited-inbound.ts'
import { isLimited } from './limited.ts'
import { statusOf } from './wire.ts'
import { DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from '../constants.ts'
import { TimeoutError, ToyrrentError } from '../errors.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { HandlerResult, HandlerTable, RequestContext, RpcHandler } from './handler.ts'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export type { HandlerResult, HandlerTable, RequestContext, RpcHandler }

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
    const running = this.running?.signal
    if (running == null || running.aborted) {
      // not started, or stopped
      stream.abort(running?.reason ?? new DOMException('rpc server not started', 'AbortError'))
      return
    }
    if (isLimited(connection)) {
      // a relayed connection: one small request per stream (protocols/rpc.md, "Limited connections")
      await serveLimitedStream(stream, connection, running, {
        handlerTimeout: this.init.handlerTimeout,
        frameTimeout: this.init.frameTimeout ?? DEFAULT_FRAME_TIMEOUT_MS,
        log: this.init.log,
        submit: (peer, request, signal, answer) => this.submit(peer, request, signal, answer)
      })
      return
    }
    const inbound = new InboundStream(stream, connection.remotePeer, {
      handlerTimeout: this.init.handlerTimeout,
      frameTimeout: this.init.frameTimeout ?? DEFAULT_FRAME_TIMEOUT_MS,
      idleTimeout: this.init.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS,
      log: this.init.log,
      metrics: this.init.metrics,
      submit: (peer, request, signal, answer) => this.submit(peer, request, signal, answer)
    })
    await inbound.serve(running)
  }

  /**
   * The answer to one decoded request from `peer`, by the same path as a
   * stream's (the inbound queue, then its handler): for transports that carry
   * frames some other way, such as the in-memory test network.
   */
  async answer (request: Frame, peer: PeerId, signal: AbortSignal): Promise<Frame> {
    const running = this.running?.signal
    const respond = (result: HandlerResult): Frame => ({ message: '', status: Status.OK, ...result, id: request.id, type: request.type, response: true })
    if (running == null || running.aborted) throw running?.reason ?? new DOMException('rpc server not started', 'AbortError')
    const both = AbortSignal.any([signal, running])
    const { promise, resolve, reject } = Promise.withResolvers<Frame>()
    const refused = this.submit(peer, request, both, result => {
      if (result == null) reject(both.reason)
      else resolve(respond(result))
    })
    return refused != null ? respond(refused) : promise
  }

  /**
   * Queue one request; `answer` hears its result when its turn comes, or
   * undefined when `signal` aborted before it ran. Returns the BUSY answer
   * when the queue refuses it at once.
   */
  private submit (peer: PeerId, request: Frame, signal: AbortSignal, answer: (result?: HandlerResult) => void): HandlerResult | undefined {
    const refused = this.queue.push(peer.toString(), async () => {
      if (signal.aborted) {
        answer()
        return
      }
      answer(await this.dispatch(request, peer, signal))
    }, requestCost(request))
    if (refused == null) return undefined
    return { status: Status.BUSY, message: refused === 'peer-limit' ? `more than ${this.queue.maxPerPeer} requests in flight` : 'inbound queue full' }
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
        return { status: statusOf(err.code), message: err.message }
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

/** What a request counts for in the inbound queue: a FETCH_MANY as many FETCHes as keys it names (what it costs to answer). */
function requestCost (request: Frame): number {
  return request.type === Frame.Type.FETCH_MANY ? Math.max(1, request.fetchManyRequest?.keys.length ?? 1) : 1
}
