/**
 * Outbound RPC: keeps one RpcChannel per peer, opened on first use and
 * reopened after it ends, and turns non-OK statuses into typed errors.
 */
import { RpcChannel } from './channel.ts'
import type { Exchange } from './channel.ts'
import { Frame, Status } from './pb/rpc.ts'
import { RPC_PROTOCOL, DEFAULT_REQUEST_TIMEOUT_MS } from '../constants.ts'
import { RemoteRejectedError } from '../errors.ts'
import { statusCode } from './status.ts'
import { deadlineSignal } from '../signals.ts'
import type { AbortOptions, ComponentLogger, Logger, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** Retries of a request answered BUSY, and the first back-off (doubling, jittered). */
const BUSY_RETRIES = 2
const BUSY_BACKOFF_MS = 50

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export interface RpcClientComponents {
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface RequestOptions extends AbortOptions {
  /** Per-request deadline in ms. */
  timeout?: number
}

export class RpcClient {
  private readonly components: RpcClientComponents
  private readonly channels = new Map<string, Promise<RpcChannel>>()
  private readonly log: Logger
  private readonly protocol: string

  constructor (components: RpcClientComponents, init: { protocol?: string } = {}) {
    this.components = components
    this.protocol = init.protocol ?? RPC_PROTOCOL
    this.log = components.logger.forComponent('toyrrent:rpc:client')
  }

  /**
   * Send a request and return the response frame. Throws RemoteRejectedError
   * (with the wire status as its code) for any status but OK and NOT_FOUND.
   */
  async request (peer: PeerId, frame: Partial<Frame>, options: RequestOptions = {}): Promise<Frame> {
    return (await this.requestCounted(peer, frame, options)).response
  }

  /** As request, also saying how many bytes the exchange took. */
  async requestCounted (peer: PeerId, frame: Partial<Frame>, options: RequestOptions = {}): Promise<Exchange> {
    const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS
    const deadline = Date.now() + timeout
    let exchange: Exchange
    for (let attempt = 0; ; attempt++) {
      const left = Math.max(deadline - Date.now(), 1)
      const channel = await this.channel(peer, options.signal, left)
      exchange = await channel.request(frame, { signal: options.signal, timeout: left })
      // BUSY is retryable: back off and ask again while the deadline allows, then fail
      // with code 'busy', which callers treat as this peer failing (the write path moves on)
      const backoff = BUSY_BACKOFF_MS * 2 ** attempt * (0.5 + Math.random())
      if (exchange.response.status !== Status.BUSY || attempt >= BUSY_RETRIES || Date.now() + backoff >= deadline) break
      await sleep(backoff, options.signal)
    }
    const { response } = exchange
    if (response.status !== Status.OK && response.status !== Status.NOT_FOUND) {
      throw new RemoteRejectedError(`${peer}: ${response.message !== '' ? response.message : statusCode(response.status)}`, statusCode(response.status))
    }
    return exchange
  }

  /** Drop every channel; used on stop. */
  closeAll (): void {
    for (const [key, channel] of this.channels) {
      this.channels.delete(key)
      channel.then(c => { c.close() }, () => {})
    }
  }

  /** The open channel to `peer`, or a new one (opening a stream within `timeout` ms). */
  private async channel (peer: PeerId, signal: AbortSignal | undefined, timeout: number): Promise<RpcChannel> {
    const key = peer.toString()
    let entry = this.channels.get(key)
    if (entry != null) {
      const channel = await entry.catch(() => undefined)
      if (channel != null && !channel.closed) return channel
      if (this.channels.get(key) === entry) this.channels.delete(key)
      entry = this.channels.get(key)
      if (entry != null) return entry
    }
    const opening = this.components.connectionManager.openStream(peer, this.protocol, { signal: deadlineSignal([signal], timeout) })
      .then(stream => new RpcChannel(stream, this.log))
    this.channels.set(key, opening)
    opening.catch(() => { if (this.channels.get(key) === opening) this.channels.delete(key) })
    return opening
  }
}
