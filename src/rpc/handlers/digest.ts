import { Status } from '../pb/rpc.ts'
import { DIGEST_BYTES } from '../../store/digest.ts'
import type { BucketedDigest } from '../../store/digest.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { PeerId } from '@libp2p/interface'

/** What the digest handler needs of the service: our shared set with a peer, digested (protocols/rpc.md, anti-entropy). */
export interface SharedDigests {
  digestWith(peer: string): BucketedDigest
  /**
   * A peer that runs repair with us is a live server near us: learn it if our
   * table dropped it (after timeouts during a pause, say) while its connection
   * stayed open, so no new connection would ever tell us of it again.
   */
  heardFrom?(peer: PeerId): void
}

/** digest: does the caller's shared set match ours? If not, here are our buckets. */
export class DigestHandler implements RpcHandler {
  constructor (private readonly shared: SharedDigests) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.digestRequest
    // a digest of any other length is no digest (an empty set's is 16 zero bytes), not a mismatch
    if (body == null || body.hash.byteLength !== DIGEST_BYTES) {
      return { status: Status.BAD_REQUEST, message: `digest needs a ${DIGEST_BYTES}-byte hash` }
    }
    this.shared.heardFrom?.(context.peer)
    const ours = this.shared.digestWith(context.peer.toString())
    if (ours.total.equals(body.count, body.hash)) {
      return { status: Status.OK, digestResponse: { match: true, buckets: [] } }
    }
    const buckets = [...ours.buckets].map(([index, d]) => ({ index, count: d.count, hash: d.hash }))
    return { status: Status.OK, digestResponse: { match: false, buckets } }
  }
}
