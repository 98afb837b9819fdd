/**
 * Who is in the routing table, as libp2p's registrar tells it: a peer that
 * connects and speaks our protocol is learned (from the peer store's
 * addresses); a peer whose identify stops listing the protocol (a server
 * turned client) leaves. A closed connection is not a departed peer (idle
 * connections get pruned): peers also leave when asking them fails
 * (peer-requests.ts), and at once when they announce their graceful leave
 * (LEAVE): such a peer is kept out (departed-peers.ts) until it connects
 * anew, so identify on the connection still open to it does not bring it
 * back.
 */
import { relayedOnly } from '../rpc/limited.ts'
import type { DepartedPeers } from './departed-peers.ts'
import type { PeerTable } from './peer-table.ts'
import type { ToyrrentComponents } from './types.ts'
import type { Connection, Logger, PeerId } from '@libp2p/interface'

export interface MembershipInit {
  components: Pick<ToyrrentComponents, 'registrar' | 'peerStore' | 'connectionManager'>
  protocol: string
  table: PeerTable
  /** Peers that announced their leave. */
  departed: DepartedPeers
  log: Logger
  /** A peer connected and was learned (or could not be): the service may join now. */
  onPeer(): void
}

export class Membership {
  private readonly init: MembershipInit
  private topologyId?: string

  constructor (init: MembershipInit) {
    this.init = init
  }

  async start (): Promise<void> {
    this.topologyId = await this.init.components.registrar.register(this.init.protocol, {
      onConnect: (peerId, connection) => { void this.learnConnectedPeer(peerId, connection) },
      // also called when a peer stops answering the protocol (a server turned client): then it leaves the table
      onDisconnect: (peerId) => { void this.forgetClient(peerId) }
    })
  }

  stop (): void {
    if (this.topologyId != null) this.init.components.registrar.unregister(this.topologyId)
  }

  /**
   * A peer that runs repair with us (it sent a DIGEST) or pulls its handoff
   * from us (a newcomer: HANDOFF) is a live server near us: learn it now,
   * before its identify completes, or again if our table dropped it
   * (timeouts while it was paused) while its connection stayed open, which
   * no new onConnect would tell us. Not one that announced its leave, nor
   * one we reach only through a relay.
   */
  heardFrom (peerId: PeerId): void {
    if (this.init.table.get(peerId) != null || this.init.departed.has(peerId)) return
    // as onConnect (the registrar skips limited connections): a peer reached only through a relay is no member
    if (!relayedOnly(this.init.components.connectionManager.getConnections(peerId))) void this.learnConnectedPeer(peerId)
  }

  /**
   * A peer announced its own graceful leave (LEAVE): out of the table and its
   * replacement lists now, and kept out until it connects anew (a connection
   * that is not open now) or the mark expires.
   */
  left (peerId: PeerId): void {
    const open = this.init.components.connectionManager.getConnections(peerId).map(c => c.id)
    this.init.departed.mark(peerId, open)
    const held = this.init.table.get(peerId) != null
    this.init.table.remove(peerId)
    this.init.log('%p announced its leave%s', peerId, held ? ', dropped it from the table' : '')
  }

  /** A peer whose identify no longer lists our protocol is a client now: it leaves the table. */
  private async forgetClient (peerId: PeerId): Promise<void> {
    try {
      const peer = await this.init.components.peerStore.get(peerId)
      if (!peer.protocols.includes(this.init.protocol)) this.init.table.remove(peerId)
    } catch {}
  }

  /** `connection`: the one identify ran on (onConnect); none when we learn from a request (heardFrom). */
  private async learnConnectedPeer (peerId: PeerId, connection?: Connection): Promise<void> {
    // a leaver's own connection does not bring it back; a fresh one (a restart) ends its mark
    if (connection != null ? this.init.departed.connected(peerId, connection.id) : this.init.departed.has(peerId)) return
    try {
      const peer = await this.init.components.peerStore.get(peerId)
      // it may have announced its leave while we read the peer store
      if (!this.init.departed.has(peerId)) this.init.table.add(peerId, peer.addresses.map(a => a.multiaddr))
    } catch (err: any) {
      this.init.log('could not learn %p: %s', peerId, err.message)
    }
    this.init.onPeer()
  }
}
