/**
 * Which connections this node runs libp2p's identify on. libp2p identifies
 * every connection from both ends: two identify exchanges, each a stream, a
 * protocol negotiation, a signed record checked and peer-store writes — about
 * a third of a new connection's CPU in one process. One exchange is skipped
 * here: a node that has not seen the internet does not identify a direct
 * connection its own RPC dialled. That peer was named by an answer, which
 * names only members, so we know it serves the RPC and where it listens (the
 * dial used those addresses); the RPC adds it to the table when it answers,
 * and libp2p records the protocol in the peer store as the RPC's stream is
 * negotiated. The peer at the other end still identifies us, which is how it
 * learns a new node.
 *
 * Everything else is identified as before: inbound connections, dials that
 * are not the RPC's (bootstrap, rejoin, mDNS, connect), limited (relayed)
 * connections, a connection to an internet address, and every connection of a
 * node on the internet — the observed address and the AutoNAT, relay and
 * DCUtR protocols a peer lists are what NAT traversal runs on.
 */
import { isPublicAddr } from '../reachability/reachability.ts'
import type { ModeState } from '../reachability/modes.ts'
import type { RpcDialMarker } from '../rpc/rpc-dial.ts'
import type { Connection, Libp2pEvents, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'

export interface Identifier {
  identify(connection: Connection): Promise<unknown>
}

export interface IdentifyPolicyComponents {
  events: TypedEventTarget<Libp2pEvents>
  /** libp2p's identify service, created with `runOnConnectionOpen: false`. */
  identify: Identifier
}

export class IdentifyPolicy implements Startable, RpcDialMarker {
  readonly [Symbol.toStringTag] = '@toyrrent/identify-policy'
  /** Connections identified from this end, and ones skipped (for the scripts' counts). */
  readonly counts = { identified: 0, skipped: 0 }
  private readonly components: IdentifyPolicyComponents
  private readonly modes: ModeState
  /** Peers the RPC is dialling now, with how many of its dials are in flight to each. */
  private readonly rpcDialling = new Map<string, number>()
  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const connection = evt.detail
    if (this.skips(connection)) {
      this.counts.skipped++
      return
    }
    this.counts.identified++
    this.components.identify.identify(connection).catch(() => {})
  }

  constructor (components: IdentifyPolicyComponents, modes: ModeState) {
    this.components = components
    this.modes = modes
  }

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.rpcDialling.clear()
  }

  /** Run the RPC's dial to `peer`: a connection it opens is one this node need not identify. */
  async rpcDial<T> (peer: PeerId, dial: () => Promise<T>): Promise<T> {
    const key = peer.toString()
    this.rpcDialling.set(key, (this.rpcDialling.get(key) ?? 0) + 1)
    try {
      return await dial()
    } finally {
      const left = (this.rpcDialling.get(key) ?? 1) - 1
      if (left > 0) this.rpcDialling.set(key, left)
      else this.rpcDialling.delete(key)
    }
  }

  /** Whether this end leaves `connection` unidentified. */
  skips (connection: Connection): boolean {
    return connection.direction === 'outbound' &&
      connection.limits == null &&
      !this.modes.onInternet &&
      !isPublicAddr(connection.remoteAddr) &&
      this.rpcDialling.has(connection.remotePeer.toString())
  }
}

export function identifyPolicy (modes: ModeState): (components: IdentifyPolicyComponents) => IdentifyPolicy {
  return (components) => new IdentifyPolicy(components, modes)
}
