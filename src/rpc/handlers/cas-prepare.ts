import { Status } from '../pb/rpc.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { acceptorSetProblem } from '../../records/acceptor-set.ts'
import { ballotFromWire, ballotToWire, peerToWire } from '../wire.ts'
import { slotRole } from './cas-role.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { CasPrepareResponse, Frame } from '../pb/rpc.ts'
import type { CasAcceptor } from './cas-acceptor.ts'

const EMPTY = new Uint8Array(0)

/**
 * cas_prepare: phase 1 of compare-and-swap (protocols/cas.md). The responder
 * acts as an acceptor when it is a member of the slot's acceptor set (the set
 * its copy of record expectedSeq carries, else the one the request names,
 * else its own R nearest); either way it names its R nearest and the set its
 * stored record carries, so a proposer whose view differs learns both.
 */
export class CasPrepareHandler implements RpcHandler {
  constructor (private readonly cas: CasAcceptor) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.casPrepareRequest
    if (body?.id?.byteLength !== POSITION_BYTES || body.ballot == null) {
      return { status: Status.BAD_REQUEST, message: `cas_prepare needs a ${POSITION_BYTES}-byte id and a ballot` }
    }
    const badSet = acceptorSetProblem(body.acceptors)
    if (badSet != null) return { status: Status.BAD_REQUEST, message: `cas_prepare: ${badSet}` }
    const closer = this.cas.shareNearest(body.id, this.cas.replicas).map(peerToWire)
    const role = await slotRole(this.cas, { id: body.id, expectedSeq: body.expectedSeq, acceptors: body.acceptors })
    const base = { storedSeq: role.storedSeq, storedAcceptors: role.storedAcceptors.map(a => a.slice()), closer, acceptedRecord: EMPTY, acceptedHash: EMPTY, acceptedAcceptors: [] }
    if (!role.replica) {
      return { status: Status.OK, casPrepareResponse: { ...base, promised: false, replica: false, stale: false, slotKnown: false } }
    }
    const verdict = await this.cas.state.prepare(body.id, body.expectedSeq, ballotFromWire(body.ballot), { signal: context.signal })
    let response: CasPrepareResponse
    if (verdict.stale) {
      const closed = verdict.retired?.accepted
      response = {
        ...base,
        promised: false,
        stale: true,
        slotKnown: verdict.retired != null,
        acceptedBallot: closed == null ? undefined : ballotToWire(closed.ballot),
        acceptedHash: closed == null ? EMPTY : closed.hash.slice(),
        storedSeq: verdict.storedSeq,
        replica: true
      }
    } else {
      response = {
        ...base,
        promised: verdict.promised,
        promisedBallot: ballotToWire(verdict.promisedBallot),
        acceptedBallot: verdict.accepted == null ? undefined : ballotToWire(verdict.accepted.ballot),
        acceptedRecord: verdict.accepted == null ? EMPTY : verdict.accepted.record.slice(),
        acceptedAcceptors: verdict.accepted == null ? [] : verdict.accepted.acceptors.map(a => a.slice()),
        storedSeq: verdict.storedSeq,
        stale: false,
        slotKnown: true,
        replica: true
      }
    }
    return { status: Status.OK, casPrepareResponse: response }
  }
}
