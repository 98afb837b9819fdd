/**
 * FORWARD_STORE: a forwarded put (protocols/rpc.md, "Forwarded puts"). A
 * peer with an open connection to us but to too few of a key's replicas
 * hands us a hash item or a plain publish record: we keep it when we are one of our R nearest to the
 * key, store it with a plain STORE carrying the origin's ack nonce on those
 * of our R nearest we have an open direct connection to, and hand back the
 * signed acknowledgements they return (ours too) with our R nearest, those
 * replicas' answers included (a nearer peer one of them names is one our
 * table missed: the origin must not count acks from outside it). We are
 * not trusted: the origin checks every signature itself, and counts only
 * signers among the key's R nearest by its own reckoning. Bounded like
 * FORWARD: no dial, never a forward of our own (one hop), a deadline, the
 * inbound fair queue; the item is checked (size, hash or signature) before anyone is asked,
 * and each replica's ack before it is passed on.
 */
import { untilDone } from './forward.ts'
import { ItemKind, Status } from '../pb/rpc.ts'
import { POSITION_BYTES, nearestPositioned } from '../../keyspace.ts'
import { MAX_VALUE_BYTES } from '../../constants.ts'
import { verifyHashItem } from '../../records/hash-item.ts'
import { ACK_NONCE_BYTES, ackedItem, verifyStoreAck } from '../../records/store-ack.ts'
import { decodePublishRecord, verifyPublishRecord } from '../../records/publish-record.ts'
import { deadlineSignal } from '../../signals.ts'
import { itemFromWire, peerToWire, statusOf } from '../wire.ts'
import { systemClock } from '../../clock.ts'
import { ownBytes } from '../../bytes.ts'
import { uniquePeers } from '../../found-peer.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame, StoreAck } from '../pb/rpc.ts'
import type { Clock } from '../../clock.ts'
import type { NearestPeers } from './nearest-peers.ts'
import type { FoundPeer } from '../../found-peer.ts'
import type { Item } from '../../records/item.ts'
import type { PeerId } from '@libp2p/interface'

/** What the forwarder needs of its own node: its open connections, STORE over one of them only, its own store and key. */
export interface ForwardStorer {
  selfId: PeerId
  /** How many nearest make a replica set (R). */
  replicas: number
  /** The longest a forwarded put may take here, in ms (half the request timeout: the origin's own deadline must outlast ours). */
  maxTimeoutMs: number
  isOpen(peer: PeerId): boolean
  /** STORE `item` on `peer` over an open connection only (noDial), asking for an ack over `nonce` and its R nearest: the signature (undefined when none came) and those peers. */
  store(peer: FoundPeer, item: Item, nonce: Uint8Array, signal: AbortSignal, timeoutMs: number): Promise<{ ack?: Uint8Array, closer: FoundPeer[] }>
  /** Keep `item` here (we are one of its R nearest) and sign our own ack over `nonce`; throws when our store refuses it. */
  keep(item: Item, nonce: Uint8Array, signal: AbortSignal): Promise<Uint8Array>
  /** Hears each forwarded put served (a counter). */
  served?(): void
}

export class ForwardStoreHandler implements RpcHandler {
  constructor (private readonly nearest: NearestPeers, private readonly storer: ForwardStorer, private readonly clock: Clock = systemClock) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const body = request.forwardStoreRequest
    const wire = body?.item
    if (body == null || wire == null) return { status: Status.BAD_REQUEST, message: 'forward-store needs an item' }
    if (wire.kind !== ItemKind.HASH && wire.kind !== ItemKind.PUBLISH) return { status: Status.BAD_REQUEST, message: 'forwarded puts take hash items and publish records only' }
    if (wire.key.byteLength !== POSITION_BYTES) return { status: Status.BAD_REQUEST, message: `forward-store needs a ${POSITION_BYTES}-byte key` }
    if (body.ackNonce.byteLength !== ACK_NONCE_BYTES) return { status: Status.BAD_REQUEST, message: `forward-store needs a ${ACK_NONCE_BYTES}-byte ack nonce` }
    if (wire.body.byteLength > MAX_VALUE_BYTES) return { status: Status.TOO_LARGE, message: `value over ${MAX_VALUE_BYTES} bytes` }
    // checked before anyone is asked: we pass on no garbage
    const refused = await refusalOf(wire.kind, wire.key, wire.body)
    if (refused != null) return refused
    const { storer } = this
    storer.served?.()
    const item = itemFromWire(wire)
    const nonce = body.ackNonce
    const acked = ackedItem(item)
    const timeoutMs = Math.min(body.timeoutMs > 0 ? body.timeoutMs : storer.maxTimeoutMs, storer.maxTimeoutMs)
    // the stores left when we answer early go on until this deadline (copies on all R), then stop
    const signal = deadlineSignal([context.signal], timeoutMs, this.clock)
    const started = this.clock.now()
    const nearest = this.nearest.shareNearest(item.key, storer.replicas)
    const selfKey = storer.selfId.toString()
    const rankOf = (peer: PeerId): number => nearest.findIndex(p => p.peerId.equals(peer))
    const acks: Array<{ rank: number, ack: StoreAck }> = []
    const named: FoundPeer[] = []
    const tasks: Array<Promise<void>> = []
    if (nearest.some(p => p.peerId.toString() === selfKey)) {
      tasks.push(storer.keep(item, nonce, signal).then(signature => {
        acks.push({ rank: rankOf(storer.selfId), ack: { peer: storer.selfId.toMultihash().bytes, signature: ownBytes(signature) } })
      }, () => {}))
    }
    // those we can reach without a dial; never the origin (it keeps its own copy)
    const targets = nearest.filter(p => p.peerId.toString() !== selfKey && !p.peerId.equals(context.peer) && storer.isOpen(p.peerId))
    for (const peer of targets) {
      tasks.push((async () => {
        const left = timeoutMs - (this.clock.now() - started)
        if (left <= 0 || signal.aborted) return
        try {
          const { ack: signature, closer } = await storer.store(peer, item, nonce, signal, left)
          named.push(...closer)
          // we pass on only acks that check: one that does not is then the forwarder's lie, never a replica's
          if (signature != null && await verifyStoreAck(peer.peerId, nonce, acked, signature)) acks.push({ rank: rankOf(peer.peerId), ack: { peer: peer.peerId.toMultihash().bytes, signature: ownBytes(signature) } })
        } catch {
          // no ack from that replica: left out (the origin counts only acks)
        }
      })())
    }
    const enough = body.enough
    await untilDone(tasks, () => enough > 0 && acks.length >= enough)
    // a copy: stores still running after an early answer must not change what is sent
    const sorted = [...acks].sort((a, b) => a.rank - b.rank).map(a => a.ack)
    const closer = nearestPositioned(item.key, uniquePeers([...nearest, ...named]), storer.replicas)
    return { status: Status.OK, forwardStoreResponse: { acks: sorted, closer: closer.map(peerToWire) } }
  }
}

/** Why we would not pass this item on (a hash item that does not hash to its key, a record that does not check), undefined when it is fine. */
async function refusalOf (kind: ItemKind, key: Uint8Array, body: Uint8Array): Promise<HandlerResult | undefined> {
  if (kind === ItemKind.HASH) return verifyHashItem(key, body) ? undefined : { status: Status.HASH_MISMATCH, message: 'the value does not hash to the key' }
  try {
    const verdict = await verifyPublishRecord(key, decodePublishRecord(body))
    return verdict === 'ok' ? undefined : { status: statusOf(verdict), message: `the record does not check: ${verdict}` }
  } catch (err: any) {
    return { status: statusOf(err.code ?? 'bad-request'), message: `the record does not decode: ${err.message}` }
  }
}
