/**
 * Which ends identify a connection (src/node/identify-policy.ts), real nodes
 * over loopback TCP: a node off the internet does not identify the direct
 * connections its RPC dials (the peer at the other end still identifies it);
 * a node on the internet, and any dial that is not the RPC's, identifies as
 * libp2p does. Before the policy every connection was identified from both
 * ends (two identify exchanges), which the first test counts.
 */
import { expect } from 'chai'
import { createToyrrentNode } from '../../src/node.ts'
import { inTable } from '../../src/node/table.ts'
import { waitFor } from '../helpers/wait.ts'
import { RPC_PROTOCOL } from '../../src/constants.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { ToyrrentNodeOptions } from '../../src/node/types.ts'
import type { PeerId } from '@libp2p/interface'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

/** Peer ids each node's identify finished for (libp2p's peer:identify), from the node's start. */
function identified (node: ToyrrentNode): Set<string> {
  const seen = new Set<string>()
  node.libp2p.addEventListener('peer:identify', evt => { seen.add(evt.detail.peerId.toString()) })
  return seen
}

describe('e2e: which ends identify a connection', function () {
  this.timeout(90_000)
  let nodes: ToyrrentNode[] = []
  afterEach(async () => {
    await Promise.allSettled(nodes.map(async n => n.stop()))
    nodes = []
  })

  /** b and c connected; a connects to b and joins, so its RPC dials c (named in b's answer). */
  async function threeNodes (aOptions: Partial<ToyrrentNodeOptions>): Promise<{ a: ToyrrentNode, b: ToyrrentNode, c: ToyrrentNode, aSaw: Set<string>, cSaw: Set<string> }> {
    const b = await createToyrrentNode({ listen: LISTEN, autoJoin: false })
    const c = await createToyrrentNode({ listen: LISTEN, autoJoin: false })
    const a = await createToyrrentNode({ listen: LISTEN, autoJoin: false, mode: 'server', ...aOptions })
    nodes.push(a, b, c)
    const aSaw = identified(a)
    const cSaw = identified(c)
    await c.connect(b.libp2p.getMultiaddrs()[0].toString())
    await waitFor('b holds c', () => inTable(b.libp2p, c.libp2p.peerId))
    await a.connect(b.libp2p.getMultiaddrs()[0].toString())
    await waitFor('a reached c through its RPC', () => a.libp2p.getConnections(c.libp2p.peerId).length > 0)
    return { a, b, c, aSaw, cSaw }
  }

  const speaks = async (node: ToyrrentNode, peer: PeerId): Promise<boolean> =>
    (await node.libp2p.peerStore.get(peer)).protocols.includes(RPC_PROTOCOL)

  it('off the internet, the RPC\'s own dial is identified by the listener only', async () => {
    const { a, b, c, aSaw, cSaw } = await threeNodes({})
    const policy = a.libp2p.services.identifyPolicy
    expect(a.libp2p.getConnections(c.libp2p.peerId)[0].direction).to.equal('outbound')
    // c identified a (that is how c learns the new node) ...
    await waitFor('c identified a', () => cSaw.has(a.libp2p.peerId.toString()))
    await waitFor('c holds a', () => inTable(c.libp2p, a.libp2p.peerId))
    // ... a did not identify c, and still holds c as a member that speaks the RPC (so a restart remembers it)
    expect(aSaw.has(c.libp2p.peerId.toString()), 'a identified c').to.equal(false)
    expect(policy.counts.skipped).to.be.greaterThan(0)
    await waitFor('a holds c', () => inTable(a.libp2p, c.libp2p.peerId))
    expect(await speaks(a, c.libp2p.peerId)).to.equal(true)
    expect((await a.libp2p.peerStore.get(c.libp2p.peerId)).addresses.length).to.be.greaterThan(0)
    // the bootstrap dial (connect) is not the RPC's: identified from both ends as before
    expect(aSaw.has(b.libp2p.peerId.toString()), 'a identified b').to.equal(true)
  })

  it('on the internet, the RPC\'s dials are identified from both ends', async () => {
    const { a, c, aSaw, cSaw } = await threeNodes({ onInternet: true })
    await waitFor('a identified c', () => aSaw.has(c.libp2p.peerId.toString()))
    await waitFor('c identified a', () => cSaw.has(a.libp2p.peerId.toString()))
    expect(a.libp2p.services.identifyPolicy.counts.skipped).to.equal(0)
  })
})
