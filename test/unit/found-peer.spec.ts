/**
 * uniquePeers: each peer once, in order of first appearance, with the
 * entry that carries the most addresses (a forwarded resolve's answers name
 * replicas by id alone; the forwarder's `closer` gave their addresses, and a
 * read repair that dials without them first looks the peer up).
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { uniquePeers } from '../../src/found-peer.ts'
import { peerPosition } from '../../src/keyspace.ts'
import type { FoundPeer } from '../../src/found-peer.ts'

async function peer (addrs: string[] = []): Promise<FoundPeer> {
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  return { peerId, multiaddrs: addrs.map(a => multiaddr(a)), position: peerPosition(peerId) }
}

describe('unit: uniquePeers', () => {
  it('keeps each peer once, in order of first appearance', async () => {
    const [a, b, c] = await Promise.all([peer(), peer(), peer()])
    expect(uniquePeers([a, b, a, c, b]).map(p => p.peerId.toString())).to.deep.equal([a, b, c].map(p => p.peerId.toString()))
  })

  it('an entry with addresses wins over an earlier one by id alone, in the earlier place', async () => {
    const [a, b] = await Promise.all([peer(), peer(['/ip4/127.0.0.1/tcp/4001'])])
    const bare = { ...b, multiaddrs: [] }
    const result = uniquePeers([bare, a, b])
    expect(result.map(p => p.peerId.toString())).to.deep.equal([b, a].map(p => p.peerId.toString()))
    expect(result[0].multiaddrs.map(m => m.toString())).to.deep.equal(['/ip4/127.0.0.1/tcp/4001'])
  })

  it('a later entry without addresses does not replace one with them', async () => {
    const a = await peer(['/ip4/127.0.0.1/tcp/4002'])
    expect(uniquePeers([a, { ...a, multiaddrs: [] }])[0].multiaddrs).to.have.length(1)
  })
})
