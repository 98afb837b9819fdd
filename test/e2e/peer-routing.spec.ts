/**
 * One routing table: createToyrrentNode runs no kad-dht, and libp2p's peer
 * routing (libp2p.peerRouting.findPeer / getClosestPeers) is answered from
 * toyrrent's own table and lookups, with kad-dht's positions.
 */
import assert from 'node:assert/strict'
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createToyrrentNode } from '../../src/node.ts'
import { peerPosition, sha256 } from '../../src/keyspace.ts'
import { internals } from '../../src/service/toyrrent.ts'
import { RPC_PROTOCOL } from '../../src/constants.ts'
import { createTestnet, dialAddr, nearestNodes } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { PeerInfo } from '@libp2p/interface'

/** A node's loopback listen address, without /p2p (peer routing gives addresses as the peer store holds them). */
function listenAddr (node: ToyrrentNode): string {
  return dialAddr(node).replace(/\/p2p\/[^/]+$/, '')
}

describe('peer routing from toyrrent\'s own table', function () {
  this.timeout(120_000)
  let net: Testnet

  // no background repair or refresh: nothing dials behind the test's back
  before(async () => { net = await createTestnet(12, { repairInterval: 0, refreshInterval: 0 }) })
  after(async () => { await net?.stop() })

  it('findPeer finds, by lookup, a peer the node is not connected to, with an address it can dial', async () => {
    const [a, b] = net.nodes
    const target = b.libp2p.peerId
    // forget b: hang up, and take it out of a's table and peer store, so only the network knows where it is
    await a.libp2p.hangUp(target)
    await waitFor('a and b to be disconnected', () => a.libp2p.getConnections(target).length === 0)
    a.toyrrent[internals].table.remove(target)
    await a.libp2p.peerStore.delete(target)
    expect(a.libp2p.getConnections(target)).to.have.length(0)
    expect(a.toyrrent[internals].table.get(target)).to.equal(undefined)
    // nothing local to answer from
    await assert.rejects(a.libp2p.peerRouting.findPeer(target, { useNetwork: false }), { name: 'NotFoundError' })

    const found = await a.libp2p.peerRouting.findPeer(target, { signal: AbortSignal.timeout(10_000) })
    expect(found.id.equals(target)).to.equal(true)
    const listen = listenAddr(b)
    expect(found.multiaddrs.map(String), found.multiaddrs.map(String).join(" ")).to.include(listen)

    // the address it gave is one a can dial, and it reaches b
    const addr = found.multiaddrs.find(m => String(m) === listen)!
    const connection = await a.libp2p.dial(addr.encapsulate(`/p2p/${target}`), { signal: AbortSignal.timeout(10_000) })
    expect(connection.remotePeer.equals(target)).to.equal(true)
  })

  it('libp2p.dial(peerId) of a peer with no known address finds it through toyrrent', async () => {
    const [a, , , d] = net.nodes
    const target = d.libp2p.peerId
    await a.libp2p.hangUp(target)
    await waitFor('a and d to be disconnected', () => a.libp2p.getConnections(target).length === 0)
    a.toyrrent[internals].table.remove(target)
    await a.libp2p.peerStore.delete(target)
    const connection = await a.libp2p.dial(target, { signal: AbortSignal.timeout(10_000) })
    expect(connection.remotePeer.equals(target)).to.equal(true)
  })

  it('findPeer answers at once for a connected peer, and throws NotFoundError for a peer nobody knows', async () => {
    const [a, , c] = net.nodes
    if (a.libp2p.getConnections(c.libp2p.peerId).length === 0) await a.libp2p.dial(c.libp2p.peerId)
    const found = await a.libp2p.peerRouting.findPeer(c.libp2p.peerId, { useNetwork: false })
    expect(found.multiaddrs.map(String)).to.include(listenAddr(c))

    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await assert.rejects(a.libp2p.peerRouting.findPeer(stranger, { signal: AbortSignal.timeout(10_000) }), { name: 'NotFoundError' })
  })

  it('getClosestPeers yields the peers nearest to SHA-256(key), nearest first, as kad-dht positions them', async () => {
    const asker = net.nodes[3]
    for (const text of ['a key', 'another key', 'toyrrent']) {
      const key = new TextEncoder().encode(text)
      // every node's position, sorted by distance to SHA-256(key); the asker is not among its own answers
      const expected = nearestNodes(net.nodes, sha256(key)).filter(n => n !== asker).map(n => n.libp2p.peerId.toString())
      const yielded: PeerInfo[] = []
      for await (const peer of asker.libp2p.peerRouting.getClosestPeers(key, { signal: AbortSignal.timeout(10_000) })) yielded.push(peer)
      expect(yielded.map(p => p.id.toString())).to.deep.equal(expected)
      for (const peer of yielded) expect(peer.multiaddrs, `addresses of ${peer.id}`).to.not.be.empty
      // positions are kad-dht's: a peer at SHA-256 of its multihash, the key hashed
      expect(peerPosition(yielded[0].id)).to.deep.equal(sha256(yielded[0].id.toMultihash().bytes))
    }
  })
})

describe('createToyrrentNode runs one routing table', function () {
  this.timeout(30_000)
  let node: ToyrrentNode | undefined
  after(async () => { await node?.stop() })

  it('has no kad-dht service and does not speak the kad protocol, and libp2p routes through toyrrent', async () => {
    node = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    expect((node.libp2p.services as Record<string, unknown>).dht).to.equal(undefined)
    const protocols = node.libp2p.getProtocols()
    expect(protocols).to.include(RPC_PROTOCOL)
    expect(protocols.filter(p => p.includes('/kad/'))).to.deep.equal([])
    // a router is registered (with none, libp2p throws NoPeerRoutersError): ours, which knows no one yet
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await assert.rejects(node.libp2p.peerRouting.findPeer(stranger, { signal: AbortSignal.timeout(5_000) }), { name: 'NotFoundError' })
  })
})
