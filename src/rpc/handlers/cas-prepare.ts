import { Status } from '../pb/rpc.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { ballotFromWire, ballotToWire, peerToWire } from '../wire.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { CasAcceptor } from './cas-acceptor.ts'

/**
 * cas_prepare: phase 1 of compare-and-swap (protocols/cas.md). The responder
 * acts as an acceptor only when it counts itself among the R nearest to the
 * id; either way it names its R nearest, so a proposer whose view of the
 * replica set differs learns it.
 */
export class CasPrepareHandler implements RpcHandler {
  constructor (private readonly cas: CasAcceptor) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.casPrepareRequest
    if (body?.id?.byteLength !== POSITION_BYTES || body.ballot == null) {
      return { status: Status.BAD_REQUEST, message: `cas_prepare needs a ${POSITION_BYTES}-byte id and a ballot` }
    }
    const nearest = this.cas.shareNearest(body.id, this.cas.replicas)
    const closer = nearest.map(peerToWire)
    const replica = nearest.some(p => p.peerId.equals(this.cas.selfId)) && this.cas.acting()
    if (!replica) {
      return { status: Status.OK, casPrepareResponse: { promised: false, replica: false, closer, storedSeq: this.cas.storedSeq(body.id), acceptedRecord: new Uint8Array(0), stale: false, slotKnown: false, acceptedHash: new Uint8Array(0) } }
    }
    const verdict = await this.cas.state.prepare(body.id, body.expectedSeq, ballotFromWire(body.ballot), { signal: context.signal })
    if (verdict.stale) {
      const closed = verdict.retired?.accepted
      return {
        status: Status.OK,
        casPrepareResponse: {
          promised: false,
          stale: true,
          slotKnown: verdict.retired != null,
          acceptedBallot: closed == null ? undefined : ballotToWire(closed.ballot),
          acceptedHash: closed == null ? new Uint8Array(0) : closed.hash.slice(),
          acceptedRecord: new Uint8Array(0),
          storedSeq: verdict.storedSeq,
          replica: true,
          closer
        }
      }
    }
    return {
      status: Status.OK,
      casPrepareResponse: {
        promised: verdict.promised,
        promisedBallot: ballotToWire(verdict.promisedBallot),
        acceptedBallot: verdict.accepted == null ? undefined : ballotToWire(verdict.accepted.ballot),
        acceptedRecord: verdict.accepted == null ? new Uint8Array(0) : verdict.accepted.record.slice(),
        storedSeq: verdict.storedSeq,
        stale: false,
        slotKnown: true,
        acceptedHash: new Uint8Array(0),
        replica: true,
        closer
      }
    }
  }
}
