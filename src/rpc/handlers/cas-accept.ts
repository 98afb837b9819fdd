import { Status } from '../pb/rpc.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { acceptorSetProblem } from '../../records/acceptor-set.ts'
import { ballotFromWire, ballotToWire, statusOf } from '../wire.ts'
import { slotRole } from './cas-role.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { CasAcceptor } from './cas-acceptor.ts'

/**
 * cas_accept: phase 2 of compare-and-swap (protocols/cas.md). A record that
 * does not verify for the id, whose seq is not above the slot's expected
 * seq, or a malformed acceptor set, is refused with its reason; otherwise the
 * value (record and next acceptor set) is accepted unless a higher ballot
 * was promised for the slot or the responder is no acceptor of the slot.
 * Accepting never stores the record: only a chosen one is stored (by a STORE).
 */
export class CasAcceptHandler implements RpcHandler {
  constructor (private readonly cas: CasAcceptor) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.casAcceptRequest
    if (body?.id?.byteLength !== POSITION_BYTES || body.ballot == null || body.record.byteLength === 0) {
      return { status: Status.BAD_REQUEST, message: `cas_accept needs a ${POSITION_BYTES}-byte id, a ballot and a record` }
    }
    const badSet = acceptorSetProblem(body.acceptors) ?? acceptorSetProblem(body.nextAcceptors)
    if (badSet != null) return { status: Status.BAD_REQUEST, message: `cas_accept: ${badSet}` }
    const refused = await this.cas.check(body.id, body.expectedSeq, body.record)
    if (refused != null) return { status: statusOf(refused.code), message: refused.message }
    const role = await slotRole(this.cas, { id: body.id, expectedSeq: body.expectedSeq, acceptors: body.acceptors })
    if (!role.replica) {
      return { status: Status.OK, casAcceptResponse: { accepted: false, storedSeq: role.storedSeq } }
    }
    const value = { record: body.record, acceptors: body.nextAcceptors }
    const verdict = await this.cas.state.accept(body.id, body.expectedSeq, ballotFromWire(body.ballot), value, { signal: context.signal })
    return { status: Status.OK, casAcceptResponse: { accepted: verdict.accepted, promisedBallot: ballotToWire(verdict.promisedBallot), storedSeq: verdict.storedSeq } }
  }
}
