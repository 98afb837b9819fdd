/**
 * What a request handler is (src/rpc/handlers/*): a pure function of the
 * request and who sent it, answering a status and a body. Its own module so
 * the server and the stream reader both use it without importing each other.
 */
import type { Frame } from './pb/rpc.ts'
import type { PeerId } from '@libp2p/interface'

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
