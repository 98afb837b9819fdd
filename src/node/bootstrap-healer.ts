/**
 * Bootstrap healing (createToyrrentNode): redial the bootstrap addresses and
 * remembered peers while the routing table runs short.
 */
import { logger } from '@libp2p/logger'
import { tableSize, peerIdOf } from './table.ts'
import { rememberedPeers } from './rejoin.ts'
import { DEFAULT_REMEMBERED_PEERS, DIAL_TIMEOUT_MS, REMEMBERED_DIAL_TIMEOUT_MS } from '../constants.ts'
import type { BootstrapRetryEvent, ToyrrentLibp2p, ToyrrentNodeOptions } from './types.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('toyrrent:node')

/** Bootstrap healing: the first retry after about a second, doubling up to a minute. */
const BOOTSTRAP_RETRY_INITIAL_MS = 1000
const BOOTSTRAP_RETRY_MAX_MS = 60_000

/**
 * Bootstrap healing: a node whose bootstrap failed (the node it names came up
 * later, the network was down) or whose peers all went away dials its
 * bootstrap addresses and remembered peers again while its routing table is
 * empty or holds fewer peers than its bootstrap list, with capped
 * exponential back-off and jitter; every dial has a deadline, and stop()
 * ends it. A check while the table is healthy costs no traffic.
 */
export class BootstrapHealer {
  private readonly libp2p: ToyrrentLibp2p
  private readonly protocol: string
  private readonly rememberedPeers: number
  private readonly initialMs: number
  private readonly maxMs: number
  private readonly enabled: boolean
  private readonly onRetry?: (event: BootstrapRetryEvent) => void
  private readonly bootstrap = new Map<string, Multiaddr>()
  private readonly controller = new AbortController()
  private timer?: ReturnType<typeof setTimeout>
  private delay: number
  private running = false
  /** Bootstraps in progress (node.bootstrap()): no healing round meanwhile. */
  private bootstrapping = 0

  constructor (libp2p: ToyrrentLibp2p, protocol: string, options: ToyrrentNodeOptions, bootstrap: Multiaddr[]) {
    this.libp2p = libp2p
    this.protocol = protocol
    this.rememberedPeers = options.rememberedPeers ?? DEFAULT_REMEMBERED_PEERS
    const retry = options.bootstrapRetry === false ? undefined : options.bootstrapRetry
    this.enabled = options.bootstrapRetry !== false
    this.initialMs = retry?.initialMs ?? BOOTSTRAP_RETRY_INITIAL_MS
    this.maxMs = retry?.maxMs ?? BOOTSTRAP_RETRY_MAX_MS
    this.delay = this.initialMs
    this.onRetry = options.onBootstrapRetry
    this.addBootstrap(bootstrap)
  }

  addBootstrap (addrs: Multiaddr[]): void {
    // a shared bootstrap list may name this node too: never wait for ourselves
    const self = this.libp2p.peerId.toString()
    for (const addr of addrs) if (peerIdOf(addr) !== self) this.bootstrap.set(addr.toString(), addr)
  }

  /** Run a bootstrap of the node's own; healing rounds wait until it is done. */
  async while<T> (work: () => Promise<T>): Promise<T> {
    this.bootstrapping++
    try {
      return await work()
    } finally {
      this.bootstrapping--
    }
  }

  start (): void {
    if (!this.enabled || this.running) return
    this.running = true
    this.schedule(this.initialMs)
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
    this.controller.abort()
  }

  /** The table is empty, or smaller than the bootstrap list. */
  private needsPeers (): boolean {
    const peers = tableSize(this.libp2p)
    if (peers === 0) return true
    const named = new Set<string>()
    for (const addr of this.bootstrap.values()) named.add(peerIdOf(addr) ?? addr.toString())
    return peers < named.size
  }

  private schedule (ms: number): void {
    if (!this.running) return
    // jitter: 0.5x to 1.5x, so nodes that lost the same bootstrap node do not all come back at once
    this.timer = setTimeout(() => { void this.tick() }, Math.round(ms * (0.5 + Math.random())))
    this.timer.unref?.()
  }

  private async tick (): Promise<void> {
    if (!this.running) return
    if (!this.libp2p.services.toyrrent.isStarted() || this.bootstrapping > 0 || !this.needsPeers()) {
      // healthy, or a bootstrap is filling the table: look again after the first delay, and start over from it when the table next runs short
      this.delay = this.initialMs
      this.schedule(this.initialMs)
      return
    }
    const peers = tableSize(this.libp2p)
    let dialled = 0
    let reached = 0
    try {
      ({ dialled, reached } = await this.redial())
      // a peer reached, or connections the table lost track of (it empties on failures while
      // connections stay up): a self lookup through them refills the table
      if (reached > 0 || this.libp2p.getConnections().length > 0) await this.libp2p.services.toyrrent.join({ signal: this.controller.signal })
    } catch (err: any) {
      if (!this.running) return
      log('bootstrap retry: %s', err.message)
    }
    if (!this.running) return
    const healed = !this.needsPeers()
    this.delay = healed ? this.initialMs : Math.min(this.delay * 2, this.maxMs)
    if (dialled > 0) {
      const peersAfter = tableSize(this.libp2p)
      log('bootstrap retry: %d peers in the table, dialled %d, reached %d, now %d peers%s', peers, dialled, reached, peersAfter, healed ? '' : `; next try in about ${this.delay} ms`)
      this.onRetry?.({ peers, dialled, reached, peersAfter, nextInMs: healed ? 0 : this.delay })
    }
    this.schedule(this.delay)
  }

  /** Dial the bootstrap addresses and remembered peers we are not connected to, each within its deadline. */
  private async redial (): Promise<{ dialled: number, reached: number }> {
    const connected = new Set(this.libp2p.getConnections().map(c => c.remotePeer.toString()))
    const addrs = [...this.bootstrap.values()].filter(a => !connected.has(peerIdOf(a) ?? ''))
    const skip = new Set(addrs.map(a => peerIdOf(a) ?? ''))
    const remembered = await rememberedPeers(this.libp2p, this.protocol, this.rememberedPeers, skip)
    const within = (ms: number): AbortSignal => AbortSignal.any([this.controller.signal, AbortSignal.timeout(ms)])
    const results = await Promise.allSettled([
      ...addrs.map(async a => this.libp2p.dial(a, { signal: within(DIAL_TIMEOUT_MS) })),
      ...remembered.map(async peer => this.libp2p.dial(peer, { signal: within(REMEMBERED_DIAL_TIMEOUT_MS) }))
    ])
    return { dialled: results.length, reached: results.filter(r => r.status === 'fulfilled').length }
  }
}
