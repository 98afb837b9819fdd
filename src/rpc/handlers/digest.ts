import { Status } from '../pb/rpc.ts'
import { DIGEST_BYTES } from '../../store/digest.ts'
import { sharedDigest, sharedItems } from '../../service/shared-set.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { Placement } from '../../service/placement.ts'

/** digest: does the caller's shared set match ours? If not, here are our buckets. */
export class DigestHandler implements RpcHandler {
  constructor (private readonly placement: Placement, private readonly selfKey: string) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.digestRequest
    // a digest of any other length is no digest (an empty set's is 16 zero bytes), not a mismatch
    if (body == null || body.hash.byteLength !== DIGEST_BYTES) {
      return { status: Status.BAD_REQUEST, message: `digest needs a ${DIGEST_BYTES}-byte hash` }
    }
    const ours = sharedDigest(sharedItems(this.placement.assignments(), this.selfKey, context.peer.toString()))
    if (ours.total.equals(body.count, body.hash)) {
      return { status: Status.OK, digestResponse: { match: true, buckets: [] } }
    }
    const buckets = [...ours.buckets].map(([index, d]) => ({ index, count: d.count, hash: d.hash }))
    return { status: Status.OK, digestResponse: { match: false, buckets } }
  }
}
