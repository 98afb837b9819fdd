/**
 * The RPC on a limited (relayed) connection, responder side: a stream
 * carries one request and its answer, then closes. Only FIND_BEFORE_N and
 * FETCH are served, and only when the answer fits the connection's limits;
 * anything else is answered BUSY with the reason ("ask over a direct
 * connection"), which costs the relay a few dozen bytes. A long-lived stream
 * would pin the peer's requests to a connection the relay will cut.
 */
import { Frame, Status } from './pb/rpc.ts'
import { FrameStream } from './frame-stream.ts'
import { decodeRequest, encodeUnknownTypeAnswer, isUnknown } from './request-codec.ts'
import { fitsLimits, limitedRefusal, servedOnLimited } from './limited.ts'
import { LIMITED_ANSWER_BYTES, LIMITED_REQUEST_BYTES } from '../constants.ts'
import type { HandlerResult } from './handler.ts'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export interface LimitedInboundInit {
  /** Deadline for the handler's answer and for the peer to take it, in ms. */
  handlerTimeout: number
  /** The request must arrive whole within this many ms of the stream opening. */
  frameTimeout: number
  log: Logger
  /** As InboundStreamInit.submit: queue the request, `answer` hears the result. */
  submit(peer: PeerId, request: Frame, signal: AbortSignal, answer: (result?: HandlerResult) => void): HandlerResult | undefined
}

/** Serve the one request of `stream`; resets it on a protocol violation or when `stop` aborts. */
export async function serveLimitedStream (stream: Stream, connection: Connection, stop: AbortSignal, init: LimitedInboundInit): Promise<void> {
  const frames = new FrameStream(stream, { maxDataLength: LIMITED_REQUEST_BYTES, maxBufferSize: 2 * LIMITED_REQUEST_BYTES })
  const done = AbortSignal.any([stop, AbortSignal.timeout(init.frameTimeout + init.handlerTimeout)])
  const onDone = (): void => { stream.abort(done.reason) }
  done.addEventListener('abort', onDone, { once: true })
  try {
    const read = await frames.read({ frameTimeout: init.frameTimeout, idleTimeout: init.frameTimeout })
    if (!('frame' in read)) {
      stream.abort(new Error('no request on a limited rpc stream'))
      return
    }
    const request = decodeRequest(read.frame)
    const answer = isUnknown(request)
      ? encodeUnknownTypeAnswer(request.id, request.type)
      : await answerOf(request, connection, done, init)
    if (answer == null) return
    frames.send(answer)
    await stream.close({ signal: done })
  } catch (err: any) {
    init.log('resetting limited rpc stream from %p: %s', connection.remotePeer, err.message)
    stream.abort(err)
  } finally {
    done.removeEventListener('abort', onDone)
  }
}

/** The encoded answer: the handler's when the type is served here and the answer fits, else BUSY with the reason. */
async function answerOf (request: Frame, connection: Connection, signal: AbortSignal, init: LimitedInboundInit): Promise<Uint8Array | undefined> {
  const encode = (result: HandlerResult): Uint8Array => Frame.encode({ ...result, id: request.id, type: request.type, response: true })
  const busy = (message: string): Uint8Array => encode({ status: Status.BUSY, message })
  if (!servedOnLimited(request.type)) return busy(limitedRefusal(request.type))
  const { promise, resolve } = Promise.withResolvers<HandlerResult | undefined>()
  const refused = init.submit(connection.remotePeer, request, signal, resolve)
  const result = refused ?? await promise
  if (result == null) return undefined
  const answer = encode(result)
  if (answer.byteLength > LIMITED_ANSWER_BYTES || !fitsLimits(connection, answer.byteLength)) return busy(limitedRefusal(request.type, answer.byteLength))
  return answer
}
