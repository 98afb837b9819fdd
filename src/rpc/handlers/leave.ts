/**
 * leave: the sender announces its own graceful leave (protocols/rpc.md,
 * "LEAVE"). The leaver is the authenticated remote peer of the stream; the
 * request names nobody, so no peer can announce another's leave. What the
 * node does with it (drop it from the routing table, keep it out for a
 * while) is the service's (membership.ts); the answer is OK either way.
 */
import { Status } from '../pb/rpc.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { PeerId } from '@libp2p/interface'

/** What the leave handler needs of the service. */
export interface LeaveListener {
  /** `peer` announced that it leaves the network now. */
  left(peer: PeerId): void
}

export class LeaveHandler implements RpcHandler {
  constructor (private readonly listener: LeaveListener) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    // the body is empty, but a request without it is malformed like any other (protocols/rpc.md, "Missing bodies")
    if (request.leaveRequest == null) return { status: Status.BAD_REQUEST, message: 'leave needs its (empty) leaveRequest body' }
    this.listener.left(context.peer)
    return { status: Status.OK, leaveResponse: {} }
  }
}
