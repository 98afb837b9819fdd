/**
 * Who is in the routing table, as libp2p's registrar tells it: a peer that
 * connects and speaks our protocol is learned (from the peer store's
 * addresses); a peer whose identify stops listing the protocol (a server
 * turned client) leaves. A closed connection is not a departed peer (idle
 * connections get pruned): peers also leave when asking them fails
 * (peer-requests.ts).
 */
import type { PeerTable } from './peer-table.ts'
import type { ToyrrentComponents } from './types.ts'
import type { Logger, PeerId } from '@libp2p/interface'

export interface MembershipInit {
  components: Pick<ToyrrentComponents, 'registrar' | 'peerStore'>
  protocol: string
  table: PeerTable
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
      onConnect: (peerId) => { void this.learnConnectedPeer(peerId) },
      // also called when a peer stops answering the protocol (a server turned client): then it leaves the table
      onDisconnect: (peerId) => { void this.forgetClient(peerId) }
    })
  }

  stop (): void {
    if (this.topologyId != null) this.init.components.registrar.unregister(this.topologyId)
  }

  /**
   * A peer that runs repair with us (it sent a DIGEST) is a live server near
   * us: learn it again if our table dropped it (timeouts while it was paused)
   * while its connection stayed open, which no new onConnect would tell us.
   */
  heardFrom (peerId: PeerId): void {
    if (this.init.table.get(peerId) == null) void this.learnConnectedPeer(peerId)
  }

  /** A peer whose identify no longer lists our protocol is a client now: it leaves the table. */
  private async forgetClient (peerId: PeerId): Promise<void> {
    try {
      const peer = await this.init.components.peerStore.get(peerId)
      if (!peer.protocols.includes(this.init.protocol)) this.init.table.remove(peerId)
    } catch {}
  }

  private async learnConnectedPeer (peerId: PeerId): Promise<void> {
    try {
      const peer = await this.init.components.peerStore.get(peerId)
      this.init.table.add(peerId, peer.addresses.map(a => a.multiaddr))
    } catch (err: any) {
      this.init.log('could not learn %p: %s', peerId, err.message)
    }
    this.init.onPeer()
  }
}
