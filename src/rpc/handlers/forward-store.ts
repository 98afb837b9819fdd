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
 * FORWARD: no dial, a deadline, the inbound fair queue; the item is
 * checked (size, hash or signature) before anyone is asked, and each
 * replica's ack before it is passed on.
 *
 * A second hop ("A second hop for puts"): asked with `hops` > 0, when we
 * reach fewer than `enough` of our R nearest, or the acks we collected are
 * not from the key's R nearest as the replicas' answers name them (our
 * view missed the key's neighbourhood: at 200 nodes, a forwarder beyond
 * the 40th nearest to the key), we pass the put on once, over an open
 * connection, to our connected peer nearest the key when it is nearer than
 * we are, with `hops` 0, and hand back its acks (checked) and the peers it
 * names after ours.
 */
import { untilDone } from './forward.ts'
import { ItemKind, Status } from '../pb/rpc.ts'
import { POSITION_BYTES, nearestPositioned } from '../../keyspace.ts'
import { MAX_VALUE_BYTES } from '../../constants.ts'
import { verifyHashItem } from '../../records/hash-item.ts'
import { ACK_NONCE_BYTES, ackedItem, verifyStoreAck } from '../../records/store-ack.ts'
import type { AckedItem } from '../../records/store-ack.ts'
import { decodePublishRecord, verifyPublishRecord } from '../../records/publish-record.ts'
import { deadlineSignal } from '../../signals.ts'
import { itemFromWire, peerToWire, statusOf } from '../wire.ts'
import { systemClock } from '../../clock.ts'
import { hexKey, ownBytes } from '../../bytes.ts'
import { uniquePeers } from '../../found-peer.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { ForwardStoreRequest, Frame, StoreAck } from '../pb/rpc.ts'
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
  /** The peer to pass a put of `key` on to: our connected peer nearest the key, nearer to it than we are, never `requester`; undefined: none. */
  nextHop?(key: Uint8Array, requester: PeerId): FoundPeer | undefined
  /** FORWARD_STORE to `peer` over an open connection only, `hops` 0, within `timeoutMs`: its acks (unchecked) and the peers it names. */
  forwardStore?(peer: FoundPeer, item: Item, nonce: Uint8Array, enough: number, timeoutMs: number, signal: AbortSignal): Promise<{ acks: Array<{ peer: FoundPeer, signature: Uint8Array }>, closer: FoundPeer[], storing: PeerId[] }>
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
    this.storer.served?.()
    const item = itemFromWire(wire)
    const run = new ForwardStoreRun(this.storer, this.clock, body, item, this.nearest.shareNearest(item.key, this.storer.replicas), context)
    await run.storeAll()
    return await run.response()
  }
}

/** One FORWARD_STORE being served: the stores on the replicas we reach, their acks, and the second hop if one was started. */
class ForwardStoreRun {
  private readonly enough: number
  private readonly timeoutMs: number
  private readonly started: number
  private readonly signal: AbortSignal
  private readonly acked: AckedItem
  private readonly acks: Array<{ rank: number, ack: StoreAck }> = []
  /** the nearer peers the replicas' answers named: a replica set our table missed */
  private readonly named: FoundPeer[] = []
  /** replicas sent a STORE with no answer yet (ids): named in an early answer as copies on the way */
  private readonly inFlight = new Map<string, Uint8Array<ArrayBuffer>>()
  private readonly next: FoundPeer | undefined
  private passed: Promise<{ acks: StoreAck[], closer: FoundPeer[], storing: PeerId[] } | undefined> | undefined

  constructor (private readonly storer: ForwardStorer, private readonly clock: Clock, private readonly body: ForwardStoreRequest, private readonly item: Item, private readonly nearest: FoundPeer[], private readonly context: RequestContext) {
    this.enough = body.enough
    this.acked = ackedItem(item)
    this.timeoutMs = Math.min(body.timeoutMs > 0 ? body.timeoutMs : storer.maxTimeoutMs, storer.maxTimeoutMs)
    this.started = clock.now()
    // the stores left when we answer early go on until this deadline (copies on all R), then stop
    this.signal = deadlineSignal([context.signal], this.timeoutMs, clock)
    this.next = (body.hops ?? 0) > 0 ? storer.nextHop?.(item.key, context.peer) : undefined
  }

  private rankOf (peer: PeerId): number { return this.nearest.findIndex(p => p.peerId.equals(peer)) }

  private left (): number { return this.timeoutMs - (this.clock.now() - this.started) }

  /** Our store (when we are one of our R nearest) and a STORE on each of our R nearest we reach without a dial (never the origin: it keeps its own copy), until `enough` acks; passed on when that falls short. */
  async storeAll (): Promise<void> {
    const { storer, item } = this
    const nonce = this.body.ackNonce
    const selfKey = storer.selfId.toString()
    const tasks: Array<Promise<void>> = []
    if (this.nearest.some(p => p.peerId.toString() === selfKey)) {
      tasks.push(storer.keep(item, nonce, this.signal).then(signature => {
        this.acks.push({ rank: this.rankOf(storer.selfId), ack: { peer: storer.selfId.toMultihash().bytes, signature: ownBytes(signature) } })
      }, () => {}))
    }
    const targets = this.nearest.filter(p => p.peerId.toString() !== selfKey && !p.peerId.equals(this.context.peer) && storer.isOpen(p.peerId))
    for (const peer of targets) tasks.push(this.storeOn(peer))
    // too few within reach to make `enough`: passed on at once, beside our own stores
    if (tasks.length < this.enough) this.passOn()
    await untilDone(tasks, () => this.enough > 0 && this.acks.length >= this.enough)
    // our acks are not from the key's R nearest as the replicas' answers tell them: our view missed its neighbourhood
    if (this.countedAcks() < Math.max(1, this.enough)) this.passOn()
  }

  private async storeOn (peer: FoundPeer): Promise<void> {
    const left = this.left()
    if (left <= 0 || this.signal.aborted) return
    const id = ownBytes(peer.peerId.toMultihash().bytes)
    this.inFlight.set(hexKey(id), id)
    try {
      const { ack: signature, closer } = await this.storer.store(peer, this.item, this.body.ackNonce, this.signal, left)
      this.named.push(...closer)
      // we pass on only acks that check: one that does not is then the forwarder's lie, never a replica's
      if (signature != null && await verifyStoreAck(peer.peerId, this.body.ackNonce, this.acked, signature)) this.acks.push({ rank: this.rankOf(peer.peerId), ack: { peer: peer.peerId.toMultihash().bytes, signature: ownBytes(signature) } })
    } catch {
      // no ack from that replica: left out (the origin counts only acks)
    } finally {
      this.inFlight.delete(hexKey(id))
    }
  }

  /** The R nearest to the key of what we know now: our own and those the replicas named. */
  private replicaSet (): FoundPeer[] {
    return nearestPositioned(this.item.key, uniquePeers([...this.nearest, ...this.named]), this.storer.replicas)
  }

  /** Our acks whose signers are in that replica set: the ones the origin will count. */
  private countedAcks (): number {
    const members = new Set(this.replicaSet().map(p => hexKey(p.peerId.toMultihash().bytes)))
    return this.acks.filter(a => members.has(hexKey(a.ack.peer))).length
  }

  /** The second hop, at most once: the put passed on to our connected peer nearest the key, with what is left of our time; its acks are checked before they are passed on. */
  private passOn (): void {
    const { next, storer } = this
    const left = this.left()
    if (next == null || storer.forwardStore == null || this.passed != null || left <= 0) return
    this.passed = (async () => {
      const answer = await storer.forwardStore!(next, this.item, this.body.ackNonce, this.enough, left, deadlineSignal([this.context.signal], left, this.clock))
      const acks: StoreAck[] = []
      for (const { peer, signature } of answer.acks) {
        if (await verifyStoreAck(peer.peerId, this.body.ackNonce, this.acked, signature)) acks.push({ peer: peer.peerId.toMultihash().bytes, signature: ownBytes(signature) })
      }
      return { acks, closer: answer.closer, storing: answer.storing }
    })().catch(() => undefined)
  }

  /** Our acks nearest first (a copy: stores still running after an early answer must not change what is sent), then the second hop's; the R nearest of everything we heard of. */
  async response (): Promise<HandlerResult> {
    const sorted = [...this.acks].sort((a, b) => a.rank - b.rank).map(a => a.ack)
    const hop = this.passed == null ? undefined : await this.passed
    const known = [...this.nearest, ...this.named, ...(hop?.closer ?? [])]
    if (hop != null) {
      const signed = new Set(sorted.map(a => hexKey(a.peer)))
      for (const a of hop.acks) if (!signed.has(hexKey(a.peer))) { signed.add(hexKey(a.peer)); sorted.push(a) }
    }
    const closer = nearestPositioned(this.item.key, uniquePeers(known), this.storer.replicas)
    // the copies still on the way (ours and the next hop's), that no ack here already stands for
    const storing = new Map(this.inFlight)
    for (const id of hop?.storing ?? []) storing.set(hexKey(id.toMultihash().bytes), ownBytes(id.toMultihash().bytes))
    for (const a of sorted) storing.delete(hexKey(a.peer))
    return { status: Status.OK, forwardStoreResponse: { acks: sorted, closer: closer.map(peerToWire), storing: [...storing.values()] } }
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
