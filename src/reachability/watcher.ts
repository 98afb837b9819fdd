/**
 * A libp2p service that keeps a ModeState up to date: it re-judges the node's
 * reachability whenever libp2p says our own addresses changed (AutoNAT
 * confirmed or dropped one, a UPnP mapping came or went), when a connection
 * opens, and once a second besides, because a verification that merely
 * expires fires no event.
 */
import type { ModeState } from './modes.ts'
import type { Connection, Startable, TypedEventTarget, Libp2pEvents } from '@libp2p/interface'
import type { AddressManager, ConnectionManager } from '@libp2p/interface-internal'
import { isPublicAddr } from './reachability.ts'

export interface ReachabilityComponents {
  addressManager: AddressManager
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
}

/** How often addresses are looked at without an event (reads memory only). */
const CHECK_INTERVAL_MS = 1000

export class ReachabilityWatcher implements Startable {
  readonly [Symbol.toStringTag] = '@toyrrent/reachability'
  readonly state: ModeState
  private readonly components: ReachabilityComponents
  private timer?: ReturnType<typeof setInterval>
  private readonly onUpdate = (): void => { this.check() }
  // a connection from the internet latches `onInternet`, so each such connection needs looking at once, when it opens;
  // any other changes nothing the once-a-second check would not (re-judging reads every address: ~1 ms a connection)
  private readonly onConnectionOpen = (evt: CustomEvent<Connection>): void => { if (isPublicAddr(evt.detail.remoteAddr)) this.check(true) }

  constructor (components: ReachabilityComponents, state: ModeState) {
    this.components = components
    this.state = state
  }

  start (): void {
    this.components.events.addEventListener('self:peer:update', this.onUpdate)
    this.components.events.addEventListener('connection:open', this.onConnectionOpen)
    this.timer = setInterval(this.onUpdate, CHECK_INTERVAL_MS)
    this.timer.unref?.()
  }

  afterStart (): void {
    this.check(this.components.connectionManager.getConnections().some(c => isPublicAddr(c.remoteAddr)))
  }

  stop (): void {
    this.components.events.removeEventListener('self:peer:update', this.onUpdate)
    this.components.events.removeEventListener('connection:open', this.onConnectionOpen)
    clearInterval(this.timer)
  }

  /**
   * Re-judge from our own addresses; `internetConnection` when a connection
   * from the internet was just seen. The periodic check reads only our own
   * addresses: scanning every connection each second cost ~7 ms of CPU per
   * second per node at 30 nodes, and connections are judged as they open.
   */
  check (internetConnection = false): void {
    this.state.update(this.components.addressManager.getAddressesWithMetadata(), internetConnection)
  }
}

export function reachabilityWatcher (state: ModeState): (components: ReachabilityComponents) => ReachabilityWatcher {
  return (components) => new ReachabilityWatcher(components, state)
}
