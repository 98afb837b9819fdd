/**
 * Inbound RPC: reads request frames off a peer's stream, runs each through the
 * handler for its type and writes the response with the same id. Requests
 * from one stream run concurrently up to a limit; beyond it they are answered
 * BUSY at once. A frame that breaks the protocol (over the size cap, not
 * protobuf, a response where a request belongs) resets the stream.
 */
import { lpStream } from '@libp2p/utils'
import { Frame, Status } from './pb/rpc.ts'
import { MAX_FRAME_BYTES, MAX_INFLIGHT_PER_STREAM } from '../constants.ts'
import { ProtocolError, ToyrrentError } from '../errors.ts'
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
  /** Deadline for one handler run, in ms. */
  handlerTimeout: number
  maxInflight?: number
}

export class RpcServer {
  private readonly init: RpcServerInit

  constructor (init: RpcServerInit) {
    this.init = init
  }

  /** The libp2p stream handler for the RPC protocol. */
  readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
    const maxInflight = this.init.maxInflight ?? MAX_INFLIGHT_PER_STREAM
    let inflight = 0
    const reply = (request: Frame, result: HandlerResult): void => {
      const response = Frame.encode({ ...result, id: request.id, type: request.type, response: true })
      lp.write(response).catch(err => { this.init.log('could not reply to %p: %s', connection.remotePeer, err.message) })
    }
    try {
      while (true) {
        const bytes = await lp.read()
        const request = Frame.decode(bytes)
        if (request.response) throw new ProtocolError('response frame on a server stream')
        if (inflight >= maxInflight) {
          reply(request, { status: Status.BUSY, message: `more than ${maxInflight} requests in flight` })
          continue
        }
        inflight++
        void this.dispatch(request, connection.remotePeer)
          .then(result => { reply(request, result) })
          .finally(() => { inflight-- })
      }
    } catch (err: any) {
      if (err.name !== 'UnexpectedEOFError') {
        this.init.log('resetting rpc stream from %p: %s', connection.remotePeer, err.message)
      }
      stream.abort(err)
    }
  }

  private async dispatch (request: Frame, peer: PeerId): Promise<HandlerResult> {
    const handler = this.init.handlers[request.type]
    if (handler == null) {
      return { status: Status.UNKNOWN_TYPE, message: `unknown request type ${request.type}` }
    }
    const signal = AbortSignal.timeout(this.init.handlerTimeout)
    try {
      return await handler.handle(request, { peer, signal })
    } catch (err: any) {
      if (err instanceof ToyrrentError) {
        return { status: statusForError(err), message: err.message }
      }
      this.init.log.error('handler for %s failed: %e', request.type, err)
      return { status: Status.ERROR, message: 'internal error' }
    }
  }
}

function statusForError (err: ToyrrentError): Status {
  switch (err.code) {
    case 'bad-input': return Status.BAD_REQUEST
    case 'too-large': return Status.TOO_LARGE
    case 'not-found': return Status.NOT_FOUND
    default: return Status.ERROR
  }
}
