/**
 * The toyrrent libp2p service: wires the parts together and offers the
 * public API. Each behaviour lives in its own module: lookups (lookups.ts,
 * lookup.ts), every request to a peer (peer-requests.ts), writes
 * (writer.ts), hash items (hash-items.ts), publish items
 * (publish-items.ts), joining (onboard.ts), repair and leave handoff
 * (repair.ts), the routing table and its upkeep (peer-table.ts, refresh.ts,
 * membership.ts), the asking side (peer-client.ts), serving the protocol
 * (rpc-serving.ts), libp2p's peer and content routing (peer-routing.ts,
 * src/routing), pins (src/store/local-pins.ts; restore-pinned.ts).
 */
import { contentRoutingSymbol, peerRoutingSymbol, serviceCapabilities } from '@libp2p/interface'
import { InboundQueue } from '../rpc/inbound-queue.ts'
import { ItemStore } from '../store/item-store.ts'
import { ItemAcceptor } from '../store/accept.ts'
import { PaxosState } from '../store/paxos-state.ts'
import { localPins } from '../store/local-pins.ts'
import { BlockBatches } from './block-batches.ts'
import { VerifiedCache } from '../records/verified-cache.ts'
import { Placement } from './placement.ts'
import { PeerTable } from './peer-table.ts'
import { Neighbourhood } from './neighbourhood.ts'
import { peerClient } from './peer-client.ts'
import { Writer } from './writer.ts'
import { HashItems } from './hash-items.ts'
import { PublishItems } from './publish-items.ts'
import { CompareAndSwap, casAcceptor } from './cas.ts'
import type { LocalAcceptor } from './cas-local.ts'
import { Onboarding } from './onboard.ts'
import { createRefresher, createRepairer } from './upkeep.ts'
import { LocalView } from './local-view.ts'
import { Membership } from './membership.ts'
import { DepartedPeers } from './departed-peers.ts'
import { leaveGracefully } from './leaving.ts'
import { RpcServing } from './rpc-serving.ts'
import { ToyrrentPeerRouting } from './peer-routing.ts'
import { RoutingNamespaces } from '../routing/namespaces.ts'
import { RoutingRecords } from '../routing/routing-records.ts'
import { contentRouter } from '../routing/content-routing.ts'
import { settings } from './options.ts'
import { keepAddrs } from './addresses.ts'
import { ToyrrentMetrics } from '../metrics.ts'
import { ForwardedReads, forwardFetcher } from './forwarded-read.ts'
import { ForwardedPuts, ackServing } from './forwarded-put.ts'
import { InvalidInputError } from '../errors.ts'
import { POSITION_BYTES } from '../keyspace.ts'
import { deadlineSignal, releasableDeadline, releasingDeadlines } from '../signals.ts'
import { Joiner } from './joining.ts'
import { findRouter } from './routed-find.ts'
import { PinnedRestorer } from './restore-pinned.ts'
import * as c from '../constants.ts'
import type { HandoffResult } from './onboard.ts'
import type { Repairer, RepairStats } from './repair.ts'
import type { RefreshResult, TableRefresher } from './refresh.ts'
import type { SizeEstimate } from './size-estimate.ts'
import type { Settings, ToyrrentInit } from './options.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { Lookups } from './lookups.ts'
import type { PeerRpc } from '../rpc/peer-rpc.ts'
import type { FrameTransport } from '../rpc/client.ts'
import type { RpcServer } from '../rpc/server.ts'
import type { ToyrrentRecordRouting } from '../routing/content-routing.ts'
import type { PublishRecord } from '../records/publish-record.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ToyrrentComponents, LocalPins, HeldItem, HoldersResult, NetworkStats, ToyrrentStats, PublishOptions, PublishResult, PutResult, ResolveResult, ToyrrentApi, ToyrrentOperationOptions } from './types.ts'
import type { AbortOptions, ContentRouting, Logger, PeerId, PeerRouting, PrivateKey, Startable } from '@libp2p/interface'

/**
 * The service's internals, for tests and the in-memory test network only
 * (`toyrrent[internals]`): not part of the API.
 */
export const internals = Symbol.for('@toyrrent/internals')

export interface ToyrrentInternals {
  store: ItemStore
  table: PeerTable
  acceptor: ItemAcceptor
  inbound: InboundQueue
  server: RpcServer
  /** The typed client, under the deadlines and failure rule of PeerRequests. */
  rpc: PeerRpc
  settings: Settings
  /** Resolves once the work the last join left running (far-band filling) has settled. */
  joinSettled?: () => Promise<void>
  /** Resolves once the self lookup a join schedules SETTLE_LOOKUP_MS later has run (none due: at once). */
  settleLookupDone?: () => Promise<void>
}

export class Toyrrent implements Startable, ToyrrentApi {
  readonly [Symbol.toStringTag] = '@toyrrent/service'
  readonly [serviceCapabilities]: string[] = ['@toyrrent/kv', '@libp2p/peer-routing', '@libp2p/content-routing']

  readonly replicas: number
  readonly writeQuorum: number
  /** Pin state of the hash items held here (files' pins, src/files/pins.ts; see src/store/local-pins.ts). */
  readonly localPins: LocalPins
  readonly blockBatches: BlockBatches
  private readonly settings: Settings
  private readonly log: Logger
  private readonly store: ItemStore
  private readonly table: PeerTable
  private readonly acceptor: ItemAcceptor
  private readonly placement: Placement
  private readonly inbound: InboundQueue
  private readonly requests: PeerRequests
  private readonly rpc: PeerRpc
  private readonly lookups: Lookups
  private readonly hashItems: HashItems
  private readonly publishItems: PublishItems
  private readonly paxos: PaxosState
  /** Our compare-and-swap acceptor, with its pause watch (cas-local.ts). */
  private readonly casAcceptor: LocalAcceptor
  private readonly onboarding: Onboarding
  private readonly repairer: Repairer
  private readonly refresher: TableRefresher
  private readonly membership: Membership
  private readonly serving: RpcServing
  private readonly peerRouting: ToyrrentPeerRouting
  private readonly contentRouting: ToyrrentRecordRouting
  private readonly routingRecords: RoutingRecords
  private readonly metrics: ToyrrentMetrics
  private readonly view: LocalView
  private shutdown = new AbortController()
  private started = false
  private readonly joiner: Joiner

  /**
   * `transport` replaces libp2p streams (the in-memory test network passes
   * one); the service still registers with libp2p's registrar when started.
   */
  constructor (private readonly components: ToyrrentComponents, init: ToyrrentInit = {}, transport?: FrameTransport) {
    const s = this.settings = settings(init)
    this.replicas = s.replicas
    this.writeQuorum = s.writeQuorum
    this.log = components.logger.forComponent('toyrrent:service')
    const datastore = s.datastore ?? components.datastore
    const restorer = new PinnedRestorer({ get: async (key, signal) => this.get(key, { signal }), resolve: async (id, signal) => this.resolve(id, { signal }), keep: async item => this.acceptor.accept(item, { pinned: true }), timeoutMs: s.operationTimeout, log: this.log })
    this.store = new ItemStore(datastore, { valueLogDir: s.valueLogDir, onError: err => { this.log.error('value log: %s', err.message) }, onUnreadable: meta => { restorer.dropped(meta) } })
    const verified = new VerifiedCache()
    const namespaces = new RoutingNamespaces(s.routingNamespaces)
    this.acceptor = new ItemAcceptor(this.store, { defaultTtl: s.itemTtl, maxStorageBytes: s.maxStorageBytes, verified, namespaces, clock: s.clock })
    this.localPins = localPins(this.store, this.acceptor, datastore)
    this.table = new PeerTable(components.peerId, s.bucketSize, s.clock)
    const filterAddrs = (addrs: Parameters<typeof keepAddrs>[0]): ReturnType<typeof keepAddrs> => keepAddrs(addrs, s.allowPrivateAddresses)
    const selfAddrs = (): ReturnType<typeof keepAddrs> => filterAddrs(components.addressManager.getAddresses())
    // the serving state is made last (its handlers need repair); asked only once the service runs
    const neighbourhood = new Neighbourhood({ selfId: components.peerId, table: this.table, selfAddrs, serving: () => this.serving.isServing(), filterAddrs })
    this.placement = new Placement(this.table, this.store, () => neighbourhood.selfPeer(), s.replicas, s.clock)
    this.inbound = new InboundQueue(s.inboundQueue)
    this.metrics = new ToyrrentMetrics(components.metrics, {
      items: () => this.store.size,
      bytes: () => this.store.bytes,
      tableSize: () => this.table.size,
      networkSize: () => this.networkSize().estimate,
      queue: () => this.inbound.stats()
    })
    // peers that announced their leave (departed-peers.ts)
    const departed = new DepartedPeers(s.clock)
    const { rpc, requests, lookups, rtt, connections } = peerClient({ components, settings: s, transport, table: this.table, neighbourhood, metrics: this.metrics, filterAddrs, departed: peer => departed.has(peer) })
    this.rpc = rpc
    this.requests = requests
    this.lookups = lookups
    // libp2p's peer routing from our own table and lookups (libp2p collects it by peerRoutingSymbol)
    this.peerRouting = new ToyrrentPeerRouting({ selfId: components.peerId, table: this.table, lookups, requests, connectionManager: components.connectionManager, peerStore: components.peerStore, count: s.lookupWidth, deadline: signal => this.deadline({ signal }) })
    const forwarded = connections == null || !s.forwardReads ? undefined : new ForwardedReads({ settings: s, rpc, table: this.table, neighbourhood, connections, rtt, metrics: this.metrics, log: components.logger.forComponent('toyrrent:forward') })
    // forwarded puts (forwarded-put.ts) share the forwarded reads' forwarder choice
    const forwardedPuts = forwarded == null || connections == null || !s.forwardPuts ? undefined : new ForwardedPuts({ settings: s, rpc, table: this.table, neighbourhood, connections, reads: forwarded, rtt, metrics: this.metrics, log: components.logger.forComponent('toyrrent:forward-put') })
    const writer = new Writer({ settings: s, requests, lookups, table: this.table, neighbourhood, acceptor: this.acceptor, log: this.log, ...(connections != null ? { connections } : {}), ...(forwardedPuts != null ? { forwardedPuts } : {}) })
    // a put or publish of our own just placed the item: its first republish is an interval away, not the next round
    const published = (key: Uint8Array): void => { this.repairer.republished(key) }
    const common = { store: this.store, acceptor: this.acceptor, writer, lookups, requests, log: this.log, published }
    this.hashItems = new HashItems({ ...common, forwarded })
    this.blockBatches = new BlockBatches({ store: this.store, table: this.table, requests, replicas: s.replicas, clock: s.clock, requestTimeout: s.requestTimeout, operationTimeout: s.operationTimeout })
    // compare-and-swap: our acceptor (state in the datastore, its own prefix) and the proposer
    this.paxos = new PaxosState(datastore, { storedSeq: id => this.store.meta(id)?.seq ?? 0n })
    const acceptorSide = this.casAcceptor = casAcceptor({ state: this.paxos, neighbourhood, replicas: s.replicas, storedSeq: id => this.store.meta(id)?.seq ?? 0n, storedRecord: async id => this.store.get(id), verified, clock: s.clock, pauseMs: s.requestTimeout / 2, rejoin: async () => this.join(), log: components.logger.forComponent('toyrrent:cas') })
    const cas = new CompareAndSwap({ settings: s, requests, lookups, table: this.table, neighbourhood, writer, local: acceptorSide, log: components.logger.forComponent('toyrrent:cas') })
    this.publishItems = new PublishItems({ ...common, settings: s, verified, neighbourhood, cas, shutdown: () => this.shutdown.signal, forwarded })
    // libp2p's content routing: routing records (IPNS...) put and read like publish items (src/routing)
    this.routingRecords = new RoutingRecords({ ...common, settings: s, namespaces, neighbourhood, shutdown: () => this.shutdown.signal })
    this.contentRouting = contentRouter({ records: this.routingRecords, deadline: signal => this.deadline({ signal }) }, s.providerRecords)
    this.onboarding = new Onboarding({ settings: s, lookups, requests, neighbourhood, acceptor: this.acceptor, metrics: this.metrics, log: this.log })
    const upkeep = { components, settings: s, store: this.store, table: this.table, placement: this.placement, requests, writer, lookups, metrics: this.metrics }
    this.repairer = createRepairer(upkeep)
    this.refresher = createRefresher(upkeep)
    this.joiner = new Joiner({ components, onboarding: this.onboarding, refresher: this.refresher, lookups, requests, table: this.table, operationTimeout: s.operationTimeout, clock: s.clock, log: this.log })
    this.view = new LocalView({ selfKey: components.peerId.toString(), replicas: s.replicas, writeQuorum: s.writeQuorum, forwardPuts: forwardedPuts != null, store: this.store, table: this.table, placement: this.placement, inbound: this.inbound, repairStats: () => this.repairer.stats, departed: () => departed.list(), unreadable: () => ({ dropped: this.store.unreadableDropped, ...restorer.counts }) })
    this.membership = new Membership({ components, protocol: s.protocol, table: this.table, departed, log: this.log, onPeer: () => { this.joinOnFirstPeers() } })
    this.serving = new RpcServing({ components, settings: s, inbound: this.inbound, metrics: this.metrics, store: this.store, acceptor: this.acceptor, neighbourhood, placement: this.placement, repairer: this.repairer, paxos: this.paxos, cas: acceptorSide, forward: forwardFetcher(components.peerId, s, rpc, this.table, connections, this.metrics), route: findRouter(components.peerId, s, rpc, this.table, connections), ...ackServing(components, s, rpc, this.acceptor, this.table, connections, this.metrics, key => { this.repairer.touched(key) }), heardFrom: peer => { this.membership.heardFrom(peer) }, onLeave: peer => { this.membership.left(peer) } })
  }

  get [internals] (): ToyrrentInternals {
    return { store: this.store, table: this.table, acceptor: this.acceptor, inbound: this.inbound, server: this.server, rpc: this.rpc, settings: this.settings, joinSettled: async () => this.joiner.settled(), settleLookupDone: async () => this.refresher.settled() }
  }

  /** libp2p.peerRouting.findPeer / getClosestPeers ask this (see peer-routing.ts). */
  get [peerRoutingSymbol] (): PeerRouting { return this.peerRouting }

  /** libp2p.contentRouting.put / get ask this (routing records, see src/routing); provider records are not kept. */
  get [contentRoutingSymbol] (): Partial<ContentRouting> { return this.contentRouting }

  private get server (): RpcServer { return this.serving.server }

  isStarted (): boolean { return this.started }

  async start (): Promise<void> {
    if (this.started) return
    this.shutdown = new AbortController()
    await this.store.open()
    await this.paxos.open()
    await this.serving.start()
    await this.membership.start()
    this.refresher.start()
    this.started = true
    this.repairer.start(this.settings.repairInterval)
    this.casAcceptor.start()
  }

  /**
   * Graceful leave: hand every item to the next nearest nodes while
   * connections are still up, then tell our peers we leave (LEAVE), so they
   * drop us now rather than on a failed request. `leaveTimeout: 0` turns
   * both off: to peers the stop looks like a crash (tests simulate crashes so).
   */
  async beforeStop (): Promise<void> {
    if (!this.started) return
    this.repairer.stop()
    if (this.settings.leaveTimeout <= 0) return
    const { protocol, leaveTimeout, clock } = this.settings
    await leaveGracefully({
      components: this.components,
      protocol,
      leaveTimeout,
      repairer: this.repairer,
      rpc: this.rpc,
      table: this.table,
      items: () => this.store.size,
      serving: () => this.serving.isServing(),
      clock,
      log: this.log
    }, this.shutdown.signal)
  }

  /** Stop: aborts our operations, the inbound requests queued and running, and the table upkeep. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.repairer.stop()
    this.casAcceptor.stop()
    this.shutdown.abort()
    this.serving.stopServer()
    this.refresher.stop()
    this.membership.stop()
    await this.serving.unhandle()
    this.requests.close()
    await this.store.close()
  }

  /** True while this node answers the RPC protocol (a server), false for a client. */
  isServing (): boolean { return this.serving.isServing() }

  /**
   * Become a server or a client. A client does not answer the RPC protocol, so
   * identify tells its peers it does not speak it and they never put it in their
   * routing tables (they admit only peers that do); it is no candidate in its own
   * lookups either, so it never counts itself into a replica set.
   */
  async setServing (serve: boolean): Promise<void> {
    await this.serving.setServing(serve, this.started)
  }

  /**
   * Join the network (joining.ts): a self lookup, then the handoff from our
   * neighbours. Runs by itself when the first peers connect (`autoJoin`); a
   * call while a join runs shares it.
   */
  async join (options: ToyrrentOperationOptions = {}): Promise<HandoffResult> {
    return this.joiner.join(options, this.shutdown.signal)
  }

  /** Run one anti-entropy round now. */
  async repair (options: AbortOptions = {}): Promise<RepairStats> {
    return this.repairer.round(AbortSignal.any([this.shutdown.signal, ...(options.signal != null ? [options.signal] : [])]))
  }

  /** Onboarding alone: pull from our neighbours the items we are now among the R nearest for. */
  async onboard (options: ToyrrentOperationOptions = {}): Promise<HandoffResult> {
    return this.withDeadline(options, async signal => this.onboarding.onboard(signal))
  }

  /**
   * Who holds a key: each of its R nearest live nodes says whether it does
   * (find_before_n answers carry a `holds` flag), and any other node the
   * lookup met that holds it is listed too.
   */
  async holders (key: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<HoldersResult> {
    checkPosition(key)
    return this.withDeadline(options, async signal => this.lookups.holders(key, this.store.has(key), signal))
  }

  /** What this node holds and how replication looks from here. */
  stats (): ToyrrentStats { return this.view.stats() }

  heldItems (): HeldItem[] { return this.view.heldItems() }

  /** True when this node holds a live copy of the item (no network). */
  holdsLocally (key: Uint8Array): boolean { return this.view.holdsLocally(key) }

  /** Peers of the routing table per distance band (band i holds distances in [2^i, 2^(i+1))). */
  tableBands (): Map<number, FoundPeer[]> {
    return this.table.bands()
  }

  /** Look ourselves up so our neighbours learn of us and we of them. */
  async refresh (options: ToyrrentOperationOptions = {}): Promise<void> {
    await this.withDeadline(options, async signal => { await this.onboarding.selfLookup(signal) })
  }

  /** Self lookup, a lookup in each distance band that is not full, and a check of stale members of full ones (what the periodic refresh runs). */
  async refreshTable (options: AbortOptions = {}): Promise<RefreshResult> {
    return this.refresher.refresh(options.signal)
  }

  /** Network size estimated from the distances to our nearest peers (no network traffic). */
  networkSize (): SizeEstimate { return this.view.networkSize() }

  /** The network as this node sees it, for `toyrrent stats` and /v1/stats. */
  networkStats (): NetworkStats { return this.view.networkStats() }

  async findBeforeN (target: Uint8Array, n: number = c.DEFAULT_FIND_N, options: ToyrrentOperationOptions = {}): Promise<FoundPeer[]> {
    checkPosition(target)
    if (!Number.isInteger(n) || n < 1 || n > c.MAX_FIND_N) throw new InvalidInputError(`n must be an integer from 1 to ${c.MAX_FIND_N}, got ${n}`)
    // the public shape only: table entries carry bookkeeping (lastSeen, timeouts) that is not the caller's
    return this.withDeadline(options, async signal => (await this.lookups.nearest(target, n, signal)).peers.slice(0, n)
      .map(({ peerId, multiaddrs, position }) => ({ peerId, multiaddrs, position })))
  }

  async put (value: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<PutResult> {
    return this.releasing(options, async deadline => this.hashItems.put(value, deadline, options.hedgeMs != null ? { hedgeMs: options.hedgeMs } : {}))
  }

  async get (key: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<Uint8Array> {
    checkPosition(key)
    return this.releasing(options, async deadline => this.hashItems.get(key, deadline, options))
  }

  async publish (privateKey: PrivateKey, value: Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
    return this.releasing(options, async deadline => this.publishItems.sign(privateKey, value, false, options, deadline))
  }

  async del (privateKey: PrivateKey, options: PublishOptions = {}): Promise<PublishResult> {
    return this.releasing(options, async deadline => this.publishItems.sign(privateKey, new Uint8Array(0), true, options, deadline))
  }

  async publishRecord (record: PublishRecord, options: PublishOptions = {}): Promise<PublishResult> {
    return this.releasing(options, async deadline => this.publishItems.publish(record, options, deadline))
  }

  async resolve (id: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<ResolveResult> {
    checkPosition(id)
    return this.withDeadline(options, async signal => this.publishItems.resolve(id, signal, { hedgeMs: options.hedgeMs }))
  }

  async putRoutingRecord (key: Uint8Array, value: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<PeerId[]> {
    return this.withDeadline(options, async signal => this.routingRecords.put(key, value, signal))
  }

  async getRoutingRecord (key: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<Uint8Array> {
    return this.withDeadline(options, async signal => this.routingRecords.get(key, signal))
  }

  /** Our first peers: join as kad-dht's self-query does, so an embedding application needs no call. */
  private joinOnFirstPeers (): void {
    if (this.settings.autoJoin && !this.joiner.joined && !this.joiner.running && this.started) {
      this.join().catch((err: Error) => { this.log('join failed: %s', err.message) })
    }
  }

  /** The deadline of one operation: the caller's signal, our shutdown, and its timeout. */
  private deadline (options: ToyrrentOperationOptions): AbortSignal {
    return deadlineSignal([this.shutdown.signal, options.signal], options.timeout ?? this.settings.operationTimeout, this.settings.clock)
  }

  private async withDeadline<T> (options: ToyrrentOperationOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.releasing(options, async deadline => work(deadline()))
  }

  /** `work` with a maker of this operation's deadlines, their timers cleared when it settles. */
  private async releasing<T> (options: ToyrrentOperationOptions, work: (deadline: () => AbortSignal) => Promise<T>): Promise<T> {
    return releasingDeadlines(() => releasableDeadline([this.shutdown.signal, options.signal], options.timeout ?? this.settings.operationTimeout, this.settings.clock), work)
  }
}

function checkPosition (target: Uint8Array): void {
  if (!(target instanceof Uint8Array) || target.byteLength !== POSITION_BYTES) {
    throw new InvalidInputError(`a key or position must be ${POSITION_BYTES} bytes`)
  }
}

export type { ToyrrentInit, ToyrrentComponents }
