import { Status } from '../pb/rpc.ts'
import { MAX_FIND_N } from '../../constants.ts'
import { itemFromWire, peerToWire, statusOf } from '../wire.ts'
import { ownBytes } from '../../bytes.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemAcceptor } from '../../store/accept.ts'
import type { NearestPeers } from './nearest-peers.ts'
import type { AckedItem } from '../../records/store-ack.ts'
import { ACK_NONCE_BYTES } from '../../records/store-ack.ts'

/** Signs a store acknowledgement with this node's key (records/store-ack.ts). */
export type AckSigner = (nonce: Uint8Array, item: AckedItem) => Promise<Uint8Array>

/**
 * store: verify an item and keep it; refusals carry a typed status. On
 * request the answer also names the responder's nearest peers to the key, so
 * a writer that went straight to the replica set it knew learns in the same
 * round trip whether it knew the right one.
 */
export class StoreHandler implements RpcHandler {
  constructor (
    private readonly acceptor: ItemAcceptor,
    private readonly nearest: NearestPeers,
    private readonly onStored: (key: Uint8Array) => void = () => {},
    /** Signs the acks of forwarded puts (StoreRequest.ackNonce); without it none is sent. */
    private readonly signAck?: AckSigner
  ) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.storeRequest
    if (body?.item == null) {
      return { status: Status.BAD_REQUEST, message: 'store needs an item' }
    }
    const nonce = body.ackNonce
    if (nonce != null && nonce.byteLength !== ACK_NONCE_BYTES) {
      return { status: Status.BAD_REQUEST, message: `an ack nonce is ${ACK_NONCE_BYTES} bytes` }
    }
    const item = itemFromWire(body.item)
    const result = await this.acceptor.accept(item, { signal: context.signal, expectedSeq: body.expectedSeq })
    if (result.refused == null) this.onStored(body.item.key)
    const closer = body.closerCount > 0 && result.refused == null ? this.nearest.shareNearest(body.item.key, Math.min(body.closerCount, MAX_FIND_N)).map(peerToWire) : []
    // a forwarded put's acknowledgement: what we now keep, signed (publish items: at the seq we hold)
    const ack = nonce != null && result.refused == null && this.signAck != null
      ? await this.signAck(nonce, { kind: item.kind, key: item.key, body: item.body, seq: item.kind === 'publish' ? result.storedSeq ?? 0n : 0n })
      : undefined
    return { status: statusOf(result.refused ?? 'ok'), message: result.message ?? '', storeResponse: { storedSeq: result.storedSeq ?? 0n, closer, ...(ack != null ? { ack: ownBytes(ack) } : {}) } }
  }
}
