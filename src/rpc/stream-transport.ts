/**
 * Frames over libp2p: one long-lived RpcChannel per peer on a direct
 * connection, opened on first use and reopened after it ends. A peer with
 * addresses we have no connection to has them merged into the peer store
 * first, so the dial knows where to go.
 *
 * A peer we reach only through a relay (a limited connection) gets
 * FIND_BEFORE_N and FETCH there, one request per stream, while the
 * connection's budget lasts; anything else, and a FETCH whose answer did not
 * fit, waits for a direct connection (rpc/limited-exchange.ts). A direct
 * connection, once there, is always the one used.
 */
import { RpcChannel } from './channel.ts'
import { openUnnegotiated } from './optimistic-select.ts'
import { Status } from './pb/rpc.ts'
import { directConnection, exchangeOnLimited } from './limited-exchange.ts'
import { fitsLimits, isLimited, servedOnLimited } from './limited.ts'
import { deadlineSignal } from '../signals.ts'
import { TimeoutError } from '../errors.ts'
import { NotConnectedError } from './not-connected.ts'
import { rpcDial } from './rpc-dial.ts'
import { LIMITED_ANSWER_BYTES, LIMITED_REQUEST_BYTES } from '../constants.ts'
import type { Exchange } from './channel.ts'
import type { ExchangeOptions, FrameTransport } from './client.ts'
import type { Frame } from './pb/rpc.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { AbortOptions, ComponentLogger, Connection, Logger, PeerId, PeerStore } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface StreamTransportComponents {
  connectionManager: ConnectionManager
  peerStore: PeerStore
  logger: ComponentLogger
}

/** What one small request and its largest answer take of a limited connection's budget. */
const LIMITED_EXCHANGE_BYTES = LIMITED_REQUEST_BYTES + LIMITED_ANSWER_BYTES

export class StreamTransport implements FrameTransport {
  private readonly components: StreamTransportComponents
  private readonly protocol: string
  private readonly channels = new Map<string, Promise<RpcChannel>>()
  /** The channels once open (isWarm reads them without an await). */
  private readonly opened = new Map<string, RpcChannel>()
  private readonly log: Logger

  /** New streams propose their protocol with the first request (false: wait for the peer's acceptance first, libp2p's way). */
  private readonly optimistic: boolean

  constructor (components: StreamTransportComponents, protocol: string, options: { optimisticSelect?: boolean } = {}) {
    this.components = components
    this.protocol = protocol
    this.optimistic = options.optimisticSelect ?? true
    this.log = components.logger.forComponent('toyrrent:rpc:client')
  }

  async exchange (peer: FoundPeer, frame: Partial<Frame>, options: ExchangeOptions): Promise<Exchange> {
    const deadline = Date.now() + options.timeout
    const key = peer.peerId.toString()
    const reused = this.channels.has(key)
    let channel = await this.existing(key)
    if (channel == null) {
      // made only here: a request on an open channel costs no timer and no AbortSignal.any
      const signal = deadlineSignal([options.signal], options.timeout)
      const connection = await this.connection(peer, frame.type, signal, options.noDial)
      if (isLimited(connection)) return await this.exchangeLimited(peer, connection, frame, options, deadline)
      channel = await this.channel(peer, connection, signal)
    }
    try {
      // the request gets what opening the channel left of the deadline, so its timer measures the peer, not the dial
      return await channel.request(frame, { ...options, timeout: Math.max(deadline - Date.now(), 1) })
    } catch (err) {
      // a channel opened earlier can die with its connection (the peer restarted, an idle
      // connection was pruned) before it notices: that says nothing about the peer, so ask
      // once more on a fresh one (every request is idempotent: a repeated STORE is a no-op)
      const left = deadline - Date.now()
      if (!reused || !channel.closed || options.signal?.aborted === true || left <= 0 || err instanceof TimeoutError) throw err
      this.log('channel to %p ended under a request (%s); asking again on a new one', peer.peerId, (err as Error).message)
      return await this.exchange(peer, frame, { ...options, timeout: left })
    }
  }

  isWarm (peer: PeerId): boolean {
    const key = peer.toString()
    const channel = this.opened.get(key)
    if (channel == null) return false
    if (!channel.closed) return true
    this.opened.delete(key)
    return false
  }

  isOpen (peer: PeerId): boolean {
    return this.components.connectionManager.getConnections(peer).some(c => c.status === 'open' && !isLimited(c))
  }

  close (): void {
    this.opened.clear()
    for (const [key, channel] of this.channels) {
      this.channels.delete(key)
      channel.then(c => { c.close() }, () => {})
    }
  }

  /**
   * One small request over a limited connection. A BUSY answer there means
   * "not on this connection" (or a busy peer): ask again over a direct
   * connection if one can be had within the deadline, else report it.
   */
  private async exchangeLimited (peer: FoundPeer, connection: Connection, frame: Partial<Frame>, options: AbortOptions & { timeout: number }, deadline: number): Promise<Exchange> {
    const exchange = await exchangeOnLimited(connection, this.protocol, frame, deadlineSignal([options.signal], options.timeout), { optimisticSelect: this.optimistic })
    const left = deadline - Date.now()
    if (exchange.response.status !== Status.BUSY || left <= 0) return exchange
    try {
      await directConnection(this.components.connectionManager, this.components.peerStore, peer.peerId, deadlineSignal([options.signal], left))
    } catch {
      return exchange
    }
    const again = deadlineSignal([options.signal], deadline - Date.now())
    const channel = await this.channel(peer, await this.connection(peer, undefined, again), again)
    const direct = await channel.request(frame, { ...options, timeout: Math.max(deadline - Date.now(), 1) })
    return { ...direct, bytes: direct.bytes + exchange.bytes }
  }

  /**
   * The connection a request of `type` goes on: a direct one when there is or
   * can be one; a limited one only for the requests served there, while it
   * has the budget for one more.
   */
  private async connection (peer: FoundPeer, type: Frame.Type | undefined, signal: AbortSignal, noDial = false): Promise<Connection> {
    const { connectionManager, peerStore } = this.components
    const open = connectionManager.getConnections(peer.peerId).filter(c => c.status === 'open')
    const direct = open.find(c => !isLimited(c))
    if (direct != null) return direct
    if (noDial) throw new NotConnectedError(`no open direct connection to ${peer.peerId}`)
    const small = servedOnLimited(type)
    const limited = small ? open.find(c => fitsLimits(c, LIMITED_EXCHANGE_BYTES)) : undefined
    if (limited != null) return limited
    // relayed only: a dial by peer id could just go through the relay again
    if (!small && open.length > 0) return await directConnection(connectionManager, peerStore, peer.peerId, signal)
    if (peer.multiaddrs.length > 0 && open.length === 0) {
      // an answer names members only, which serve the RPC: recorded with the addresses, since this end skips identifying
      // the connection off the internet (node/identify-policy.ts) and the optimistic stream adds no protocol to the peer store
      await peerStore.merge(peer.peerId, { multiaddrs: peer.multiaddrs, protocols: [this.protocol] }, { signal })
    }
    // dials the peer's addresses, direct ones first; may end on a relay
    const connection = await rpcDial(this.components, peer.peerId, async () => await connectionManager.openConnection(peer.peerId, { signal }))
    if (!isLimited(connection) || (small && fitsLimits(connection, LIMITED_EXCHANGE_BYTES))) return connection
    return await directConnection(connectionManager, peerStore, peer.peerId, signal)
  }

  /** The channel to this peer that is open or opening, if any (a closed or failed one is forgotten). */
  private async existing (key: string): Promise<RpcChannel | undefined> {
    const entry = this.channels.get(key)
    if (entry == null) return undefined
    const channel = await entry.catch(() => undefined)
    if (channel != null && !channel.closed) return channel
    if (this.channels.get(key) === entry) this.channels.delete(key)
    return await this.existing(key)
  }

  /**
   * The open channel to `peer`, or a new one on the direct `connection`
   * (opening a stream before `signal` aborts). The look-up and the entry for a
   * new one happen with no await between them, so concurrent first requests
   * share one stream (a peer resets a ninth).
   */
  private async channel (peer: FoundPeer, connection: Connection, signal: AbortSignal): Promise<RpcChannel> {
    const key = peer.peerId.toString()
    const entry = this.channels.get(key)
    if (entry != null) {
      const channel = await entry.catch(() => undefined)
      if (channel != null && !channel.closed) return channel
      if (this.channels.get(key) === entry) this.channels.delete(key)
      return await this.channel(peer, connection, signal)
    }
    const opening = this.openChannel(connection, signal).then(channel => {
      this.opened.set(key, channel)
      return channel
    })
    this.channels.set(key, opening)
    opening.catch(() => { if (this.channels.get(key) === opening) this.channels.delete(key) })
    return await opening
  }

  /**
   * A new channel on `connection`: its protocol proposed together with the
   * first request (rpc/optimistic-select.ts: no round trip before the
   * request leaves), or, where the connection's muxer is not at hand or
   * `optimistic` is off, negotiated in full first (`newStream`).
   */
  private async openChannel (connection: Connection, signal: AbortSignal): Promise<RpcChannel> {
    signal.throwIfAborted()
    const raw = this.optimistic ? await openUnnegotiated(connection, this.protocol) : undefined
    if (raw != null) return new RpcChannel(raw, this.log, this.protocol)
    return new RpcChannel(await connection.newStream(this.protocol, { signal }), this.log)
  }
}
