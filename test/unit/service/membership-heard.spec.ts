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

  it('a peer reached only through a relay (limited connections) does not', async () => {
    const table = new PeerTable(await randomPeerId(), 20)
    const relayed = await randomPeerId()
    const closed = await randomPeerId()
    const direct = await randomPeerId()
    const m = membership(table, peer => peer.equals(relayed) ? [{ status: 'open', limits: { bytes: 1000n } }] : peer.equals(closed) ? [{ status: 'closed' }] : [{ status: 'open' }])
    m.heardFrom(relayed)
    m.heardFrom(closed)
    m.heardFrom(direct)
    // the direct one is learned after the same peer-store read the others would have needed
    await waitFor('the direct peer in the table', () => table.get(direct) != null, 2000)
    expect(table.get(relayed), 'relayed').to.equal(undefined)
    expect(table.get(closed), 'no open connection').to.equal(undefined)
  })
})
