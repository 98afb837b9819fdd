/**
 * A request that tells us of a live server near us (DIGEST, HANDOFF) puts
 * its sender in the table (src/service/membership.ts `heardFrom`), as
 * identify on a new connection does; and, as identify does, only over a
 * direct connection: a peer reached through a relay alone is no member
 * (protocols/rpc.md, "Routing table").
 */
import { expect } from 'chai'
import { defaultLogger } from '@libp2p/logger'
import { Membership } from '../../../src/service/membership.ts'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { DepartedPeers } from '../../../src/service/departed-peers.ts'
import { randomPeerId, waitFor } from '../helpers.ts'
import type { PeerId } from '@libp2p/interface'

function membership (table: PeerTable, connections: (peer: PeerId) => Array<{ status: string, limits?: object }>): Membership {
  return new Membership({
    components: {
      connectionManager: { getConnections: connections } as any,
      peerStore: { get: async () => ({ addresses: [] }) } as any,
      registrar: {} as any
    },
    protocol: '/toyrrent/test',
    table,
    departed: new DepartedPeers(),
    log: defaultLogger().forComponent('test'),
    onPeer: () => {}
  })
}

describe('unit: members heard from by their requests', () => {
  it('a peer with a direct open connection joins the table', async () => {
    const table = new PeerTable(await randomPeerId(), 20)
    const peer = await randomPeerId()
    membership(table, () => [{ status: 'open' }]).heardFrom(peer)
    await waitFor('the peer in the table', () => table.get(peer) != null, 2000)
  })

  it('a peer reached only through a relay (limited connections) does not; one with a relayed and a direct one does', async () => {
    const table = new PeerTable(await randomPeerId(), 20)
    const relayed = await randomPeerId()
    const both = await randomPeerId()
    const limited = { status: 'open', limits: { bytes: 1000n } }
    const m = membership(table, peer => peer.equals(relayed) ? [limited, { status: 'closed' }] : peer.equals(both) ? [limited, { status: 'open' }] : [])
    m.heardFrom(relayed)
    m.heardFrom(both)
    // the other is learned after the same peer-store read the relayed one would have needed
    await waitFor('the peer with a direct connection in the table', () => table.get(both) != null, 2000)
    expect(table.get(relayed), 'relayed').to.equal(undefined)
  })

  it('with no connection listed (the in-memory network: the request came on its own transport) the peer joins', async () => {
    const table = new PeerTable(await randomPeerId(), 20)
    const peer = await randomPeerId()
    membership(table, () => []).heardFrom(peer)
    await waitFor('the peer in the table', () => table.get(peer) != null, 2000)
  })
})
