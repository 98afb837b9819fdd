/**
 * Server or client: the node's mode and the reachability it follows.
 *
 * `--mode server` and `--mode client` fix the mode. `auto` (the default):
 * - on the internet (an address of ours, a bootstrap address, an address a
 *   peer saw us at, or a connection is on the internet) a node is a client
 *   and serves once an address of ours is verified public (reachability.ts),
 *   going back to a client when that is lost;
 * - on a LAN or one machine (no internet address in sight) every node can
 *   dial every other, so it serves.
 * Every change is logged and reported to the listeners (the toyrrent service
 * answers or stops answering its RPC protocol; the daemon prints a line).
 */
import { logger } from '@libp2p/logger'
import { isPublicAddr, reachabilityOf } from './reachability.ts'
import type { AddressInfo, Reachability } from './reachability.ts'

export type ModeSetting = 'auto' | 'server' | 'client'
export type Mode = 'server' | 'client'

export const MODE_SETTINGS: readonly ModeSetting[] = ['auto', 'server', 'client']

export interface ModeChange {
  mode: Mode
  reachability: Reachability
  /** ms since the node started watching. */
  afterMs: number
}

const log = logger('toyrrent:reachability')

export class ModeState {
  readonly setting: ModeSetting
  private current: Mode
  private seen: Reachability = 'unknown'
  private readonly listeners = new Set<(change: ModeChange) => void>()
  private readonly started = Date.now()
  /** Sticky: once on the internet, a LAN rule never applies again. */
  private internet: boolean

  /** `internet`: the node knows from its configuration (bootstrap or announce addresses) that it is on the internet. */
  constructor (setting: ModeSetting = 'auto', options: { internet?: boolean } = {}) {
    if (!MODE_SETTINGS.includes(setting)) throw new TypeError(`mode must be one of ${MODE_SETTINGS.join(', ')}, got "${String(setting)}"`)
    this.setting = setting
    this.internet = options.internet === true
    this.current = setting === 'client' || (setting === 'auto' && this.internet) ? 'client' : 'server'
  }

  /** True once the node has seen the internet (auto mode then follows reachability). */
  get onInternet (): boolean { return this.internet }

  /** The latest change, if any (a listener added late can catch up on it). */
  lastChange?: ModeChange

  get mode (): Mode { return this.current }
  get reachability (): Reachability { return this.seen }

  onChange (listener: (change: ModeChange) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /**
   * Re-judge from the node's addresses (and whether a connection of ours runs
   * over the internet); returns true when the reachability or the mode changed.
   */
  update (addrs: AddressInfo[], internetConnection = false): boolean {
    const reachability = reachabilityOf(addrs)
    this.internet ||= internetConnection || addrs.some(a => isPublicAddr(a.multiaddr))
    const auto: Mode = !this.internet || reachability === 'public' ? 'server' : 'client'
    const mode: Mode = this.setting === 'auto' ? auto : this.setting
    if (reachability === this.seen && mode === this.current) return false
    this.seen = reachability
    this.current = mode
    const change = { mode, reachability, afterMs: Date.now() - this.started }
    this.lastChange = change
    log('reachability %s, mode %s (after %d ms)', reachability, mode, change.afterMs)
    for (const listener of this.listeners) listener(change)
    return true
  }
}
