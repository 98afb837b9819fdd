/**
 * libp2p's peer routing through toyrrent, from the asker's side: a node that
 * knows one peer finds the address of a node it has never been connected
 * to with `libp2p.peerRouting.findPeer`, and reaches it there. Positions are
 * kad-dht's: a peer at SHA-256 of its multihash bytes (kad-dht's
 * convertPeerId), so the lookup of its position ends at it.
 */
import { expect } from 'chai'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { toyrrent } from '../../src/index.ts'
import { createToyrrentNode } from '../../src/node.ts'
import { internals } from '../../src/service/toyrrent.ts'
import { createTestnet, dialAddr } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { Libp2p, PeerInfo } from '@libp2p/interface'
import type { RandomWalk } from '@libp2p/interface-internal'

describe('libp2p.peerRouting.findPeer through toyrrent', function () {
  this.timeout(120_000)
  let net: Testnet
  let asker: ToyrrentNode | undefined

  before(async () => { net = await createTestnet(8, { repairInterval: 0, refreshInterval: 0 }) })
  after(async () => {
    await asker?.stop()
    await net?.stop()
  })

  it('finds a node the asker has never been connected to, at an address where the asker then reaches it', async () => {
    // no join of its own: the asker knows exactly one peer, and every connection it ever makes is recorded
    asker = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], autoJoin: false, bootstrapRetry: false, leaveTimeout: 0, repairInterval: 0, refreshInterval: 0 })
    const everConnected = new Set<string>()
    asker.libp2p.addEventListener('peer:connect', evt => { everConnected.add(evt.detail.toString()) })
    const entry = net.nodes[0]
    await asker.libp2p.dial(multiaddr(dialAddr(entry)), { signal: AbortSignal.timeout(10_000) })
    const table = asker.toyrrent[internals].table
    await waitFor('the entry node in the asker\'s table', () => table.get(entry.libp2p.peerId) != null)
    expect(table.size).to.equal(1)

    for (const target of net.nodes.slice(1)) {
      const id = target.libp2p.peerId
      if (everConnected.has(id.toString())) continue
      expect(asker.libp2p.getConnections(id)).to.have.length(0)
      const found = await asker.libp2p.peerRouting.findPeer(id, { signal: AbortSignal.timeout(10_000) })
      expect(found.id.equals(id)).to.equal(true)
      // found by asking others: still never connected to it
      expect(everConnected.has(id.toString()), `connected to ${id} before dialling it`).to.equal(false)
      const listen = dialAddr(target).replace(/\/p2p\/[^/]+$/, '')
      expect(found.multiaddrs.map(String)).to.include(listen)
      const connection = await asker.libp2p.dial(multiaddr(listen).encapsulate(`/p2p/${id.toString()}`), { signal: AbortSignal.timeout(10_000) })
      expect(connection.remotePeer.equals(id)).to.equal(true)
      return
    }
    expect.fail('every node was connected to the asker before any findPeer')
  })

  it('libp2p\'s own random walk (what AutoNAT and relay discovery use) finds peers through toyrrent', async () => {
    // a libp2p node with toyrrent and a service that only hands out libp2p's random walk component
    const walker: Libp2p<{ toyrrent: unknown, walk: { randomWalk: RandomWalk } }> = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        toyrrent: toyrrent({ autoJoin: false, leaveTimeout: 0, repairInterval: 0, refreshInterval: 0 }),
        walk: (components: { randomWalk: RandomWalk }) => ({ randomWalk: components.randomWalk })
      }
    })
    try {
      await walker.dial(multiaddr(dialAddr(net.nodes[0])), { signal: AbortSignal.timeout(10_000) })
      // the network: the test network's nodes and the asker of the test above, still running
      const members = new Set([...net.nodes, ...(asker == null ? [] : [asker])].map(n => n.libp2p.peerId.toString()))
      const found: PeerInfo[] = []
      const signal = AbortSignal.timeout(20_000)
      for await (const peer of walker.services.walk.randomWalk.walk({ signal })) {
        found.push(peer)
        if (new Set(found.map(p => p.id.toString())).size >= 3) break
      }
      for (const peer of found) {
        expect(members.has(peer.id.toString()), `${peer.id} is a node of the network`).to.equal(true)
        expect(peer.multiaddrs, `addresses of ${peer.id}`).to.not.be.empty
      }
    } finally {
      await walker.stop()
    }
  })
})
