/**
 * A node keeps a bounded set of connections (src/node/connection-trim.ts),
 * real nodes over loopback TCP: many peers dial a node whose cap is small;
 * once their connections are past the grace period it holds no more than
 * the cap, and its routing-table members are among the ones it kept. Before
 * the trim, every peer met stayed connected (up to libp2p's 300), which ran
 * the 200-node bench out of file descriptors.
 */
import { expect } from 'chai'
import { createToyrrentNode } from '../../src/node.ts'
import { waitFor } from '../helpers/wait.ts'
import type { ToyrrentNode } from '../../src/node.ts'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const CAP = 4
const GRACE_MS = 1_000
const MEMBERS = 3
const STRANGERS = 9

describe('e2e: a node keeps at most maxConnections open, its table members among them', function () {
  this.timeout(90_000)
  const nodes: ToyrrentNode[] = []
  after(async () => { await Promise.allSettled(nodes.map(async n => n.stop())) })

  it('many peers dial a node with a small cap: it trims to the cap and keeps its members connected', async () => {
    const hub = await createToyrrentNode({ listen: LISTEN, quic: false, autoJoin: false, maxConnections: CAP, connectionGraceMs: GRACE_MS })
    nodes.push(hub)
    const addr = hub.libp2p.getMultiaddrs()[0]
    // servers join the hub's table; clients do not speak the RPC protocol as servers, so they stay strangers
    const members: ToyrrentNode[] = []
    for (let i = 0; i < MEMBERS + STRANGERS; i++) {
      const peer = await createToyrrentNode({ listen: LISTEN, quic: false, autoJoin: false, mode: i < MEMBERS ? 'server' : 'client' })
      nodes.push(peer)
      if (i < MEMBERS) members.push(peer)
      await peer.libp2p.dial(addr)
    }
    const inTable = (n: ToyrrentNode): boolean => [...hub.toyrrent.tableBands().values()].some(ps => ps.some(p => p.peerId.equals(n.libp2p.peerId)))
    await waitFor('the servers in the hub\'s table', () => members.every(inTable))
    const open = (): number => hub.libp2p.getConnections().filter(c => c.status === 'open').length
    expect(open(), 'connections before the grace period ends').to.be.greaterThan(CAP)

    await waitFor(`the hub down to ${CAP} connections`, () => open() <= CAP, 30_000)
    for (const m of members) expect(hub.libp2p.getConnections(m.libp2p.peerId).length, 'a member\'s connection').to.be.greaterThan(0)
    const trim = hub.libp2p.services.connectionTrim
    expect(trim.closed.members, 'members closed').to.equal(0)
    expect(trim.closed.nonMembers, 'strangers closed').to.be.at.least(STRANGERS + MEMBERS - CAP)

    // a newcomer that dials is trimmed in turn once its grace ends; the members stay
    const newcomer = await createToyrrentNode({ listen: LISTEN, quic: false, autoJoin: false, mode: 'client' })
    nodes.push(newcomer)
    await newcomer.libp2p.dial(addr)
    await waitFor('the hub to see the newcomer', () => hub.libp2p.getConnections(newcomer.libp2p.peerId).length > 0)
    expect(open()).to.equal(CAP + 1)
    await waitFor(`the hub back at ${CAP}`, () => open() <= CAP, 30_000)
    for (const m of members) expect(hub.libp2p.getConnections(m.libp2p.peerId).length, 'a member\'s connection').to.be.greaterThan(0)
  })
})
