/**
 * The handler table of the RPC server: one handler per request type of
 * protocols/rpc.md, each given the narrow view of the node it needs.
 */
import { Frame } from '../pb/rpc.ts'
import { FindBeforeNHandler } from './find-before-n.ts'
import { FetchHandler } from './fetch.ts'
import { StoreHandler } from './store.ts'
import { DigestHandler } from './digest.ts'
import { SyncKeysHandler } from './sync-keys.ts'
import { HoldsHandler } from './holds.ts'
import { HandoffHandler } from './handoff.ts'
import { CasPrepareHandler } from './cas-prepare.ts'
import { CasAcceptHandler } from './cas-accept.ts'
import { FetchManyHandler } from './fetch-many.ts'
import { ForwardHandler } from './forward.ts'
import type { ForwardFetcher } from './forward.ts'
import { LeaveHandler } from './leave.ts'
import { RoutedFindHandler } from './find-routed.ts'
import type { FindRouter } from './find-routed.ts'
import { ForwardStoreHandler } from './forward-store.ts'
import type { ForwardStorer } from './forward-store.ts'
import type { AckSigner } from './store.ts'
import type { HandlerTable } from '../server.ts'
import type { NearestPeers } from './nearest-peers.ts'
import type { SharedDigests } from './digest.ts'
import type { HandoffSource } from './handoff.ts'
import type { CasAcceptor } from './cas-acceptor.ts'
import type { LeaveListener } from './leave.ts'
import type { ItemAcceptor } from '../../store/accept.ts'
import type { ItemStore } from '../../store/item-store.ts'
import type { Clock } from '../../clock.ts'

export interface HandlerDeps {
  store: ItemStore
  acceptor: ItemAcceptor
  nearest: NearestPeers
  shared: SharedDigests
  handoff: HandoffSource
  /** A peer stored an item here. */
  onStored(key: Uint8Array): void
  /** The acceptor side of compare-and-swap (CAS_PREPARE, CAS_ACCEPT); without it those requests are UNKNOWN_TYPE. */
  cas?: CasAcceptor
  /** Forwarded reads (FORWARD): without it those requests are UNKNOWN_TYPE. */
  forward?: ForwardFetcher
  /** The node's clock: expiry and lifetimes left are read from it (tests and simulations move it). */
  clock?: Clock
  /** Hears LEAVE: a peer announcing its own graceful leave; without it LEAVE is UNKNOWN_TYPE. */
  leave?: LeaveListener
  /** Passing routed finds on (FIND_BEFORE_N with `route`, find-routed.ts); without it `route` is ignored. */
  route?: FindRouter
  /** Signs store acknowledgements (StoreRequest.ackNonce); without it STORE sends none. */
  signAck?: AckSigner
  /** Forwarded puts (FORWARD_STORE): without it those requests are UNKNOWN_TYPE. */
  forwardStore?: ForwardStorer
}

export function handlerTable (deps: HandlerDeps): HandlerTable {
  return {
    [Frame.Type.FIND_BEFORE_N]: deps.route == null ? new FindBeforeNHandler(deps.nearest, deps.store) : new RoutedFindHandler(deps.nearest, deps.store, deps.route, deps.clock),
    [Frame.Type.FETCH]: new FetchHandler(deps.nearest, deps.store, deps.clock),
    [Frame.Type.STORE]: new StoreHandler(deps.acceptor, deps.nearest, deps.onStored, deps.signAck),
    [Frame.Type.DIGEST]: new DigestHandler(deps.shared),
    [Frame.Type.SYNC_KEYS]: new SyncKeysHandler(deps.store),
    [Frame.Type.HOLDS]: new HoldsHandler(deps.store, deps.clock),
    [Frame.Type.HANDOFF]: new HandoffHandler(deps.store, deps.handoff, deps.clock),
    [Frame.Type.FETCH_MANY]: new FetchManyHandler(deps.store, deps.clock),
    ...(deps.cas == null ? {} : { [Frame.Type.CAS_PREPARE]: new CasPrepareHandler(deps.cas), [Frame.Type.CAS_ACCEPT]: new CasAcceptHandler(deps.cas) }),
    ...(deps.leave == null ? {} : { [Frame.Type.LEAVE]: new LeaveHandler(deps.leave) }),
    ...(deps.forward == null ? {} : { [Frame.Type.FORWARD]: new ForwardHandler(deps.nearest, deps.store, deps.forward, deps.clock) }),
    ...(deps.forwardStore == null ? {} : { [Frame.Type.FORWARD_STORE]: new ForwardStoreHandler(deps.nearest, deps.forwardStore, deps.clock) })
  }
}

export type { NearestPeers, SharedDigests, HandoffSource, CasAcceptor, LeaveListener, ForwardFetcher, FindRouter, ForwardStorer, AckSigner }
