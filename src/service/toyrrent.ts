/**
 * The toyrrent libp2p service: wires the parts together and offers the
 * public API. Each behaviour lives in its own module: lookups (lookups.ts,
 * lookup.ts), every request to a peer (peer-requests.ts), writes
 * (writer.ts), hash items (hash-items.ts), publish items
 * (publish-items.ts), joining (onboard.ts), repair and leave handoff
 * (repair.ts), the routing table and its upkeep (peer-table.ts, refresh.ts).
 */
import { contentRoutingSymbol, peerRoutingSymbol, serviceCapabilities } from '@libp2p/interface'
import { RpcClient } from '../rpc/client.ts'
import { StreamTransport } from '../rpc/stream-transport.ts'
import { RpcServer } from '../rpc/server.ts'
import { InboundQueue } from '../rpc/inbound-queue.ts'
import { handlerTable } from '../rpc/handlers/index.ts'
import { ItemStore, isExpired } from '../store/item-store.ts'
import { ItemAcceptor } from '../store/accept.ts'
import { VerifiedCache } from '../records/verified-cache.ts'
import { Placement } from './placement.ts'
import { Repairer } from './repair.ts'
import { PeerTable } from './peer-table.ts'
import { Neighbourhood } from './neighbourhood.ts'
import { PeerRequests } from './peer-requests.ts'
import { PeerRtt } from './peer-rtt.ts'
import { Lookups } from './lookups.ts'
import { Writer } from './writer.ts'
import { HashItems } from './hash-items.ts'
import { PublishItems } from './publish-items.ts'
import { CompareAndSwap, casAcceptor } from './cas.ts'
import { PaxosState } from '../store/paxos-state.ts'
import { Onboarding } from './onboard.ts'
import { TableRefresher } from './refresh.ts'
import { sharedDigest, sharedItems } from './shared-set.ts'
import { ToyrrentPeerRouting } from './peer-routing.ts'
import { RoutingNamespaces } from '../routing/namespaces.ts'
import { RoutingRecords } from '../routing/routing-records.ts'
import { ToyrrentContentRouting, ToyrrentRecordRouting } from '../routing/content-routing.ts'
import { SIZE_ESTIMATE_PEERS, estimateNetworkSize } from './size-estimate.ts'
import { settings } from './options.ts'
import { keepAddrs } from './addresses.ts'
import { ToyrrentMetrics } from '../metrics.ts'
import { InvalidInputError } from '../errors.ts'
import { POSITION_BYTES } from '../keyspace.ts'
import { deadlineSignal } from '../signals.ts'
import * as c from '../constants.ts'
import type { HandoffResult } from './onboard.ts'
import type { RepairStats } from './repair.ts'
import type { RefreshResult } from './refresh.ts'
import type { SizeEstimate } from './size-estimate.ts'
import type { Settings, ToyrrentInit } from './options.ts'
import type { PeerRpc } from '../rpc/peer-rpc.ts'
import type { FrameTransport } from '../rpc/client.ts'
import type { PublishRecord } from '../records/publish-record.ts'
import type { FoundPeer } from '../found-peer.ts'
import { hashItemKey, verifyHashItem } from '../records/hash-item.ts'
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
}

export class Toyrrent implements Startable, ToyrrentApi {
  readonly [Symbol.toStringTag] = '@toyrrent/service'
  readonly [serviceCapabilities]: string[] = ['@toyrrent/kv', '@libp2p/peer-routing', '@libp2p/content-routing']

  readonly replicas: number
  readonly writeQuorum: number
  private readonly components: ToyrrentComponents
  private readonly settings: Settings
  private readonly log: Logger
  private readonly store: ItemStore
  private readonly table: PeerTable
  private readonly neighbourhood: Neighbourhood
  private readonly acceptor: ItemAcceptor
  private readonly placement: Placement
  private readonly inbound: InboundQueue
  private readonly server: RpcServer
  private readonly requests: PeerRequests
  private readonly rpc: PeerRpc
  private readonly lookups: Lookups
  private readonly hashItems: HashItems
  private readonly publishItems: PublishItems
  private readonly paxos: PaxosState
  private readonly casAcceptor: ReturnType<typeof casAcceptor>
  private readonly onboarding: Onboarding
  private readonly repairer: Repairer
  private readonly refresher: TableRefresher
  private readonly peerRouting: ToyrrentPeerRouting
  private readonly contentRouting: ToyrrentRecordRouting
  private readonly routingRecords: RoutingRecords
  private readonly metrics: ToyrrentMetrics
  private shutdown = new AbortController()
  private topologyId?: string
  private started = false
  private joining?: Promise<HandoffResult>
  private joined = false
  /** Answering the RPC protocol (a server); a client only asks (see setServing). */
  private serving: boolean

  /**
   * `transport` replaces libp2p streams (the in-memory test network passes
   * one); the service still registers with libp2p's registrar when started.
   */
  constructor (components: ToyrrentComponents, init: ToyrrentInit = {}, transport?: FrameTransport) {
    const s = this.settings = settings(init)
    this.serving = s.serve
    this.components = components
    this.replicas = s.replicas
    this.writeQuorum = s.writeQuorum
    const logger = components.logger
    this.log = logger.forComponent('toyrrent:service')
    this.store = new ItemStore(s.datastore ?? components.datastore)
    const verified = new VerifiedCache()
    const namespaces = new RoutingNamespaces(s.routingNamespaces)
    this.acceptor = new ItemAcceptor(this.store, { defaultTtl: s.itemTtl, maxStorageBytes: s.maxStorageBytes, verified, namespaces })
    this.table = new PeerTable(components.peerId, s.bucketSize, s.clock)
    const filterAddrs = (addrs: Parameters<typeof keepAddrs>[0]): ReturnType<typeof keepAddrs> => keepAddrs(addrs, s.allowPrivateAddresses)
    const neighbourhood = this.neighbourhood = new Neighbourhood({
      selfId: components.peerId,
      table: this.table,
      selfAddrs: () => filterAddrs(components.addressManager.getAddresses()),
      serving: () => this.serving,
      filterAddrs
    })
    this.placement = new Placement(this.table, this.store, () => neighbourhood.selfPeer(), s.replicas, s.clock)
    this.inbound = new InboundQueue(s.inboundQueue)
    this.metrics = new ToyrrentMetrics(components.metrics, {
      items: () => this.store.size,
      bytes: () => this.store.bytes,
      tableSize: () => this.table.size,
      networkSize: () => this.networkSize().estimate,
      queue: () => this.inbound.stats()
    })
    const rpc: PeerRpc = this.rpc = new RpcClient(transport ?? new StreamTransport(components, s.protocol), { filterAddrs })
    const rtt = new PeerRtt()
    const requests = this.requests = new PeerRequests({ rpc, table: this.table, requestTimeout: s.requestTimeout, log: logger.forComponent('toyrrent:requests'), clock: s.clock, rtt })
    const lookups = this.lookups = new Lookups({
      settings: s,
      requests,
      table: this.table,
      neighbourhood,
      metrics: this.metrics,
      rtt,
      connectedPeers: () => components.connectionManager.getConnections().map(conn => conn.remotePeer)
    })
    // libp2p's peer routing from our own table and lookups (libp2p collects it by peerRoutingSymbol)
    this.peerRouting = new ToyrrentPeerRouting({ selfId: components.peerId, table: this.table, lookups, requests, connectionManager: components.connectionManager, peerStore: components.peerStore, count: s.lookupWidth, deadline: signal => this.deadline({ signal }) })
    const writer = new Writer({ settings: s, requests, lookups, table: this.table, neighbourhood, acceptor: this.acceptor, log: this.log })
    const common = { store: this.store, acceptor: this.acceptor, writer, lookups, requests, log: this.log }
    this.hashItems = new HashItems(common)
    // compare-and-swap: our acceptor (state in the datastore, its own prefix) and the proposer
    this.paxos = new PaxosState(s.datastore ?? components.datastore, { storedSeq: id => this.store.meta(id)?.seq ?? 0n })
    this.casAcceptor = casAcceptor({ state: this.paxos, neighbourhood, replicas: s.replicas, storedSeq: id => this.store.meta(id)?.seq ?? 0n, storedBody: async id => (await this.store.get(id))?.body, verified })
    const cas = new CompareAndSwap({ settings: s, requests, lookups, table: this.table, neighbourhood, writer, local: this.casAcceptor, log: logger.forComponent('toyrrent:cas') })
    this.publishItems = new PublishItems({ ...common, settings: s, verified, neighbourhood, cas, shutdown: () => this.shutdown.signal })
    // libp2p's content routing: routing records (IPNS...) put and read like publish items (src/routing)
    const records = this.routingRecords = new RoutingRecords({ ...common, settings: s, namespaces, neighbourhood, shutdown: () => this.shutdown.signal })
    const routingInit = { records, deadline: (signal?: AbortSignal) => this.deadline({ signal }) }
    this.contentRouting = s.providerRecords === 'skip' ? new ToyrrentRecordRouting(routingInit) : new ToyrrentContentRouting(routingInit)
    this.onboarding = new Onboarding({ settings: s, lookups, requests, neighbourhood, acceptor: this.acceptor, metrics: this.metrics, log: this.log })
    this.repairer = this.createRepairer(requests, writer)
    this.refresher = this.createRefresher(lookups)
    this.server = this.createServer()
  }

  get [internals] (): ToyrrentInternals {
    return { store: this.store, table: this.table, acceptor: this.acceptor, inbound: this.inbound, server: this.server, rpc: this.rpc, settings: this.settings }
  }

  /** libp2p.peerRouting.findPeer / getClosestPeers ask this (see peer-routing.ts). */
  get [peerRoutingSymbol] (): PeerRouting { return this.peerRouting }

  /** libp2p.contentRouting.put / get ask this (routing records, see src/routing); provider records are not kept. */
  get [contentRoutingSymbol] (): Partial<ContentRouting> { return this.contentRouting }

  isStarted (): boolean { return this.started }

  async start (): Promise<void> {
    if (this.started) return
    this.shutdown = new AbortController()
    await this.store.open()
    await this.paxos.open()
    this.server.start()
    if (this.serving) await this.handleRpc()
    this.topologyId = await this.components.registrar.register(this.settings.protocol, {
      // a closed connection is not a departed peer (idle connections get pruned):
      // peers leave the table when asking them fails
      onConnect: (peerId) => { void this.learnConnectedPeer(peerId) },
      // also called when a peer stops answering the protocol (a server turned client): then it leaves the table
      onDisconnect: (peerId) => { void this.forgetClient(peerId) }
    })
    this.refresher.start()
    this.started = true
    this.repairer.start(this.settings.repairInterval)
  }

  /** Graceful leave: hand every item to the next nearest nodes while connections are still up. */
  async beforeStop (): Promise<void> {
    if (!this.started) return
    this.repairer.stop()
    const timeout = this.settings.leaveTimeout
    if (timeout <= 0 || this.store.size === 0 || this.table.size === 0) return
    const started = Date.now()
    this.log('leaving: handing %d items to the next nearest nodes (at most %d ms)', this.store.size, timeout)
    try {
      const { items, pushed } = await this.repairer.handOffAll(deadlineSignal([this.shutdown.signal], timeout, this.settings.clock))
      this.log('leaving: %d items checked, %d pushed in %d ms', items, pushed, Date.now() - started)
    } catch (err: any) {
      this.log('leaving: handoff stopped after %d ms: %s', Date.now() - started, err.message)
    }
  }

  /** Stop: aborts our operations, the inbound requests queued and running, and the table upkeep. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.repairer.stop()
    this.shutdown.abort()
    this.server.stop()
    this.refresher.stop()
    if (this.topologyId != null) this.components.registrar.unregister(this.topologyId)
    if (this.serving) await this.components.registrar.unhandle(this.settings.protocol)
    this.requests.close()
  }

  /** True while this node answers the RPC protocol (a server), false for a client. */
  isServing (): boolean { return this.serving }

  /**
   * Become a server or a client. A client does not answer the RPC protocol, so
   * identify tells its peers it does not speak it and they never put it in their
   * routing tables (they admit only peers that do); it is no candidate in its own
   * lookups either, so it never counts itself into a replica set.
   */
  async setServing (serve: boolean): Promise<void> {
    if (serve === this.serving) return
    this.serving = serve
    if (!this.started) return
    if (serve) await this.handleRpc()
    else await this.components.registrar.unhandle(this.settings.protocol)
  }

  private async handleRpc (): Promise<void> {
    // runOnLimitedConnection: relayed connections carry the small requests, one per stream (rpc/limited-inbound.ts)
    await this.components.registrar.handle(this.settings.protocol, this.server.onStream, { maxInboundStreams: c.MAX_RPC_STREAMS, maxOutboundStreams: c.MAX_RPC_STREAMS, runOnLimitedConnection: true })
  }

  /**
   * Join the network: look ourselves up (our neighbours learn of us and we of
   * them), then take over from our neighbours the items we are now among the
   * R nearest for. Runs by itself when the first peers connect (`autoJoin`);
   * a call while a join runs shares it.
   */
  async join (options: ToyrrentOperationOptions = {}): Promise<HandoffResult> {
    this.joining ??= this.withDeadline(options, async signal => {
      await this.onboarding.selfLookup(signal)
      const result = await this.onboarding.onboard(signal)
      this.joined = this.table.size > 0
      return result
    }).finally(() => { this.joining = undefined })
    return this.joining
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
  stats (): ToyrrentStats {
    return {
      items: this.store.size,
      bytes: this.store.bytes,
      pinned: [...this.store.metas()].filter(m => m.pinned).length,
      pinnedBytes: [...this.store.metas()].reduce((sum, m) => m.pinned ? sum + m.bytes : sum, 0),
      peers: this.table.size,
      replicas: this.replicas,
      repair: { ...this.repairer.stats },
      network: this.networkStats()
    }
  }

  heldItems (): HeldItem[] {
    const self = this.components.peerId.toString()
    return this.placement.assignments().filter(({ meta }) => !isExpired(meta)).map(({ meta: m, replicaSet }) => ({
      key: m.key,
      kind: m.kind,
      seq: m.seq,
      pinned: m.pinned,
      expiresAt: Number(m.expiresAt),
      responsible: replicaSet.includes(self)
    }))
  }

  /** Pin state of the hash items held here (files' pins, src/files/pins.ts). */
  get localPins (): LocalPins {
    const { store, acceptor } = this
    return {
      datastore: this.settings.datastore ?? this.components.datastore,
      async keep (value, options) {
        const key = hashItemKey(value)
        if (!verifyHashItem(key, value)) throw new InvalidInputError(`value is ${value.byteLength} bytes; the limit is ${c.MAX_VALUE_BYTES}`)
        const result = await acceptor.accept({ kind: 'hash', key, body: value, ttlSeconds: 0 }, { ...options, pinned: true })
        if (result.refused != null) throw new InvalidInputError(result.message ?? result.refused)
        return key
      },
      async unpin (key, options) { return acceptor.unpin(key, options) },
      isPinned: key => store.meta(key)?.pinned === true,
      pinned: () => [...store.metas()].filter(m => m.pinned && m.kind === 'hash').map(m => ({ key: m.key, bytes: m.bytes }))
    }
  }

  /** True when this node holds a live copy of the item (no network). */
  holdsLocally (key: Uint8Array): boolean {
    const meta = this.store.meta(key)
    return meta != null && !isExpired(meta)
  }

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
  networkSize (): SizeEstimate {
    return estimateNetworkSize(this.table.self, this.table.closest(this.table.self, SIZE_ESTIMATE_PEERS).map(p => p.position))
  }

  /** The network as this node sees it, for `toyrrent stats` and /v1/stats. */
  networkStats (): NetworkStats {
    return { tableBands: this.table.bands().size, networkSize: this.networkSize(), inbound: this.inbound.stats() }
  }

  async findBeforeN (target: Uint8Array, n: number = c.DEFAULT_FIND_N, options: ToyrrentOperationOptions = {}): Promise<FoundPeer[]> {
    checkPosition(target)
    if (!Number.isInteger(n) || n < 1 || n > c.MAX_FIND_N) throw new InvalidInputError(`n must be an integer from 1 to ${c.MAX_FIND_N}, got ${n}`)
    // the public shape only: table entries carry bookkeeping (lastSeen, timeouts) that is not the caller's
    return this.withDeadline(options, async signal => (await this.lookups.nearest(target, n, signal)).peers.slice(0, n)
      .map(({ peerId, multiaddrs, position }) => ({ peerId, multiaddrs, position })))
  }

  async put (value: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<PutResult> {
    return this.hashItems.put(value, () => this.deadline(options))
  }

  async get (key: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<Uint8Array> {
    checkPosition(key)
    return this.hashItems.get(key, () => this.deadline(options))
  }

  async publish (privateKey: PrivateKey, value: Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
    return this.publishItems.sign(privateKey, value, false, options, () => this.deadline(options))
  }

  async del (privateKey: PrivateKey, options: PublishOptions = {}): Promise<PublishResult> {
    return this.publishItems.sign(privateKey, new Uint8Array(0), true, options, () => this.deadline(options))
  }

  async publishRecord (record: PublishRecord, options: PublishOptions = {}): Promise<PublishResult> {
    return this.publishItems.publish(record, options, () => this.deadline(options))
  }

  async resolve (id: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<ResolveResult> {
    checkPosition(id)
    return this.withDeadline(options, async signal => this.publishItems.resolve(id, signal))
  }

  async putRoutingRecord (key: Uint8Array, value: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<PeerId[]> {
    return this.withDeadline(options, async signal => this.routingRecords.put(key, value, signal))
  }

  async getRoutingRecord (key: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<Uint8Array> {
    return this.withDeadline(options, async signal => this.routingRecords.get(key, signal))
  }

  private createRepairer (requests: PeerRequests, writer: Writer): Repairer {
    const s = this.settings
    return new Repairer({
      store: this.store,
      placement: this.placement,
      table: this.table,
      requests,
      writer,
      selfKey: this.components.peerId.toString(),
      log: this.components.logger.forComponent('toyrrent:repair'),
      trialPeriod: s.trialPeriod,
      republishInterval: s.republishInterval,
      count: (name, n) => { this.metrics.count(name, n) },
      clock: s.clock
    })
  }

  private createRefresher (lookups: Lookups): TableRefresher {
    const s = this.settings
    return new TableRefresher({
      table: this.table,
      bucketSize: s.bucketSize,
      interval: s.refreshInterval,
      log: this.components.logger.forComponent('toyrrent:refresh'),
      lookup: async (target, signal) => { await lookups.nearest(target, c.SELF_LOOKUP_N, deadlineSignal([signal], s.operationTimeout, s.clock)) },
      clock: s.clock
    })
  }

  /** The RPC server: the inbound queue in front of the handler table (rpc/handlers). */
  private createServer (): RpcServer {
    const s = this.settings
    const selfKey = this.components.peerId.toString()
    return new RpcServer({
      queue: this.inbound,
      metrics: this.metrics,
      frameTimeout: s.frameTimeout,
      idleTimeout: s.idleTimeout,
      log: this.components.logger.forComponent('toyrrent:rpc:server'),
      handlerTimeout: s.requestTimeout,
      handlers: handlerTable({
        store: this.store,
        acceptor: this.acceptor,
        nearest: this.neighbourhood,
        shared: { digestWith: peer => sharedDigest(sharedItems(this.placement.assignments(), selfKey, peer)) },
        handoff: {
          dueFor: (peer, cursor) => this.placement.dueFor(peer, cursor),
          acknowledged: (peer, keys) => { this.repairer.recordAcks(peer, keys) },
          served: n => { this.metrics.count('handoff_items_sent', n) }
        },
        onStored: key => { this.repairer.touched(key); void this.paxos.prune(key).catch(() => {}) },
        cas: this.casAcceptor
      })
    })
  }

  /** A peer whose identify no longer lists our protocol is a client now: it leaves the table. */
  private async forgetClient (peerId: PeerId): Promise<void> {
    try {
      const peer = await this.components.peerStore.get(peerId)
      if (!peer.protocols.includes(this.settings.protocol)) this.table.remove(peerId)
    } catch {}
  }

  private async learnConnectedPeer (peerId: PeerId): Promise<void> {
    try {
      const peer = await this.components.peerStore.get(peerId)
      this.table.add(peerId, peer.addresses.map(a => a.multiaddr))
    } catch (err: any) {
      this.log('could not learn %p: %s', peerId, err.message)
    }
    // our first peers: join as kad-dht's self-query does, so an embedding application needs no call
    if (this.settings.autoJoin && !this.joined && this.joining == null && this.started) {
      this.join().catch((err: Error) => { this.log('join failed: %s', err.message) })
    }
  }

  /** The deadline of one operation: the caller's signal, our shutdown, and its timeout. */
  private deadline (options: ToyrrentOperationOptions): AbortSignal {
    return deadlineSignal([this.shutdown.signal, options.signal], options.timeout ?? this.settings.operationTimeout, this.settings.clock)
  }

  private async withDeadline<T> (options: ToyrrentOperationOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return work(this.deadline(options))
  }
}

function checkPosition (target: Uint8Array): void {
  if (!(target instanceof Uint8Array) || target.byteLength !== POSITION_BYTES) {
    throw new InvalidInputError(`a key or position must be ${POSITION_BYTES} bytes`)
  }
}

export type { ToyrrentInit, ToyrrentComponents }
