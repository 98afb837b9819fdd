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
import { ItemStore, isExpired, toItem } from '../store/item-store.ts'
import { ItemAcceptor } from '../store/accept.ts'
import { PeerTable } from './peer-table.ts'
import { Neighbourhood } from './neighbourhood.ts'
import { lookup } from './lookup.ts'
import { keepAddrs } from './addresses.ts'
import { checkValueSize, hashItemKey, keyToCid, verifyHashItem } from '../records/hash-item.ts'
import { InsufficientPeersError, InvalidInputError, NotFoundError, RemoteRejectedError } from '../errors.ts'
import { POSITION_BYTES, peerPosition } from '../keyspace.ts'
import { timeoutSignal } from '../signals.ts'
import { ownBytes } from '../bytes.ts'
import * as c from '../constants.ts'
import type { FoundPeer, PutResult, ToyrrentApi, ToyrrentOperationOptions } from './types.ts'
import type { LookupResult, QueryOutcome } from './lookup.ts'
import type { Item } from '../rpc/pb/rpc.ts'
import type { AbortOptions, ComponentLogger, Logger, PeerId, PeerStore, Startable } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'

export interface ToyrrentComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  datastore: Datastore
  logger: ComponentLogger
}

export interface ToyrrentInit {
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
  private shutdown = new AbortController()
  private topologyId?: string
  private started = false

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
    this.acceptor = new ItemAcceptor(this.store)
    this.table = new PeerTable(components.peerId, init.bucketSize)
    const allowPrivate = init.allowPrivateAddresses ?? true
    this.neighbourhood = new Neighbourhood({
      selfId: components.peerId,
      table: this.table,
      selfAddrs: () => keepAddrs(components.addressManager.getAddresses(), allowPrivate),
      filterAddrs: addrs => keepAddrs(addrs, allowPrivate)
    })
    this.rpc = new RpcClient(components, { protocol: this.protocol })
    this.server = new RpcServer({
      log: components.logger.forComponent('toyrrent:rpc:server'),
      handlerTimeout: init.requestTimeout ?? c.DEFAULT_REQUEST_TIMEOUT_MS,
      handlers: {
        [Frame.Type.FIND_BEFORE_N]: new FindBeforeNHandler(this.neighbourhood, this.store),
        [Frame.Type.FETCH]: new FetchHandler(this.neighbourhood, this.store),
        [Frame.Type.STORE]: new StoreHandler(this.acceptor)
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
      onConnect: (peerId) => { void this.learnConnectedPeer(peerId) }
    })
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.shutdown.abort()
    if (this.topologyId != null) this.components.registrar.unregister(this.topologyId)
    await this.components.registrar.unhandle(this.protocol)
    this.rpc.closeAll()
  }

  /** Look ourselves up so our neighbours learn of us and we of them. */
  async refresh (options: ToyrrentOperationOptions = {}): Promise<void> {
    await this.findBeforeN(this.neighbourhood.self, c.DEFAULT_FIND_N, options)
  }

  async findBeforeN (target: Uint8Array, n: number = c.DEFAULT_FIND_N, options: ToyrrentOperationOptions = {}): Promise<FoundPeer[]> {
    checkPosition(target)
    if (!Number.isInteger(n) || n < 1 || n > c.MAX_FIND_N) throw new InvalidInputError(`n must be an integer from 1 to ${c.MAX_FIND_N}, got ${n}`)
    return this.withDeadline(options, async signal => (await this.lookupNearest(target, n, signal)).peers.slice(0, n))
  }

  async put (value: Uint8Array, options: ToyrrentOperationOptions = {}): Promise<PutResult> {
    checkValueSize(value)
    const key = hashItemKey(value)
    const item: Item = { kind: ItemKind.HASH, key: ownBytes(key), body: ownBytes(value) }
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
      const result = await this.lookupWith(key, this.replicas, signal, async (peer, querySignal) => {
        const response = await this.rpc.request(peer.peerId, { type: Frame.Type.FETCH, fetchRequest: { key: ownBytes(key) } }, { signal: querySignal, timeout: this.requestTimeout })
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

  /**
   * Store an item on the R nearest nodes. Resolves with the acknowledging
   * peers once W have acknowledged; when one of the R does not answer, the
   * next nearest takes its place.
   */
  private async replicate (item: Item, signal: AbortSignal): Promise<PeerId[]> {
    const { peers, failed } = await this.lookupNearest(item.key, this.replicas * 2, signal)
    // a network smaller than W can only give what it has; unreachable peers never lower the bar
    const quorum = failed === 0 ? Math.min(this.writeQuorum, peers.length) : this.writeQuorum
    const acked: PeerId[] = []
    const errors: Error[] = []
    let next = 0
    const { promise, resolve, reject } = Promise.withResolvers<PeerId[]>()
    let running = 0
    const settleIfDone = (): void => {
      if (acked.length >= quorum) resolve([...acked])
      else if (running === 0 && (next >= peers.length || acked.length + running >= this.replicas)) {
        reject(new InsufficientPeersError(`stored on ${acked.length} of the ${quorum} nodes needed (${errors.map(e => e.message).join('; ') || 'no peers'})`))
      }
    }
    const launchNext = (): void => {
      while (running + acked.length < this.replicas && next < peers.length) {
        const peer = peers[next++]
        running++
        this.storeOn(peer, item, signal).then(() => { acked.push(peer.peerId) }, err => {
          errors.push(err)
          launchNext()
        }).finally(() => {
          running--
          settleIfDone()
        })
      }
      settleIfDone()
    }
    launchNext()
    return promise
  }

  private async storeOn (peer: FoundPeer, item: Item, signal: AbortSignal): Promise<void> {
    if (peer.peerId.equals(this.components.peerId)) {
      const result = await this.acceptor.accept(item, { signal })
      if (result.status !== Status.OK) throw new RemoteRejectedError(`local store refused: ${result.message}`, result.status)
      return
    }
    await this.rpc.request(peer.peerId, { type: Frame.Type.STORE, storeRequest: { item } }, { signal, timeout: this.requestTimeout })
  }

  private async lookupNearest (target: Uint8Array, n: number, signal: AbortSignal): Promise<LookupResult> {
    return this.lookupWith(target, n, signal, async (peer, querySignal) => {
      const response = await this.rpc.request(peer.peerId, {
        type: Frame.Type.FIND_BEFORE_N,
        findBeforeNRequest: { target: ownBytes(target), n: Math.max(n, this.init.lookupWidth ?? c.DEFAULT_FIND_N) }
      }, { signal: querySignal, timeout: this.requestTimeout })
      return { closer: this.parsePeers(response.findBeforeNResponse?.peers ?? []) }
    })
  }

  /**
   * Every lookup keeps a shortlist of at least `lookupWidth` peers (Kademlia's
   * k) whatever n the caller wants: a narrower search can settle on peers that
   * merely do not know the nearest ones.
   */
  private async lookupWith (target: Uint8Array, n: number, signal: AbortSignal, query: (peer: FoundPeer, signal: AbortSignal) => Promise<QueryOutcome>): Promise<LookupResult> {
    const width = Math.max(n, this.init.lookupWidth ?? c.DEFAULT_FIND_N)
    return lookup({
      target,
      n: width,
      alpha: this.init.alpha ?? c.DEFAULT_ALPHA,
      self: this.neighbourhood.selfPeer(),
      seeds: this.seeds(target, width),
      signal,
      query: async (peer, querySignal) => {
        try {
          await this.rememberAddrs(peer)
          const outcome = await query(peer, querySignal)
          this.table.add(peer.peerId, peer.multiaddrs, peer.position)
          return outcome
        } catch (err: any) {
          if (!querySignal.aborted) {
            this.log('query to %p failed, dropping it from the table: %s', peer.peerId, err.message)
            this.table.remove(peer.peerId)
          }
          throw err
        }
      }
    })
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

  private get requestTimeout (): number {
    return this.init.requestTimeout ?? c.DEFAULT_REQUEST_TIMEOUT_MS
  }

  private async withDeadline<T> (options: AbortOptions & { timeout?: number }, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = timeoutSignal(AbortSignal.any([this.shutdown.signal, ...(options.signal != null ? [options.signal] : [])]), options.timeout ?? this.init.operationTimeout ?? c.DEFAULT_OPERATION_TIMEOUT_MS)
    return work(signal)
  }
}

function checkPosition (target: Uint8Array): void {
  if (!(target instanceof Uint8Array) || target.byteLength !== POSITION_BYTES) {
    throw new InvalidInputError(`a key or position must be ${POSITION_BYTES} bytes`)
  }
}
