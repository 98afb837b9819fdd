/**
 * The typed RPC client: builds each request frame of protocols/rpc.md,
 * sends it over a FrameTransport (libp2p streams, or the in-memory test
 * network), and turns the answer into domain types. Any status but OK and
 * NOT_FOUND becomes a RemoteRejectedError carrying its code.
 */
import { ForwardMode as WireForwardMode, Frame, Status } from './pb/rpc.ts'
import { ballotFromWire, ballotToWire, codeOf, itemFromWire, itemToWire, peerFromWire } from './wire.ts'
import { MAX_FIND_N } from '../constants.ts'
import { RemoteRejectedError } from '../errors.ts'
import { ownBytes } from '../bytes.ts'
import type { Exchange } from './channel.ts'
import type { PeerInfo } from './pb/rpc.ts'
import type { RoutedFindAnswer } from './peer-rpc.ts'
import type { AcceptAnswer, CasSlot, DigestAnswer, DigestSummary, FetchAnswer, FetchManyAnswer, FindBeforeNAnswer, ForwardAnswer, ForwardHints, ForwardMode, ForwardStoreAnswer, HandoffBatch, KeyVersion, PeerRpc, PrepareAnswer, RequestOptions, StoreAnswer, StoreParams } from './peer-rpc.ts'
import type { Ballot, CasValue } from '../store/paxos-state.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Item } from '../records/item.ts'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Options of one exchange: its deadline, and who hears an answer that comes after it (see RequestOptions). */
export type ExchangeOptions = AbortOptions & { timeout: number, onLateAnswer?(): void, noDial?: boolean }

/** Carries one request frame to a peer and brings back its response. */
export interface FrameTransport {
  exchange(peer: FoundPeer, frame: Partial<Frame>, options: ExchangeOptions): Promise<Exchange>
  close(): void
  /** Is there an open direct (not relayed) connection to `peer`? Forwarded reads go only over those. */
  isOpen?(peer: PeerId): boolean
  /** Is an RPC stream to `peer` already open (a request there skips the new stream's protocol select)? */
  isWarm?(peer: PeerId): boolean
}

export interface RpcClientInit {
  /** Which of the addresses peers name are worth keeping (drops private ones on the public internet). */
  filterAddrs?(addrs: Multiaddr[]): Multiaddr[]
  /** Peers named in answers that are left out (those that announced their leave, service/departed-peers.ts). */
  skipPeer?(peer: PeerId): boolean
}

export class RpcClient implements PeerRpc {
  private readonly transport: FrameTransport
  private readonly filterAddrs: (addrs: Multiaddr[]) => Multiaddr[]
  private readonly skipPeer?: (peer: PeerId) => boolean

  constructor (transport: FrameTransport, init: RpcClientInit = {}) {
    this.transport = transport
    this.filterAddrs = init.filterAddrs ?? (addrs => addrs)
    this.skipPeer = init.skipPeer
  }

  async findBeforeN (peer: FoundPeer, target: Uint8Array, n: number, options: RequestOptions): Promise<FindBeforeNAnswer> {
    const response = await this.ask(peer, { type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: ownBytes(target), n } }, options)
    return { peers: this.peers(response.findBeforeNResponse?.peers), holds: response.findBeforeNResponse?.holds ?? false }
  }

  async findRouted (peer: FoundPeer, target: Uint8Array, n: number, route: number, options: RequestOptions): Promise<RoutedFindAnswer> {
    const response = await this.ask(peer, { type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: ownBytes(target), n, route } }, options)
    const body = response.findBeforeNResponse
    return { peers: this.peers(body?.peers), holds: body?.holds ?? false, routed: body?.routed ?? 0, exhaustive: body?.exhaustive ?? false }
  }

  async fetch (peer: FoundPeer, key: Uint8Array, closerCount: number, options: RequestOptions): Promise<FetchAnswer> {
    const response = await this.ask(peer, { type: Frame.Type.FETCH, fetchRequest: { key: ownBytes(key), closerCount } }, options)
    const item = response.fetchResponse?.item
    return { item: item == null ? undefined : itemFromWire(item), closer: this.peers(response.fetchResponse?.closer) }
  }

  async fetchMany (peer: FoundPeer, keys: Uint8Array[], options: RequestOptions): Promise<FetchManyAnswer> {
    const response = await this.ask(peer, { type: Frame.Type.FETCH_MANY, fetchManyRequest: { keys: keys.map(ownBytes) } }, options)
    const answer = response.fetchManyResponse
    return { items: (answer?.items ?? []).map(itemFromWire), missing: answer?.missing ?? [], omitted: answer?.omitted ?? [] }
  }

  async forward (peer: FoundPeer, key: Uint8Array, mode: ForwardMode, timeoutMs: number, options: RequestOptions, hints: ForwardHints = {}): Promise<ForwardAnswer> {
    const forwardRequest = { key: ownBytes(key), mode: mode === 'replica-set' ? WireForwardMode.REPLICA_SET : WireForwardMode.FIRST_COPY, timeoutMs, enough: hints.enough ?? 0, shortAtOnce: hints.shortAtOnce ?? false, ...(hints.hops != null && hints.hops > 0 ? { hops: hints.hops } : {}) }
    const response = await this.ask(peer, { type: Frame.Type.FORWARD, forwardRequest }, options)
    const answers: ForwardAnswer['answers'] = []
    for (const a of (response.forwardResponse?.answers ?? []).slice(0, MAX_FIND_N)) {
      const from = peerFromWire({ id: a.peer, addrs: [] })
      if (from != null) answers.push({ peer: from, item: a.item == null ? undefined : itemFromWire(a.item) })
    }
    const tooFewOpen = response.forwardResponse?.tooFewOpen === true
    return { answers, closer: this.peers(response.forwardResponse?.closer), ...(tooFewOpen ? { tooFewOpen, reachable: response.forwardResponse?.reachable ?? 0 } : {}) }
  }

  async store (peer: FoundPeer, item: Item, params: StoreParams, options: RequestOptions): Promise<StoreAnswer> {
    const storeRequest = { item: itemToWire(item), expectedSeq: params.expectedSeq, closerCount: params.closerCount ?? 0, ...(params.ackNonce != null ? { ackNonce: ownBytes(params.ackNonce) } : {}) }
    const response = await this.ask(peer, { type: Frame.Type.STORE, storeRequest }, options)
    const ack = response.storeResponse?.ack
    return { storedSeq: response.storeResponse?.storedSeq ?? 0n, closer: this.peers(response.storeResponse?.closer), ...(ack != null && ack.byteLength > 0 ? { ack } : {}) }
  }

  async forwardStore (peer: FoundPeer, item: Item, ackNonce: Uint8Array, timeoutMs: number, enough: number, options: RequestOptions, hops = 0): Promise<ForwardStoreAnswer> {
    const forwardStoreRequest = { item: itemToWire(item), ackNonce: ownBytes(ackNonce), timeoutMs, enough, ...(hops > 0 ? { hops } : {}) }
    const response = await this.ask(peer, { type: Frame.Type.FORWARD_STORE, forwardStoreRequest }, options)
    const acks: ForwardStoreAnswer['acks'] = []
    for (const a of (response.forwardStoreResponse?.acks ?? []).slice(0, MAX_FIND_N)) {
      const from = peerFromWire({ id: a.peer, addrs: [] })
      if (from != null) acks.push({ peer: from, signature: a.signature })
    }
    const storing: PeerId[] = []
    for (const id of (response.forwardStoreResponse?.storing ?? []).slice(0, MAX_FIND_N)) {
      const from = peerFromWire({ id, addrs: [] })
      if (from != null) storing.push(from.peerId)
    }
    return { acks, closer: this.peers(response.forwardStoreResponse?.closer), storing }
  }

  async digest (peer: FoundPeer, digest: DigestSummary, options: RequestOptions): Promise<DigestAnswer> {
    const response = await this.ask(peer, { type: Frame.Type.DIGEST, digestRequest: { count: digest.count, hash: ownBytes(digest.hash) } }, options)
    return { match: response.digestResponse?.match ?? false, buckets: response.digestResponse?.buckets ?? [] }
  }

  async syncKeys (peer: FoundPeer, bucket: number, keys: KeyVersion[], options: RequestOptions): Promise<Uint8Array[]> {
    const syncKeysRequest = { bucket, keys: keys.map(k => ({ key: ownBytes(k.key), seq: k.seq })) }
    const response = await this.ask(peer, { type: Frame.Type.SYNC_KEYS, syncKeysRequest }, options)
    return response.syncKeysResponse?.missing ?? []
  }

  async holds (peer: FoundPeer, keys: Uint8Array[], options: RequestOptions): Promise<KeyVersion[]> {
    const response = await this.ask(peer, { type: Frame.Type.HOLDS, holdsRequest: { keys: keys.map(ownBytes) } }, options)
    return response.holdsResponse?.held ?? []
  }

  async handoff (peer: FoundPeer, cursor: Uint8Array, limit: number, acked: Uint8Array[], options: RequestOptions): Promise<HandoffBatch> {
    const response = await this.ask(peer, { type: Frame.Type.HANDOFF, handoffRequest: { cursor: ownBytes(cursor), limit, acked: acked.map(ownBytes) } }, options)
    const batch = response.handoffResponse
    return { items: (batch?.items ?? []).map(itemFromWire), cursor: batch?.cursor ?? cursor, done: batch?.done ?? true }
  }

  /** `limit = 0`: record the acknowledgements, send nothing back (protocols/rpc.md). */
  async acknowledgeHandoff (peer: FoundPeer, acked: Uint8Array[], options: RequestOptions): Promise<void> {
    await this.ask(peer, { type: Frame.Type.HANDOFF, handoffRequest: { cursor: new Uint8Array(0), limit: 0, acked: acked.map(ownBytes) } }, options)
  }

  async prepare (peer: FoundPeer, slot: CasSlot, ballot: Ballot, options: RequestOptions): Promise<PrepareAnswer> {
    const casPrepareRequest = { id: ownBytes(slot.id), expectedSeq: slot.expectedSeq, ballot: ballotToWire(ballot), acceptors: (slot.acceptors ?? []).map(ownBytes) }
    const response = await this.ask(peer, { type: Frame.Type.CAS_PREPARE, casPrepareRequest }, options)
    const answer = response.casPrepareResponse
    return {
      promised: answer?.promised ?? false,
      promisedBallot: ballotFromWire(answer?.promisedBallot),
      accepted: answer?.acceptedBallot == null || answer.acceptedRecord.byteLength === 0 ? undefined : { ballot: ballotFromWire(answer.acceptedBallot), record: answer.acceptedRecord, acceptors: answer.acceptedAcceptors },
      storedSeq: answer?.storedSeq ?? 0n,
      storedAcceptors: answer?.storedAcceptors ?? [],
      stale: answer?.stale ?? false,
      slotKnown: answer?.slotKnown ?? false,
      closedAccepted: answer?.stale === true && answer.acceptedHash.byteLength > 0 ? { ballot: ballotFromWire(answer.acceptedBallot), hash: answer.acceptedHash } : undefined,
      replica: answer?.replica ?? false,
      closer: this.peers(answer?.closer)
    }
  }

  async accept (peer: FoundPeer, slot: CasSlot, ballot: Ballot, value: CasValue, options: RequestOptions): Promise<AcceptAnswer> {
    const casAcceptRequest = {
      id: ownBytes(slot.id),
      expectedSeq: slot.expectedSeq,
      ballot: ballotToWire(ballot),
      record: ownBytes(value.record),
      acceptors: (slot.acceptors ?? []).map(ownBytes),
      nextAcceptors: value.acceptors.map(ownBytes)
    }
    const response = await this.ask(peer, { type: Frame.Type.CAS_ACCEPT, casAcceptRequest }, options)
    const answer = response.casAcceptResponse
    return { accepted: answer?.accepted ?? false, promisedBallot: ballotFromWire(answer?.promisedBallot), storedSeq: answer?.storedSeq ?? 0n }
  }

  async leave (peer: FoundPeer, options: RequestOptions): Promise<void> {
    await this.ask(peer, { type: Frame.Type.LEAVE, leaveRequest: {} }, options)
  }

  close (): void {
    this.transport.close()
  }

  private async ask (peer: FoundPeer, frame: Partial<Frame>, options: RequestOptions): Promise<Frame> {
    const { response, bytes } = await this.transport.exchange(peer, frame, options)
    options.onBytes?.(bytes)
    if (response.status !== Status.OK && response.status !== Status.NOT_FOUND) {
      const code = codeOf(response.status)
      throw new RemoteRejectedError(`${peer.peerId}: ${response.message !== '' ? response.message : code}`, code)
    }
    return response
  }

  private peers (infos: PeerInfo[] = []): FoundPeer[] {
    const out: FoundPeer[] = []
    for (const info of infos.slice(0, MAX_FIND_N)) {
      const peer = peerFromWire(info)
      if (peer != null && this.skipPeer?.(peer.peerId) !== true) out.push({ ...peer, multiaddrs: this.filterAddrs(peer.multiaddrs) })
    }
    return out
  }
}
