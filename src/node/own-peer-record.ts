/**
 * Our own signed peer record, kept in the peer store. libp2p's identify
 * answers every identify request with the record it finds there for us, and
 * when there is none (libp2p never stores one) it signs a new one: an
 * Ed25519 signature per connection, 4–5 % of a connection's CPU. This service
 * signs a record when our addresses change (libp2p's `self:peer:update`, and
 * a look every few seconds for changes that fire no event, such as a new
 * interface under a wildcard listen address) and stores it, so identify sends
 * that one. A peer that got an older record gets the new one through
 * identify-push, which the store's update triggers.
 */
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { CODE_P2P } from '@multiformats/multiaddr'
import type { PeerId, PeerStore, PrivateKey, Startable, TypedEventTarget, Libp2pEvents, Logger, ComponentLogger } from '@libp2p/interface'
import type { AddressManager } from '@libp2p/interface-internal'

export interface OwnPeerRecordComponents {
  peerId: PeerId
  privateKey: PrivateKey
  peerStore: PeerStore
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** How often our addresses are compared with the stored record's without an event (reads memory only). */
const CHECK_INTERVAL_MS = 5_000

export class OwnPeerRecord implements Startable {
  readonly [Symbol.toStringTag] = '@toyrrent/own-peer-record'
  private readonly components: OwnPeerRecordComponents
  private readonly log: Logger
  /** The addresses of the record last stored, as one string. */
  private sealed?: string
  private timer?: ReturnType<typeof setInterval>
  private running = false
  private again = false
  private readonly onUpdate = (): void => { this.refresh() }
  /** Resolves once a record of the addresses we listen on is stored (after each start). */
  private current = Promise.withResolvers<void>()

  constructor (components: OwnPeerRecordComponents) {
    this.components = components
    this.log = components.logger.forComponent('toyrrent:own-peer-record')
  }

  start (): void {
    this.components.events.addEventListener('self:peer:update', this.onUpdate)
  }

  /**
   * Resolves once our stored record names the addresses we listen on now.
   * Until then identify sends the record a previous run stored (the peer
   * store is persistent): a restarted node would hand every peer its join
   * contacts its old addresses, and those peers keep them (push-policy.ts
   * pushes only when our addresses change after they were told), so no one
   * could dial it back. The node waits for this before it dials anyone, at
   * most `timeoutMs` (the address manager lists our addresses a moment after
   * listening; the update that follows stores the record).
   */
  async ready (timeoutMs: number): Promise<void> {
    // none stored (a fresh or in-memory peer store): identify signs one of our current addresses itself
    const self = await this.components.peerStore.get(this.components.peerId).catch(() => undefined)
    if (self?.peerRecordEnvelope == null) return
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([this.current.promise, new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })])
    clearTimeout(timer)
  }

  afterStart (): void {
    this.current = Promise.withResolvers<void>()
    this.refresh()
    this.timer = setInterval(this.onUpdate, CHECK_INTERVAL_MS)
    this.timer.unref?.()
  }

  stop (): void {
    this.components.events.removeEventListener('self:peer:update', this.onUpdate)
    clearInterval(this.timer)
  }

  /** Store a new record if our addresses differ from the stored one's; one update at a time. */
  refresh (): void {
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    void this.update().catch(err => { this.log.error('could not store our peer record - %e', err) }).finally(() => {
      this.running = false
      if (this.again) {
        this.again = false
        this.refresh()
      }
    })
  }

  private async update (): Promise<void> {
    // the addresses identify lists, so the record and the identify message agree
    const multiaddrs = this.components.addressManager.getAddresses().map(ma => ma.decapsulateCode(CODE_P2P))
    const key = multiaddrs.map(String).sort().join(' ')
    if (multiaddrs.length === 0) return
    if (key === this.sealed) {
      this.current.resolve()
      return
    }
    const envelope = await RecordEnvelope.seal(new PeerRecord({ peerId: this.components.peerId, multiaddrs }), this.components.privateKey)
    // set first: storing it fires self:peer:update, which brings us back here
    this.sealed = key
    try {
      await this.components.peerStore.patch(this.components.peerId, { peerRecordEnvelope: envelope.marshal() })
    } catch (err) {
      this.sealed = undefined
      throw err
    }
    this.current.resolve()
  }
}

export function ownPeerRecord (): (components: OwnPeerRecordComponents) => OwnPeerRecord {
  return (components) => new OwnPeerRecord(components)
}
