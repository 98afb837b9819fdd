/**
 * Frames over libp2p: one long-lived RpcChannel per peer, opened on first use
 * and reopened after it ends. A peer with addresses we have no connection to
 * has them merged into the peer store first, so the dial knows where to go.
 */
import { RpcChannel } from './channel.ts'
import { deadlineSignal } from '../signals.ts'
import { TimeoutError } from '../errors.ts'
import type { Exchange } from './channel.ts'
import type { ExchangeOptions, FrameTransport } from './client.ts'
import type { Frame } from './pb/rpc.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { AbortOptions, ComponentLogger, Logger, PeerStore } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface StreamTransportComponents {
  connectionManager: ConnectionManager
  peerStore: PeerStore
  logger: ComponentLogger
}

export class StreamTransport implements FrameTransport {
  private readonly components: StreamTransportComponents
  private readonly protocol: string
  private readonly channels = new Map<string, Promise<RpcChannel>>()
  private readonly log: Logger

  constructor (components: StreamTransportComponents, protocol: string) {
    this.components = components
    this.protocol = protocol
    this.log = components.logger.forComponent('toyrrent:rpc:client')
  }

  async exchange (peer: FoundPeer, frame: Partial<Frame>, options: ExchangeOptions): Promise<Exchange> {
    const deadline = Date.now() + options.timeout
    const reused = this.channels.has(peer.peerId.toString())
    const channel = await this.channel(peer, options.signal, options.timeout)
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
      return (await this.channel(peer, options.signal, left)).request(frame, { ...options, timeout: left })
    }
  }

  close (): void {
    for (const [key, channel] of this.channels) {
      this.channels.delete(key)
      channel.then(c => { c.close() }, () => {})
    }
  }

  /** The open channel to `peer`, or a new one (opening a stream within `timeout` ms). */
  private async channel (peer: FoundPeer, signal: AbortSignal | undefined, timeout: number): Promise<RpcChannel> {
    const key = peer.peerId.toString()
    let entry = this.channels.get(key)
    if (entry != null) {
      const channel = await entry.catch(() => undefined)
      if (channel != null && !channel.closed) return channel
      if (this.channels.get(key) === entry) this.channels.delete(key)
      entry = this.channels.get(key)
      if (entry != null) return entry
    }
    const opening = this.open(peer, deadlineSignal([signal], timeout))
    this.channels.set(key, opening)
    opening.catch(() => { if (this.channels.get(key) === opening) this.channels.delete(key) })
    return opening
  }

  private async open (peer: FoundPeer, signal: AbortSignal): Promise<RpcChannel> {
    if (peer.multiaddrs.length > 0 && this.components.connectionManager.getConnections(peer.peerId).length === 0) {
      await this.components.peerStore.merge(peer.peerId, { multiaddrs: peer.multiaddrs }, { signal })
    }
    const stream = await this.components.connectionManager.openStream(peer.peerId, this.protocol, { signal })
    return new RpcChannel(stream, this.log)
  }
}
