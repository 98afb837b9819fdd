import { Status } from '../pb/rpc.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { ballotFromWire, ballotToWire, statusOf } from '../wire.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { CasAcceptor } from './cas-acceptor.ts'

/**
 * cas_accept: phase 2 of compare-and-swap (protocols/cas.md). A record that
 * does not verify for the id, or whose seq is not above the slot's expected
 * seq, is refused with its reason; otherwise it is accepted unless a higher
 * ballot was promised for the slot. Accepting never stores the record: only
 * a chosen record is stored (by an ordinary STORE).
 */
export class CasAcceptHandler implements RpcHandler {
  constructor (private readonly cas: CasAcceptor) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.casAcceptRequest
    if (body?.id?.byteLength !== POSITION_BYTES || body.ballot == null || body.record.byteLength === 0) {
      return { status: Status.BAD_REQUEST, message: `cas_accept needs a ${POSITION_BYTES}-byte id, a ballot and a record` }
    }
    const refused = await this.cas.check(body.id, body.expectedSeq, body.record)
    if (refused != null) return { status: statusOf(refused.code), message: refused.message }
    if (!this.cas.shareNearest(body.id, this.cas.replicas).some(p => p.peerId.equals(this.cas.selfId)) || !this.cas.acting()) {
      return { status: Status.OK, casAcceptResponse: { accepted: false, storedSeq: this.cas.storedSeq(body.id) } }
    }
    const verdict = await this.cas.state.accept(body.id, body.expectedSeq, ballotFromWire(body.ballot), body.record, { signal: context.signal })
    return { status: Status.OK, casAcceptResponse: { accepted: verdict.accepted, promisedBallot: ballotToWire(verdict.promisedBallot), storedSeq: verdict.storedSeq } }
  }
}
