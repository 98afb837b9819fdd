/**
 * FORWARD: a forwarded read (protocols/rpc.md, "Forwarded reads"). A peer
 * with an open connection to us but none to the key's replicas asks us to
 * read for it: we ask those of our R nearest to the key that we have an
 * open direct connection to (our own store when we are one of them) with a
 * plain FETCH, and hand back each answer as it came, attributed to the
 * replica that gave it. We verify nothing on the requester's behalf (it
 * checks every item itself: we are not trusted), and we bound the work:
 * no dial (a replica we have no open connection to is skipped), never a
 * FORWARD of our own (one hop at most), a deadline, and the request waits
 * its turn in our inbound fair queue like any other. A resolve's quorum
 * hints (`enough`, `shortAtOnce`) let us answer once enough replicas agree,
 * or at once when we cannot reach enough, so the requester moves on sooner.
 */
import { ForwardMode, Status } from '../pb/rpc.ts'
import { POSITION_BYTES } from '../../keyspace.ts'
import { isExpired, toItem } from '../../store/item-store.ts'
import { deadlineSignal } from '../../signals.ts'
import { itemToWire, peerToWire } from '../wire.ts'
import { systemClock } from '../../clock.ts'
import { hexKey } from '../../bytes.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { ForwardedAnswer, Frame } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { Clock } from '../../clock.ts'
import type { NearestPeers } from './nearest-peers.ts'
import type { FoundPeer } from '../../found-peer.ts'
import type { Item } from '../../records/item.ts'
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
}

export class ForwardHandler implements RpcHandler {
  constructor (private readonly nearest: NearestPeers, private readonly store: ItemStore, private readonly fetcher: ForwardFetcher, private readonly clock: Clock = systemClock) {}

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const forward = request.forwardRequest
    const key = forward?.key
    if (forward == null || key?.byteLength !== POSITION_BYTES) {
      return { status: Status.BAD_REQUEST, message: `forward needs a ${POSITION_BYTES}-byte key` }
    }
    const { fetcher } = this
    fetcher.served?.()
    const timeoutMs = Math.min(forward.timeoutMs > 0 ? forward.timeoutMs : fetcher.maxTimeoutMs, fetcher.maxTimeoutMs)
    // aborted too when a resolve answers once enough agree: the slower replicas' fetches are no longer wanted
    const stop = new AbortController()
    const signal = deadlineSignal([context.signal, stop.signal], timeoutMs, this.clock)
    const started = this.clock.now()
    const nearest = this.nearest.shareNearest(key, fetcher.replicas)
    const selfKey = fetcher.selfId.toString()
    // the replicas we can ask without a dial; never the requester itself (it would not have asked us)
    const replicas = nearest.filter(p => p.peerId.toString() !== selfKey && !p.peerId.equals(context.peer) && fetcher.isOpen(p.peerId))
    // nearest first, those with an RPC stream open before the rest (a stable sort)
    if (fetcher.isWarm != null) replicas.sort((a, b) => Number(fetcher.isWarm!(b.peerId)) - Number(fetcher.isWarm!(a.peerId)))
    const answers: Array<{ rank: number, answer: ForwardedAnswer }> = []
    const rankOf = (peer: PeerId): number => nearest.findIndex(p => p.peerId.equals(peer))
    // a get takes a copy from anywhere (the requester checks its hash); a resolve counts replicas only
    if (forward.mode !== ForwardMode.REPLICA_SET || nearest.some(p => p.peerId.toString() === selfKey)) {
      const own = await this.store.get(key, { signal })
      const now = this.clock.now()
      const item = own != null && !isExpired(own, now) ? itemToWire(toItem(key, own, now)) : undefined
      if (item != null || forward.mode === ForwardMode.REPLICA_SET) answers.push({ rank: rankOf(fetcher.selfId), answer: { peer: fetcher.selfId.toMultihash().bytes, ...(item != null ? { item } : {}) } })
    }
    const ask = async (peer: FoundPeer): Promise<void> => {
      const left = timeoutMs - (this.clock.now() - started)
      if (left <= 0 || signal.aborted) return
      try {
        const item = await fetcher.fetch(peer, key, signal, left)
        answers.push({ rank: rankOf(peer.peerId), answer: { peer: peer.peerId.toMultihash().bytes, ...(item != null ? { item: itemToWire(item) } : {}) } })
      } catch {
        // no answer from that replica: left out (the requester counts only answers)
      }
    }
    const held = (): boolean => answers.some(a => a.answer.item != null)
    if (forward.mode === ForwardMode.REPLICA_SET) {
      const enough = forward.enough ?? 0
      const selfCounts = nearest.some(p => p.peerId.toString() === selfKey)
      const reachable = replicas.length + (selfCounts ? 1 : 0)
      if (forward.shortAtOnce === true && enough > 0 && reachable < enough) {
        // the requester asks another forwarder now rather than after our fetches (it may ask us again without the hint)
        return { status: Status.OK, forwardResponse: { answers: answers.map(a => a.answer), closer: nearest.map(peerToWire), tooFewOpen: true, reachable } }
      }
      await untilDone(replicas.map(ask), () => enough > 0 && agreeing(answers.map(a => a.answer)) >= enough)
      stop.abort()
    } else if (!held() && replicas.length > 0) {
      // a get: the nearest first, the others only when it does not hold it
      await ask(replicas[0])
      if (!held()) await Promise.all(replicas.slice(1).map(ask))
    }
    const closer = nearest.map(peerToWire)
    // a copy: asks still running after an early answer must not change what is sent
    const sorted = [...answers].sort((a, b) => a.rank - b.rank).map(a => a.answer)
    return { status: sorted.length > 0 ? Status.OK : Status.NOT_FOUND, forwardResponse: { answers: sorted, closer } }
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
