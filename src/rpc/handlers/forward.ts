/**
 * FORWARD: a forwarded read (protocols/rpc.md, "Forwarded reads"). A peer
 * with an open connection to us but none to the key's replicas asks us to
 * read for it: we ask those of our R nearest to the key that we have an
 * open direct connection to (our own store when we are one of them) with a
 * plain FETCH, and hand back each answer as it came, attributed to the
 * replica that gave it. We verify nothing on the requester's behalf (it
 * checks every item itself: we are not trusted), and we bound the work:
 * no dial (a replica we have no open connection to is skipped), a
 * deadline, and the request waits its turn in our inbound fair queue like
 * any other. A resolve's quorum hints (`enough`, `shortAtOnce`) let us
 * answer once enough replicas agree, or at once when we cannot reach
 * enough, so the requester moves on sooner.
 *
 * A second hop ("A second hop"): asked with `hops` > 0, when what we reach
 * is not enough (no copy for a get, fewer than `enough` copies for a
 * resolve) we pass the read on once, over an open connection, to our
 * connected peer nearest the key, when it is nearer to the key than we
 * are, and hand back its answers and the peers it names after ours. It gets
 * `hops` 0: two hops at most, whatever we were asked.
 */
import { ForwardMode, Status } from '../pb/rpc.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { isExpired, toItem } from '../../store/item-store.ts'
import { deadlineSignal } from '../../signals.ts'
import { itemToWire, peerToWire } from '../wire.ts'
import { systemClock } from '../../clock.ts'
import { hexKey } from '../../bytes.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { ForwardedAnswer, ForwardRequest, Frame, PeerInfo } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { Clock } from '../../clock.ts'
import type { NearestPeers } from './nearest-peers.ts'
import type { FoundPeer } from '../../found-peer.ts'
import type { Item } from '../../records/item.ts'
import type { ForwardAnswer, ForwardHints, ForwardMode as ReadMode } from '../peer-rpc.ts'
import type { PeerId } from '@libp2p/interface'

/** What the forwarder needs of its own client: its open connections, and FETCH over one of them only. */
export interface ForwardFetcher {
  selfId: PeerId
  /** How many nearest make a replica set (R). */
  replicas: number
  /** The longest a forwarded read may take here, in ms (half the request timeout: the requester's own deadline must outlast ours). */
  maxTimeoutMs: number
  isOpen(peer: PeerId): boolean
  /** An RPC stream to `peer` is open already: a get asks such a replica first (no new stream's round trip). */
  isWarm?(peer: PeerId): boolean
  /** FETCH `key` from `peer` over an open connection only (noDial): the item, or undefined when not held. */
  fetch(peer: FoundPeer, key: Uint8Array, signal: AbortSignal, timeoutMs: number): Promise<Item | undefined>
  /** Hears each forwarded read served (a counter). */
  served?(): void
  /** The peer to pass a read of `key` on to: our connected peer nearest the key, nearer to it than we are, never `requester`; undefined: none. */
  nextHop?(key: Uint8Array, requester: PeerId): FoundPeer | undefined
  /** FORWARD to `peer` over an open connection only, `hops` 0, within `timeoutMs`. */
  forward?(peer: FoundPeer, key: Uint8Array, mode: ReadMode, timeoutMs: number, signal: AbortSignal, hints: ForwardHints): Promise<ForwardAnswer>
}

export class ForwardHandler implements RpcHandler {
  constructor (private readonly nearest: NearestPeers, private readonly store: ItemStore, private readonly fetcher: ForwardFetcher, private readonly clock: Clock = systemClock) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const forward = request.forwardRequest
    const key = forward?.key
    if (forward == null || key?.byteLength !== POSITION_BYTES) {
      return { status: Status.BAD_REQUEST, message: `forward needs a ${POSITION_BYTES}-byte key` }
    }
    this.fetcher.served?.()
    const run = new ForwardRun(this.fetcher, this.clock, forward, key, this.nearest.shareNearest(key, this.fetcher.replicas), context)
    await run.ownAnswer(this.store)
    if (run.replicaSet) {
      const short = await run.readReplicaSet(forward.shortAtOnce === true)
      if (short != null) return short
    } else {
      await run.readFirstCopy()
    }
    return await run.response()
  }
}

/** One FORWARD being served: what was asked, the answers so far, and the second hop if one was started. */
class ForwardRun {
  readonly replicaSet: boolean
  private readonly enough: number
  private readonly timeoutMs: number
  private readonly started: number
  /** aborted too when a resolve answers once enough agree: the slower replicas' fetches are no longer wanted */
  private readonly stop = new AbortController()
  private readonly signal: AbortSignal
  /** the replicas we can ask without a dial, never the requester itself (it would not have asked us); RPC streams open first */
  private readonly replicas: FoundPeer[]
  private readonly answers: Array<{ rank: number, answer: ForwardedAnswer }> = []
  private readonly next: FoundPeer | undefined
  private passed: Promise<ForwardAnswer | undefined> | undefined

  constructor (private readonly fetcher: ForwardFetcher, private readonly clock: Clock, forward: ForwardRequest, private readonly key: Uint8Array, private readonly nearest: FoundPeer[], private readonly context: RequestContext) {
    this.replicaSet = forward.mode === ForwardMode.REPLICA_SET
    this.enough = this.replicaSet ? forward.enough ?? 0 : 0
    this.timeoutMs = Math.min(forward.timeoutMs > 0 ? forward.timeoutMs : fetcher.maxTimeoutMs, fetcher.maxTimeoutMs)
    this.started = clock.now()
    this.signal = deadlineSignal([context.signal, this.stop.signal], this.timeoutMs, clock)
    const selfKey = fetcher.selfId.toString()
    this.replicas = nearest.filter(p => p.peerId.toString() !== selfKey && !p.peerId.equals(context.peer) && fetcher.isOpen(p.peerId))
    // nearest first, those with an RPC stream open before the rest (a stable sort)
    if (fetcher.isWarm != null) this.replicas.sort((a, b) => Number(fetcher.isWarm!(b.peerId)) - Number(fetcher.isWarm!(a.peerId)))
    this.next = (forward.hops ?? 0) > 0 ? fetcher.nextHop?.(key, context.peer) : undefined
  }

  private get selfCounts (): boolean { return this.nearest.some(p => p.peerId.equals(this.fetcher.selfId)) }

  private rankOf (peer: PeerId): number { return this.nearest.findIndex(p => p.peerId.equals(peer)) }

  private held (): number { return this.answers.filter(a => a.answer.item != null).length }

  private left (): number { return this.timeoutMs - (this.clock.now() - this.started) }

  /** Our own store first: a get takes a copy from anywhere (the requester checks its hash); a resolve counts replicas only. */
  async ownAnswer (store: ItemStore): Promise<void> {
    if (this.replicaSet && !this.selfCounts) return
    const own = await store.get(this.key, { signal: this.signal })
    const now = this.clock.now()
    const item = own != null && !isExpired(own, now) ? itemToWire(toItem(this.key, own, now)) : undefined
    if (item != null || this.replicaSet) this.answers.push({ rank: this.rankOf(this.fetcher.selfId), answer: { peer: this.fetcher.selfId.toMultihash().bytes, ...(item != null ? { item } : {}) } })
  }

  private async ask (peer: FoundPeer): Promise<void> {
    const left = this.left()
    if (left <= 0 || this.signal.aborted) return
    try {
      const item = await this.fetcher.fetch(peer, this.key, this.signal, left)
      this.answers.push({ rank: this.rankOf(peer.peerId), answer: { peer: peer.peerId.toMultihash().bytes, ...(item != null ? { item: itemToWire(item) } : {}) } })
    } catch {
      // no answer from that replica: left out (the requester counts only answers)
    }
  }

  /** The second hop, at most once: the read passed on to our connected peer nearest the key, with what is left of our time. */
  private passOn (): void {
    const { next, fetcher } = this
    const left = this.left()
    if (next == null || fetcher.forward == null || this.passed != null || left <= 0) return
    const hints: ForwardHints = this.replicaSet ? { enough: Math.max(1, this.enough) } : {}
    this.passed = fetcher.forward(next, this.key, this.replicaSet ? 'replica-set' : 'first-copy', left, deadlineSignal([this.context.signal], left, this.clock), hints).catch(() => undefined)
  }

  /** A resolve: every replica we reach, until `enough` agree; too few within reach: passed on at once, else (shortAtOnce) said at once. */
  async readReplicaSet (shortAtOnce: boolean): Promise<HandlerResult | undefined> {
    const { enough } = this
    const reachable = this.replicas.length + (this.selfCounts ? 1 : 0)
    if (enough > 0 && reachable < enough) {
      this.passOn()
      if (this.passed == null && shortAtOnce) {
        // the requester asks another forwarder now rather than after our fetches (it may ask us again without the hint)
        return { status: Status.OK, forwardResponse: { answers: this.answers.map(a => a.answer), closer: this.nearest.map(peerToWire), tooFewOpen: true, reachable } }
      }
    }
    await untilDone(this.replicas.map(async p => { await this.ask(p) }), () => enough > 0 && agreeing(this.answers.map(a => a.answer)) >= enough)
    this.stop.abort()
    if (this.held() < Math.max(1, enough)) this.passOn()
    return undefined
  }

  /** A get: the nearest first, the others only when it does not hold it; passed on when nobody does. */
  async readFirstCopy (): Promise<void> {
    if (this.held() === 0 && this.replicas.length > 0) {
      await this.ask(this.replicas[0])
      if (this.held() === 0) await Promise.all(this.replicas.slice(1).map(async p => { await this.ask(p) }))
    }
    if (this.held() === 0) this.passOn()
  }

  /** Our answers nearest first (a copy: asks still running after an early answer must not change it), then the second hop's. */
  async response (): Promise<HandlerResult> {
    const answers = [...this.answers].sort((a, b) => a.rank - b.rank).map(a => a.answer)
    const closer = this.nearest.map(peerToWire)
    const hop = this.passed == null ? undefined : await this.passed
    if (hop != null) appendHop(answers, closer, hop)
    return { status: answers.length > 0 ? Status.OK : Status.NOT_FOUND, forwardResponse: { answers, closer } }
  }
}

/** The next hop's answers and named peers after ours, each peer once. */
function appendHop (answers: ForwardedAnswer[], closer: PeerInfo[], hop: ForwardAnswer): void {
  const answered = new Set(answers.map(a => hexKey(a.peer)))
  for (const { peer, item } of hop.answers) {
    const id = peer.peerId.toMultihash().bytes
    if (answered.has(hexKey(id))) continue
    answered.add(hexKey(id))
    answers.push({ peer: id, ...(item != null ? { item: itemToWire(item) } : {}) })
  }
  const named = new Set(closer.map(p => hexKey(p.id)))
  for (const p of hop.closer) {
    const wire = peerToWire(p)
    if (!named.has(hexKey(wire.id))) { named.add(hexKey(wire.id)); closer.push(wire) }
  }
}

/** Resolves when every ask is over, or as soon as `done()` holds (at once, or after one of them); also FORWARD_STORE's wait for enough acks. */
export async function untilDone (asks: Array<Promise<void>>, done: () => boolean): Promise<void> {
  if (asks.length === 0 || done()) return
  const { promise, resolve } = Promise.withResolvers<void>()
  let left = asks.length
  for (const a of asks) {
    void a.finally(() => {
      left--
      if (left === 0 || done()) resolve()
    })
  }
  await promise
}

/** The largest number of answers that agree: the same item bytes, or all "not held". */
function agreeing (answers: ForwardedAnswer[]): number {
  const counts = new Map<string, number>()
  let most = 0
  for (const a of answers) {
    const key = a.item == null ? '' : `${a.item.kind}:${hexKey(a.item.body)}`
    const n = (counts.get(key) ?? 0) + 1
    counts.set(key, n)
    most = Math.max(most, n)
  }
  return most
}
