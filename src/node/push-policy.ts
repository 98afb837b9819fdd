/**
 * When libp2p's identify-push runs. libp2p pushes an identify message to
 * every connected peer (a stream each, a freshly signed record checked and
 * stored at the other end) one second after any change to our own peer-store
 * entry. At start-up the address manager writes our addresses there about a
 * second after listening, and our own record follows (own-peer-record.ts):
 * by then a joining node has connected to ten or more peers, each of which
 * identified us with those same addresses, so every node pushed twice to all
 * of them for nothing. Here a push goes out only when what identify
 * announces — our addresses and protocols — differs from what a connected
 * peer may have been told (a server turned client, a new address).
 */
import type { Libp2pEvents, Startable, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, Registrar } from '@libp2p/interface-internal'

export interface PushPolicyComponents {
  events: TypedEventTarget<Libp2pEvents>
  addressManager: AddressManager
  registrar: Registrar
  /** libp2p's identify-push service, created with `runOnSelfUpdate: false`. */
  identifyPush: { push(): Promise<void> }
}

export class PushPolicy implements Startable {
  readonly [Symbol.toStringTag] = '@toyrrent/push-policy'
  /** Changes of our own entry that were pushed, and ones that changed nothing a connected peer was told. */
  readonly counts = { pushed: 0, skipped: 0 }
  private readonly components: PushPolicyComponents
  /**
   * What identify may have told the peers connected since the last push: our
   * addresses and protocols as each connection opened (its identify answer
   * is read later, so it is this or newer).
   */
  private readonly told = new Set<string>()
  /**
   * announcing() as of the last update of our entry or of a listener (reading our addresses per connection cost
   * ~0.3 ms): a change that fires neither is recorded late, which can only add a push, never lose one.
   */
  private current?: string
  private readonly onOpen = (): void => { this.told.add(this.current ??= this.announcing()) }
  private readonly onListening = (): void => { this.current = undefined }
  private readonly onSelfUpdate = (): void => {
    const now = this.announcing()
    this.current = now
    if (this.told.size === 0 || (this.told.size === 1 && this.told.has(now))) {
      this.counts.skipped++
      return
    }
    this.told.clear()
    this.told.add(now)
    this.counts.pushed++
    this.components.identifyPush.push().catch(() => {})
  }

  constructor (components: PushPolicyComponents) {
    this.components = components
  }

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.components.events.addEventListener('transport:listening', this.onListening)
    this.components.events.addEventListener('transport:close', this.onListening)
    this.components.events.addEventListener('self:peer:update', this.onSelfUpdate)
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.components.events.removeEventListener('transport:listening', this.onListening)
    this.components.events.removeEventListener('transport:close', this.onListening)
    this.components.events.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.told.clear()
    this.current = undefined
  }

  /** Our addresses and protocols as identify sends them, as one string. */
  private announcing (): string {
    const addrs = this.components.addressManager.getAddresses().map(String).sort()
    return `${addrs.join(' ')}|${[...this.components.registrar.getProtocols()].sort().join(' ')}`
  }
}

export function pushPolicy (): (components: PushPolicyComponents) => PushPolicy {
  return (components) => new PushPolicy(components)
}
