/**
 * The toyrrent libp2p service: find_before_n, put and get over toyrrent's own
 * RPC protocol, with items kept in an interface-datastore.
 */
import { serviceCapabilities } from '@libp2p/interface'
import { Frame, ItemKind, Status } from '../rpc/pb/rpc.ts'
import { RpcClient } from '../rpc/client.ts'
import { RpcServer } from '../rpc/server.ts'
import { FindBeforeNHandler } from '../rpc/handlers/find-before-n.ts'
import { FetchHandler } from '../rpc/handlers/fetch.ts'
import { StoreHandler } from '../rpc/handlers/store.ts'
import { DigestHandler } from '../rpc/handlers/digest.ts'
import { SyncKeysHandler } from '../rpc/handlers/sync-keys.ts'
import { HoldsHandler } from '../rpc/handlers/holds.ts'
import { HandoffHandler } from '../rpc/handlers/handoff.ts'
import { Placement } from './placement.ts'
import { VerifiedCache } from '../records/verified-cache.ts'
import { Repairer } from './repair.ts'
import { pullHandoff } from './onboard.ts'
import type { RepairStats } from './repair.ts'
import type { HandoffResult } from './onboard.ts'
import { ItemStore, isExpired, kindOf } from '../store/item-store.ts'
import { assertAccepted, createPublishRecord, decodePublishRecord, encodePublishRecord, isDeleted, publishId } from '../records/publish-record.ts'
import { ItemAcceptor } from '../store/accept.ts'
import { PeerTable } from './peer-table.ts'
import { Neighbourhood } from './neighbourhood.ts'
import { lookup } from './lookup.ts'
import { ReadQuorum } from './read-quorum.ts'
import { replicate } from './replicate.ts'
import { statusCode } from '../rpc/status.ts'
import { keepAddrs } from './addresses.ts'
import { checkValueSize, hashItemKey, keyToCid, verifyHashItem } from '../records/hash-item.ts'
import { InsufficientPeersError, InvalidInputError, NotFoundError, RemoteRejectedError } from '../errors.ts'
import { POSITION_BYTES, compareDistance, peerPosition } from '../keyspace.ts'
import { deadlineSignal } from '../signals.ts'
import { ownBytes, hexKey as toHex } from '../bytes.ts'
import * as c from '../constants.ts'
import type { HeldItem, HoldersResult, ToyrrentStats, FoundPeer, PublishOptions, PublishResult, PutResult, ResolveResult, ToyrrentApi, ToyrrentOperationOptions } from './types.ts'
import type { PublishRecord } from '../records/publish-record.ts'
import type { LookupResult, QueryOutcome } from './lookup.ts'
import type { Item } from '../rpc/pb/rpc.ts'
import type { AbortOptions, ComponentLogger, Logger, Metrics, PeerId, PeerStore, PrivateKey, Startable } from '@libp2p/interface'
// hardening hooks (inbound queue, refresh, size estimate, metrics)
import { InboundQueue } from '../rpc/inbound-queue.ts'
import { TableRefresher } from './refresh.ts'
import { estimateNetworkSize } from './size-estimate.ts'
import { ToyrrentMetrics } from '../metrics.ts'
import { DEFAULT_REFRESH_INTERVAL_MS } from './hardening.ts'
import { DEFAULT_BUCKET_SIZE } from './peer-table.ts'
import type { HardeningInit, NetworkStats } from './hardening.ts'
import type { RefreshResult } from './refresh.ts'
import type { SizeEstimate } from './size-estimate.ts'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'

/** How wide a lookup searches and how many queries it keeps in flight. */
interface LookupShape { width: number, alpha: number, initialAlpha?: number, hedgeMs?: number }

export interface ToyrrentComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  datastore: Datastore
  logger: ComponentLogger
  metrics?: Metrics
}

export interface ToyrrentInit extends HardeningInit {
  /** Replication factor R: how many of the nearest nodes keep each item. @default 3 */
  replicas?: number
  /** Write quorum W: acknowledgements a put needs. @default majority of R */
  writeQuorum?: number
  /** Lookup concurrency (Kademlia alpha). @default 3 */
  alpha?: number
  /** RPC protocol id. @default '/toyrrent/rpc/1.0.0' */
  protocol?: string
  /** Where items are kept. @default the libp2p datastore */
  datastore?: Datastore
  /** Pass on loopback and private addresses (LAN or local networks). @default true */
  allowPrivateAddresses?: boolean
  /** Deadline of a whole operation in ms. @default 30000 */
  operationTimeout?: number
  /** Deadline of one request to one peer in ms. @default 5000 */
  requestTimeout?: number
  /** Shortlist size of every lookup (Kademlia k). @default 20 */
  lookupWidth?: number
  /** Lifetime of an item on a holder that is not its owner, in seconds. @default 172800 (48 h) */
  itemTtlSeconds?: number
  /** Bytes of others' items this node keeps before answering `full`. @default 1 GiB */
  maxStorageBytes?: number
  /** Seconds between anti-entropy rounds; 0 turns the loop off. @default 60 */
  repairIntervalSeconds?: number
  /** Seconds between republishes of this node's own items. @default 43200 (12 h) */
  republishIntervalSeconds?: number
  /** How long a node keeps serving an item after it stopped being among its R nearest, in ms. @default one repair interval */
  trialPeriodMs?: number
  /** On stop, hand every item to the next nearest nodes first, for at most this long (ms); 0 = no handoff. @default 10000 */
  leaveTimeoutMs?: number
  /** Peers kept per distance band. @default 20 */
  bucketSize?: number
}

export class Toyrrent implements Startable, ToyrrentApi {
  readonly [Symbol.toStringTag] = '@toyrrent/service'
  readonly [serviceCapabilities]: string[] = ['@toyrrent/kv']

  readonly replicas: number
  readonly writeQuorum: number
  readonly store: ItemStore
  readonly table: PeerTable
  readonly neighbourhood: Neighbourhood
  private readonly components: ToyrrentComponents
  private readonly init: ToyrrentInit
  private readonly log: Logger
  private readonly protocol: string
  private readonly rpc: RpcClient
  private readonly acceptor: ItemAcceptor
  private readonly server: RpcServer
  readonly placement: Placement
  private readonly verified = new VerifiedCache()
  readonly repairer: Repairer
  private repairTimer?: ReturnType<typeof setTimeout>
  private shutdown = new AbortController()
  private topologyId?: string
  private started = false
  // hardening hooks
  readonly metrics: ToyrrentMetrics
  readonly inbound: InboundQueue
  private readonly refresher: TableRefresher

  constructor (components: ToyrrentComponents, init: ToyrrentInit = {}) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('toyrrent:service')
    this.protocol = init.protocol ?? c.RPC_PROTOCOL
    this.replicas = init.replicas ?? c.DEFAULT_REPLICAS
    if (!Number.isInteger(this.replicas) || this.replicas < 1) throw new InvalidInputError(`replicas must be a positive integer, got ${this.replicas}`)
    this.writeQuorum = init.writeQuorum ?? Math.floor(this.replicas / 2) + 1
    if (!Number.isInteger(this.writeQuorum) || this.writeQuorum < 1 || this.writeQuorum > this.replicas) {
      throw new InvalidInputError(`write quorum must be between 1 and replicas (${this.replicas}), got ${this.writeQuorum}`)
    }
    this.store = new ItemStore(init.datastore ?? components.datastore)
    this.acceptor = new ItemAcceptor(this.store, {
      defaultTtlSeconds: init.itemTtlSeconds ?? c.DEFAULT_ITEM_TTL_SECONDS,
      maxStorageBytes: init.maxStorageBytes ?? c.DEFAULT_MAX_STORAGE_BYTES,
      verified: this.verified
    })
    this.table = new PeerTable(components.peerId, init.bucketSize)
    const allowPrivate = init.allowPrivateAddresses ?? true
    this.neighbourhood = new Neighbourhood({
      selfId: components.peerId,
      table: this.table,
      selfAddrs: () => keepAddrs(components.addressManager.getAddresses(), allowPrivate),
      filterAddrs: addrs => keepAddrs(addrs, allowPrivate)
    })
    this.rpc = new RpcClient(components, { protocol: this.protocol })
    const selfKey = components.peerId.toString()
    this.placement = new Placement(this.table, this.store, () => this.neighbourhood.selfPeer(), this.replicas)
    this.repairer = new Repairer({
      store: this.store,
      placement: this.placement,
      table: this.table,
      rpc: this.rpc,
      selfKey,
      log: components.logger.forComponent('toyrrent:repair'),
      requestTimeout: this.requestTimeout,
      trialPeriodMs: init.trialPeriodMs ?? this.repairIntervalMs,
      republishIntervalMs: (init.republishIntervalSeconds ?? c.DEFAULT_REPUBLISH_INTERVAL_SECONDS) * 1000,
      storeOn: async (peer, item, signal) => { await this.storeOn(peer, item, signal) },
      republish: async (item, signal) => { await this.replicate(item, signal) },
      count: (name, n) => { this.metrics.count(name, n) }
    })
    // hardening hooks: one fair bounded queue for all inbound requests, table upkeep, metrics
    this.inbound = new InboundQueue(init.inboundQueue)
    this.metrics = new ToyrrentMetrics(components.metrics, {
      items: () => this.store.size,
      bytes: () => this.store.bytes,
      tableSize: () => this.table.size,
      networkSize: () => this.networkSize().estimate,
      queue: () => this.inbound.stats()
    })
    this.refresher = new TableRefresher({
      table: this.table,
      bucketSize: init.bucketSize ?? DEFAULT_BUCKET_SIZE,
      interval: init.refreshInterval ?? DEFAULT_REFRESH_INTERVAL_MS,
      log: components.logger.forComponent('toyrrent:refresh'),
      lookup: async (target, signal) => { await this.lookupNearest(target, c.SELF_LOOKUP_N, deadlineSignal([signal], this.init.operationTimeout ?? c.DEFAULT_OPERATION_TIMEOUT_MS)) }
    })
    this.server = new RpcServer({
      queue: this.inbound,
      metrics: this.metrics,
      frameTimeout: init.frameTimeout,
      idleTimeout: init.idleTimeout,
      log: components.logger.forComponent('toyrrent:rpc:server'),
      handlerTimeout: init.requestTimeout ?? c.DEFAULT_REQUEST_TIMEOUT_MS,
      handlers: {
        [Frame.Type.FIND_BEFORE_N]: new FindBeforeNHandler(this.neighbourhood, this.store),
        [Frame.Type.FETCH]: new FetchHandler(this.neighbourhood, this.store),
        [Frame.Type.STORE]: new StoreHandler(this.acceptor, this.neighbourhood, key => { this.repairer.touched(key) }),
        [Frame.Type.DIGEST]: new DigestHandler(this.placement, selfKey),
        [Frame.Type.SYNC_KEYS]: new SyncKeysHandler(this.store),
        [Frame.Type.HOLDS]: new HoldsHandler(this.store),
        [Frame.Type.HANDOFF]: new HandoffHandler(this.store, this.placement, (peer, keys) => { this.repairer.recordAcks(peer, keys) }, n => { this.metrics.count('handoff_items_sent', n) })
      }
    })
  }

  isStarted (): boolean { return this.started }

  async start (): Promise<void> {
    if (this.started) return
    this.shutdown = new AbortController()
    await this.store.open()
    await this.components.registrar.handle(this.protocol, this.server.onStream, { maxInboundStreams: 8, maxOutboundStreams: 8 })
    this.topologyId = await this.components.registrar.register(this.protocol, {
      // a closed connection is not a departed peer (idle connections get pruned):
      // peers leave the table when asking them fails
      onConnect: (peerId) => { void this.learnConnectedPeer(peerId) }
    })
    this.refresher.start()
    this.started = true
    this.scheduleRepair()
  }

  /** Graceful leave: hand every item to the next nearest nodes while connections are still up. */
  async beforeStop (): Promise<void> {
    if (!this.started) return
    clearTimeout(this.repairTimer)
    const timeout = this.init.leaveTimeoutMs ?? c.DEFAULT_LEAVE_TIMEOUT_MS
    if (timeout <= 0 || this.store.size === 0 || this.table.size === 0) return
    const started = Date.now()
    this.log('leaving: handing %d items to the next nearest nodes (at most %d ms)', this.store.size, timeout)
    try {
      const { items, pushed } = await this.repairer.handOffAll(deadlineSignal([this.shutdown.signal], timeout))
      this.log('leaving: %d items checked, %d pushed in %d ms', items, pushed, Date.now() - started)
    } catch (err: any) {
      this.log('leaving: handoff stopped after %d ms: %s', Date.now() - started, err.message)
    }
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    clearTimeout(this.repairTimer)
    this.shutdown.abort()
    this.refresher.stop()
    if (this.topologyId != null) this.components.registrar.unregister(this.topologyId)
    await this.components.registrar.unhandle(this.protocol)
    this.rpc.closeAll()
  }

  /** Run one anti-entropy round now. */
  async repair (options: AbortOptions = {}): Promise<RepairStats> {
    return this.repairer.round(AbortSignal.any([this.shutdown.signal, ...(options.signal != null ? [options.signal] : [])]))
  }

  /**
   * Onboarding: find our neighbours and pull from each the items we are now
   * among the R nearest for.
   */
  async onboard (options: ToyrrentOperationOptions = {}): Promise<HandoffResult> {
    return this.withDeadline(options, async signal => {
      const neighbours = (await this.lookupNearest(this.neighbourhood.self, this.replicas * 2, signal)).peers
        .filter(p => !p.peerId.equals(this.components.peerId))
      const total: HandoffResult = { items: 0, bytes: 0, refused: 0 }
      await Promise.all(neighbours.map(async peer => {
        try {
          const r = await pullHandoff(peer, this.rpc, this.acceptor, this.log, signal, this.requestTimeout)
          total.items += r.items
          total.bytes += r.bytes
          total.refused += r.refused
        } catch (err: any) {
          this.metrics.count('handoff_failures')
          this.log('handoff from %p failed: %s', peer.peerId, err.message)
        }
      }))
      this.metrics.count('handoff_items_received', total.items)
      this.log('onboarding: took over %d items (%d bytes) from %d neighbours', total.items, total.bytes, neighbours.length)
      return total
    })
  }

  /**
   * Who holds a key: each of its R nearest live nodes says whether it does
   * (find_before_n answers carry a `holds` flag), and any other node the
   * lookup met that holds it is listed too.
   */
  async holders (key: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<HoldersResult> {
    checkPosition(key)
    return this.withDeadline(options, async signal => {
      const holds = new Map<string, boolean>()
      const result = await this.lookupNearest(key, this.replicas, signal, this.replicaShape(), (peer, held) => { holds.set(peer.peerId.toString(), held) })
      holds.set(this.components.peerId.toString(), this.store.has(key))
      const replicaSet = result.peers.slice(0, this.replicas)
      const inSet = new Set(replicaSet.map(p => p.peerId.toString()))
      return {
        replicaSet: replicaSet.map(p => ({ peerId: p.peerId, holds: holds.get(p.peerId.toString()) ?? false })),
        otherHolders: [...holds].filter(([peer, held]) => held && !inSet.has(peer)).map(([peer]) => peer)
      }
    })
  }

  /** What this node holds and how replication looks from here. */
  stats (): ToyrrentStats {
    return {
      items: this.store.size,
      bytes: this.store.bytes,
      pinned: [...this.store.metas()].filter(m => m.pinned).length,
      peers: this.table.size,
      replicas: this.replicas,
      repair: { ...this.repairer.stats },
      network: this.networkStats() // hardening hook
    }
  }

  heldItems (): HeldItem[] {
    const self = this.components.peerId.toString()
    return this.placement.assignments().filter(({ meta }) => !isExpired(meta)).map(({ meta: m, replicaSet }) => ({
      key: m.key,
      kind: m.kind === ItemKind.PUBLISH ? 'publish' : 'hash',
      seq: m.seq,
      pinned: m.pinned,
      expiresAt: Number(m.expiresAt),
      responsible: replicaSet.includes(self)
    }))
  }

  /** Look ourselves up so our neighbours learn of us and we of them. */
  async refresh (options: ToyrrentOperationOptions = {}): Promise<void> {
    await this.findBeforeN(this.neighbourhood.self, c.SELF_LOOKUP_N, options)
  }

  /** Self lookup, a lookup in each distance band that is not full, and a check of stale members of full ones (what the periodic refresh runs). */
  async refreshTable (options: AbortOptions = {}): Promise<RefreshResult> {
    return this.refresher.refresh(options.signal)
  }

  /** Network size estimated from the distances to our nearest peers (no network traffic). */
  networkSize (): SizeEstimate {
    return estimateNetworkSize(this.table.self, this.table.closest(this.table.self, 20).map(p => p.position))
  }

  /** The network as this node sees it, for `toyrrent stats` and /v1/stats. */
  networkStats (): NetworkStats {
    return { tableBands: this.table.bands().size, networkSize: this.networkSize(), inbound: this.inbound.stats() }
  }

  async findBeforeN (target: Uint8Array, n: number = c.DEFAULT_FIND_N, options: ToyrrentOperationOptions = {}): Promise<FoundPeer[]> {
    checkPosition(target)
    if (!Number.isInteger(n) || n < 1 || n > c.MAX_FIND_N) throw new InvalidInputError(`n must be an integer from 1 to ${c.MAX_FIND_N}, got ${n}`)
    return this.withDeadline(options, async signal => (await this.lookupNearest(target, n, signal)).peers.slice(0, n))
  }

  async put (value: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<PutResult> {
    checkValueSize(value)
    const key = hashItemKey(value)
    const item: Item = { kind: ItemKind.HASH, key: ownBytes(key), body: ownBytes(value), ttlSeconds: 0 }
    // our own users' data is kept here too, pinned (DESIGN: store your own data)
    await this.acceptor.accept(item, { pinned: true })
    return this.withDeadline(options, async signal => {
      const stored = await this.replicate(item, signal)
      return { key, cid: keyToCid(key), stored }
    })
  }

  async get (key: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<Uint8Array> {
    checkPosition(key)
    const local = await this.store.get(key)
    if (local != null && !isExpired(local) && verifyHashItem(key, local.body)) return local.body
    return this.withDeadline(options, async signal => {
      let found: Uint8Array | undefined
      const result = await this.lookupWith(key, this.firstCopyShape(), signal, async (peer, querySignal) => {
        const response = await this.rpc.request(peer.peerId, { type: Frame.Type.FETCH, fetchRequest: { key: ownBytes(key), closerCount: 0 } }, { signal: querySignal, timeout: this.requestTimeout })
        const item = response.fetchResponse?.item
        if (item != null) {
          if (item.kind !== ItemKind.HASH || !verifyHashItem(key, item.body)) {
            // a lying or broken replica: skip it, the lookup goes on to the others
            this.log('%p served a value that does not hash to %s', peer.peerId, keyToCid(key))
            throw new RemoteRejectedError(`${peer.peerId} served wrong bytes`, 'hash-mismatch')
          }
          found ??= item.body
          return { closer: [], stop: true }
        }
        return { closer: this.parsePeers(response.fetchResponse?.closer ?? []) }
      })
      if (found != null) return found
      throw this.missingError(keyToCid(key), result)
    })
  }

  async publish (privateKey: PrivateKey, value: Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
    return this.signAndPublish(privateKey, value, false, options)
  }

  async del (privateKey: PrivateKey, options: PublishOptions = {}): Promise<PublishResult> {
    return this.signAndPublish(privateKey, new Uint8Array(0), true, options)
  }

  async publishRecord (record: PublishRecord, options: PublishOptions = {}): Promise<PublishResult> {
    const id = publishId(record.publicKey, record.salt)
    const item: Item = { kind: ItemKind.PUBLISH, key: ownBytes(id), body: ownBytes(encodePublishRecord(record)), ttlSeconds: 0 }
    // refuse bad input here, before anything is sent or stored
    assertAccepted(await this.verified.verify(id, item.body, record))
    return this.withDeadline(options, async signal => {
      const stored = await this.replicate(item, signal, options.expectedSeq)
      // our own users' records are kept here too, pinned; a newer one already here wins
      await this.acceptor.accept(item, { pinned: true })
      return { id, seq: record.seq, stored }
    })
  }

  async resolve (id: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<ResolveResult> {
    checkPosition(id)
    return this.withDeadline(options, async signal => {
      const local = await this.store.get(id)
      const localRecord = local == null || isExpired(local) ? undefined : await this.verifiedRecord(id, kindOf(local.kind), local.body)
      const held = new Map<string, { peer: FoundPeer, record?: PublishRecord }>()
      const selfKey = this.components.peerId.toString()
      const replica = this.neighbourhood.nearestPeers(id, this.replicas).some(p => p.peerId.toString() === selfKey)
      const quorum = new ReadQuorum(id, this.readQuorum, selfKey, replica ? { record: localRecord } : undefined)
      const result = await this.lookupWith(id, this.readShape(), signal, async (peer, querySignal) => {
        const response = await this.rpc.request(peer.peerId, { type: Frame.Type.FETCH, fetchRequest: { key: ownBytes(id), closerCount: this.replicas } }, { signal: querySignal, timeout: this.requestTimeout })
        const item = response.fetchResponse?.item
        // a replica serving a forged or foreign record is skipped like an unreachable one
        const record = item == null ? undefined : await this.verifiedRecord(id, item.kind, item.body, peer)
        held.set(peer.peerId.toString(), { peer, record })
        const closer = this.parsePeers(response.fetchResponse?.closer ?? [])
        return { closer, ...quorum.answer(peer, record, closer) }
      })
      let best = localRecord
      for (const { record } of held.values()) {
        if (record != null && (best == null || record.seq > best.seq)) best = record
      }
      if (best == null) throw this.missingError(`id ${toHex(id)}`, result)
      this.readRepair(id, best, result.peers.slice(0, this.replicas), held, localRecord)
      return { id, record: best, seq: best.seq, value: best.value, deleted: isDeleted(best) }
    })
  }

  private async signAndPublish (privateKey: PrivateKey, value: Uint8Array, deleted: boolean, options: PublishOptions): Promise<PublishResult> {
    const salt = options.salt ?? new Uint8Array(0)
    let seq = options.seq
    if (seq == null) {
      const id = publishId(privateKey.publicKey.raw, salt)
      seq = (await this.resolve(id, options).then(r => r.seq, (err: Error) => {
        if (err.name === 'NotFoundError') return 0n
        throw err
      })) + 1n
    }
    const record = await createPublishRecord({ privateKey, salt, seq, value, deleted })
    // signed here a moment ago: valid by construction, so not checked again on
    // the way into our own store (every replica still checks it)
    this.verified.add(publishId(record.publicKey, record.salt), encodePublishRecord(record))
    return this.publishRecord(record, options)
  }

  private async verifiedRecord (id: Uint8Array, kind: ItemKind, body: Uint8Array, from?: FoundPeer): Promise<PublishRecord | undefined> {
    try {
      if (kind !== ItemKind.PUBLISH) throw new InvalidInputError('not a publish item')
      const record = decodePublishRecord(body)
      assertAccepted(await this.verified.verify(id, body, record))
      return record
    } catch (err: any) {
      this.log('%s holds an invalid record for %s: %s', from?.peerId.toString() ?? 'our store', toHex(id), err.message)
      if (from != null) throw err
      return undefined
    }
  }

  /** Push the newest record to replicas that answered with an older one or none; in the background. */
  private readRepair (id: Uint8Array, best: PublishRecord, replicaSet: FoundPeer[], held: Map<string, { record?: PublishRecord }>, localRecord?: PublishRecord): void {
    const item: Item = { kind: ItemKind.PUBLISH, key: ownBytes(id), body: ownBytes(encodePublishRecord(best)), ttlSeconds: 0 }
    const stale = replicaSet.filter(peer => {
      const record = peer.peerId.equals(this.components.peerId) ? localRecord : held.get(peer.peerId.toString())?.record
      return record == null || record.seq < best.seq
    })
    for (const peer of stale) {
      this.storeOn(peer, item, deadlineSignal([this.shutdown.signal], this.requestTimeout)).then(() => {
        this.log('read repair: %p now holds seq %s of %s', peer.peerId, best.seq, toHex(id))
      }, (err: Error) => {
        this.log('read repair of %p failed: %s', peer.peerId, err.message)
      })
    }
  }

  /**
   * Store an item on the R nearest nodes; resolves once W acknowledged, the
   * rest land in the background.
   */
  private async replicate (item: Item, signal: AbortSignal, expectedSeq?: bigint): Promise<PeerId[]> {
    if (this.table.size >= this.replicas * 2) {
      const stored = await this.replicateToKnown(item, signal, expectedSeq)
      if (stored != null) return stored
    }
    const { peers, failed } = await this.lookupNearest(item.key, this.replicas * 2, signal, this.replicaShape())
    // a network smaller than W can only give what it has; unreachable peers never lower the bar
    const quorum = failed === 0 ? Math.min(this.writeQuorum, peers.length) : this.writeQuorum
    const { acked } = await replicate({
      peers,
      replicas: this.replicas,
      quorum,
      storeOn: async peer => { await this.storeOn(peer, item, signal, expectedSeq) }
    })
    return acked.map(p => p.peerId)
  }

  /**
   * The fast path: store straight on the replica set our table knows, each
   * store answering with the responder's own nearest peers to the key. When
   * none of them knows a nearer peer, our view was right and the write took
   * one round trip; otherwise (undefined) the caller does the full lookup.
   */
  private async replicateToKnown (item: Item, signal: AbortSignal, expectedSeq?: bigint): Promise<PeerId[] | undefined> {
    const known = this.neighbourhood.nearestPeers(item.key, this.replicas * 2)
    const learned: FoundPeer[] = []
    let acked: FoundPeer[]
    try {
      ({ acked } = await replicate({
        peers: known,
        replicas: this.replicas,
        quorum: this.writeQuorum,
        storeOn: async peer => { learned.push(...await this.storeOn(peer, item, signal, expectedSeq, this.replicas)) }
      }))
    } catch (err) {
      if (err instanceof InsufficientPeersError) return undefined
      throw err
    }
    const boundary = known[Math.min(this.replicas, known.length) - 1].position
    const missed = learned.some(p => compareDistance(item.key, p.position, boundary) < 0 && !known.some(k => k.peerId.equals(p.peerId)))
    if (missed) {
      this.log('the replica set of %s was not the one our table knows; looking it up', keyToCid(item.key))
      return undefined
    }
    return acked.map(p => p.peerId)
  }

  /** Store an item on one peer (or here); with `closerCount`, return the peers it knows nearest to the key. */
  private async storeOn (peer: FoundPeer, item: Item, signal: AbortSignal, expectedSeq?: bigint, closerCount = 0): Promise<FoundPeer[]> {
    if (peer.peerId.equals(this.components.peerId)) {
      const result = await this.acceptor.accept(item, { signal, expectedSeq })
      if (result.status !== Status.OK) throw new RemoteRejectedError(`local store refused: ${result.message ?? ''}`, statusCode(result.status))
      return closerCount > 0 ? this.neighbourhood.nearestPeers(item.key, closerCount) : []
    }
    try {
      const response = await this.rpc.request(peer.peerId, { type: Frame.Type.STORE, storeRequest: { item, expectedSeq, closerCount } }, { signal, timeout: this.requestTimeout })
      return this.parsePeers(response.storeResponse?.closer ?? [])
    } catch (err: any) {
      this.askingFailed(peer, err, signal)
      throw err
    }
  }

  /** find_before_n lookup; `onHolds` hears each responder's "I hold the item with this key" flag. */
  private async lookupNearest (target: Uint8Array, n: number, signal: AbortSignal, shape = this.exactShape(n), onHolds?: (peer: FoundPeer, holds: boolean) => void): Promise<LookupResult> {
    return this.lookupWith(target, shape, signal, async (peer, querySignal) => {
      const response = await this.rpc.request(peer.peerId, {
        type: Frame.Type.FIND_BEFORE_N,
        findBeforeNRequest: { target: ownBytes(target), n: shape.width }
      }, { signal: querySignal, timeout: this.requestTimeout })
      onHolds?.(peer, response.findBeforeNResponse?.holds ?? false)
      return { closer: this.parsePeers(response.findBeforeNResponse?.peers ?? []) }
    })
  }

  /**
   * find_before_n keeps a shortlist of at least `lookupWidth` peers (Kademlia's
   * k) whatever n the caller wants, three queries in flight: exact even where
   * tables are thin.
   */
  private exactShape (n: number): LookupShape {
    return { width: Math.max(n, this.init.lookupWidth ?? c.DEFAULT_FIND_N), alpha: this.init.alpha ?? c.DEFAULT_ALPHA }
  }

  /**
   * Writes, resolves and holder checks need the replica set: a shortlist of 2R
   * asked all at once. Where our table already knows the neighbourhood of the
   * key (the usual case) that is one round trip; where it does not, the
   * answers name nearer peers and the lookup goes on.
   */
  private replicaShape (): LookupShape {
    return { width: this.replicas * 2, alpha: this.replicas * 2 }
  }

  /**
   * A resolve reads the replica set itself: first the nearest R − W + 1 (a
   * read quorum, which meets every W-acknowledged write), the rest of the R
   * only when those disagree, fail, or are slower than 200 ms.
   */
  private readShape (): LookupShape {
    return { width: this.replicas, alpha: this.replicas, initialAlpha: this.readQuorum, hedgeMs: 200 }
  }

  private get readQuorum (): number {
    return this.replicas - this.writeQuorum + 1
  }

  /**
   * A get needs one verified copy: ask the nearest first, widen on a miss, a
   * failure, or after 200 ms without an answer (a hedge well above the loaded
   * round trip, so busy nodes are not sent every get twice).
   */
  private firstCopyShape (): LookupShape {
    return { width: this.replicas * 2, alpha: this.init.alpha ?? c.DEFAULT_ALPHA, initialAlpha: 1, hedgeMs: 200 }
  }

  private async lookupWith (target: Uint8Array, shape: LookupShape, signal: AbortSignal, query: (peer: FoundPeer, signal: AbortSignal) => Promise<QueryOutcome>): Promise<LookupResult> {
    const started = performance.now() // metrics hook
    const result = await lookup({
      target,
      n: shape.width,
      alpha: shape.alpha,
      initialAlpha: shape.initialAlpha,
      hedgeMs: shape.hedgeMs,
      self: this.neighbourhood.selfPeer(),
      seeds: this.seeds(target, shape.width),
      signal,
      query: async (peer, querySignal) => {
        try {
          await this.rememberAddrs(peer)
          const outcome = await query(peer, querySignal)
          this.table.add(peer.peerId, peer.multiaddrs, peer.position)
          return outcome
        } catch (err: any) {
          this.askingFailed(peer, err, querySignal)
          throw err
        }
      }
    })
    this.metrics.lookup(result.hops, performance.now() - started)
    return result
  }

  /**
   * A request to a peer failed. A refusal (busy, bad request) comes from a
   * peer that is alive: it stays. One we gave up on ourselves says nothing.
   * Otherwise the table decides (at once, or on the third timeout in a row).
   */
  private askingFailed (peer: FoundPeer, err: Error, signal: AbortSignal): void {
    if (signal.aborted || err instanceof RemoteRejectedError) return
    if (this.table.failed(peer.peerId, err.name === 'TimeoutError')) {
      this.log('asking %p failed, dropped it from the table: %s', peer.peerId, err.message)
    }
  }

  /** Where a lookup starts: the nearest peers in the table, or while it is still empty (just after bootstrap) the peers we are connected to. */
  private seeds (target: Uint8Array, count: number): FoundPeer[] {
    const known = this.table.closest(target, count)
    if (known.length > 0) return known
    return this.components.connectionManager.getConnections()
      .map(conn => ({ peerId: conn.remotePeer, multiaddrs: [], position: peerPosition(conn.remotePeer) }))
  }

  /** Not found only when enough peers answered; otherwise say we could not reach them. */
  private missingError (name: string, result: LookupResult): Error {
    if (result.answered === 0 && result.failed > 0) {
      return new InsufficientPeersError(`could not reach any of the ${result.failed} peers tried for ${name}`)
    }
    if (result.failed > 0 && result.answered < this.writeQuorum) {
      return new InsufficientPeersError(`only ${result.answered} peers answered for ${name} (${result.failed} failed); need ${this.writeQuorum}`)
    }
    return new NotFoundError(`${name} not found (${result.answered} peers asked)`)
  }

  private parsePeers (infos: Array<import('../rpc/pb/rpc.ts').PeerInfo>): FoundPeer[] {
    const out: FoundPeer[] = []
    for (const info of infos.slice(0, c.MAX_FIND_N)) {
      const peer = this.neighbourhood.fromWire(info)
      if (peer != null) out.push(peer)
    }
    return out
  }

  private async rememberAddrs (peer: FoundPeer): Promise<void> {
    if (peer.multiaddrs.length === 0) return
    if (this.components.connectionManager.getConnections(peer.peerId).length > 0) return
    await this.components.peerStore.merge(peer.peerId, { multiaddrs: peer.multiaddrs })
  }

  private async learnConnectedPeer (peerId: PeerId): Promise<void> {
    try {
      const peer = await this.components.peerStore.get(peerId)
      this.table.add(peerId, peer.addresses.map(a => a.multiaddr))
    } catch (err: any) {
      this.log('could not learn %p: %s', peerId, err.message)
    }
  }

  private get repairIntervalMs (): number {
    return (this.init.repairIntervalSeconds ?? c.DEFAULT_REPAIR_INTERVAL_SECONDS) * 1000
  }

  private scheduleRepair (): void {
    if (this.repairIntervalMs <= 0) return
    this.repairTimer = setTimeout(() => {
      this.repair().catch((err: Error) => { this.log('repair round failed: %s', err.message) })
        .finally(() => { if (this.started) this.scheduleRepair() })
    }, this.repairIntervalMs)
    this.repairTimer.unref?.()
  }

  private get requestTimeout (): number {
    return this.init.requestTimeout ?? c.DEFAULT_REQUEST_TIMEOUT_MS
  }

  private async withDeadline<T> (options: AbortOptions & { timeout?: number }, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = deadlineSignal([this.shutdown.signal, options.signal], options.timeout ?? this.init.operationTimeout ?? c.DEFAULT_OPERATION_TIMEOUT_MS)
    return work(signal)
  }
}

function checkPosition (target: Uint8Array): void {
  if (!(target instanceof Uint8Array) || target.byteLength !== POSITION_BYTES) {
    throw new InvalidInputError(`a key or position must be ${POSITION_BYTES} bytes`)
  }
}
