/**
 * FIND_BEFORE_N with `route` > 0: a routed find (protocols/rpc.md, "Routed
 * find"; issue 13's join). A fresh node has one open connection, to its
 * bootstrap peer; an iterative self lookup meets its neighbours through
 * 2–3 hops of new connections (TCP, multistream-select, Noise, yamux: about
 * four round trips each) before it can pull from them. Routed, the request
 * goes on from peer to peer over connections those peers already have open,
 * each hop one round trip, toward the target, and the answer comes back with
 * the nearest peers the chain knew: the joiner then dials its neighbours all
 * at once.
 *
 * We pass the request on only when our table may not know every peer near
 * the target (the band the target falls in is full), to the peer nearest to
 * the target among our nearest that we have an open direct connection to and
 * that is nearer to it than we are (so the chain always closes in and never
 * loops), never the requester, never with a dial, within our own deadline.
 * Anything going wrong there leaves our own answer. `exhaustive` says the
 * last hop stopped because its table holds all it knows of the target's
 * band (not for want of an open nearer peer, nor a failure): the requester
 * may then act on the names at once. What the chain names is
 * not trusted: the requester asks each peer itself (its lookup).
 */
import { Status } from '../pb/rpc.ts'
import { MAX_FIND_N } from '../../constants.ts'
import { compareDistance, equalPositions, nearestPositioned, peerPosition } from '../../keyspace.ts'
import { peerToWire } from '../wire.ts'
import { deadlineSignal } from '../../signals.ts'
import { systemClock } from '../../clock.ts'
import { FindBeforeNHandler } from './find-before-n.ts'
import type { HandlerResult, RequestContext, RpcHandler } from '../server.ts'
import type { Frame } from '../pb/rpc.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { NearestPeers } from './nearest-peers.ts'
import type { FoundPeer } from '../../found-peer.ts'
import type { Clock } from '../../clock.ts'
import type { PeerId } from '@libp2p/interface'

/** The most hops a routed find is passed on (a larger `route` is capped). */
export const MAX_ROUTE_HOPS = 8

/** What passing a routed find on needs of our own client and table. */
export interface FindRouter {
  selfId: PeerId
  /** How long we wait for the next hop, in ms (well inside a requester's request timeout). */
  hopTimeoutMs: number
  isOpen(peer: PeerId): boolean
  /** Our table may miss peers near `target`: the band it falls in is full. */
  mayKnowMore(target: Uint8Array): boolean
  /** FIND_BEFORE_N with `route` to `peer`, over an open connection only (noDial). */
  find(peer: FoundPeer, target: Uint8Array, n: number, route: number, signal: AbortSignal, timeoutMs: number): Promise<{ peers: FoundPeer[], routed: number, exhaustive: boolean }>
}

export class RoutedFindHandler implements RpcHandler {
  private readonly plain: FindBeforeNHandler

  constructor (private readonly nearest: NearestPeers, store: ItemStore, private readonly router: FindRouter, private readonly clock: Clock = systemClock) {
    this.plain = new FindBeforeNHandler(nearest, store)
  }

  async handle (request: Frame, context: RequestContext): Promise<HandlerResult> {
    const own = await this.plain.handle(request, context)
    const body = request.findBeforeNRequest
    const route = Math.min(body?.route ?? 0, MAX_ROUTE_HOPS)
    if (body == null || route === 0 || own.status !== Status.OK) return own
    const target = body.target
    const n = Math.min(Math.max(body.n, 1), MAX_FIND_N)
    const complete = !this.router.mayKnowMore(target)
    const next = complete ? undefined : this.nextHop(target, context.peer)
    if (next == null) return { ...own, findBeforeNResponse: { ...own.findBeforeNResponse!, routed: 0, exhaustive: complete } }
    // each hop waits less than the one before it waits for it (by an eighth of
    // the hop timeout per hop), so a slow chain's far end times out first and
    // every nearer hop still answers with what the chain found up to there
    const waitMs = Math.max(1, Math.floor(this.router.hopTimeoutMs * route / MAX_ROUTE_HOPS))
    const signal = deadlineSignal([context.signal], waitMs, this.clock)
    try {
      const answer = await this.router.find(next, target, n, route - 1, signal, waitMs)
      const mine = this.nearest.shareNearest(target, n)
      const seen = new Set<string>()
      const merged = nearestPositioned(target, [...mine, ...answer.peers].filter(p => {
        const key = p.peerId.toString()
        if (seen.has(key) || equalPositions(p.position, target)) return false
        seen.add(key)
        return true
      }), n)
      return { status: Status.OK, findBeforeNResponse: { peers: merged.map(peerToWire), holds: own.findBeforeNResponse?.holds ?? false, routed: answer.routed + 1, exhaustive: answer.exhaustive } }
    } catch {
      // the next hop failed or was too slow: our own answer stands
      return { ...own, findBeforeNResponse: { ...own.findBeforeNResponse!, routed: 0, exhaustive: false } }
    }
  }

  /** The peer to pass the find on to, if any (see the file's comment). */
  private nextHop (target: Uint8Array, requester: PeerId): FoundPeer | undefined {
    const { router } = this
    const self = peerPosition(router.selfId)
    const candidates = this.nearest.shareNearest(target, MAX_FIND_N).filter(p =>
      !p.peerId.equals(router.selfId) && !p.peerId.equals(requester) && compareDistance(target, p.position, self) < 0 && router.isOpen(p.peerId))
    return candidates[0]
  }
}
