/**
 * Band targets of the routing-table refresh, and LAN discovery: two nodes on
 * one host find each other by mDNS. (The band property on a real network is in
 * network-upkeep.spec.ts.)
 */
import { expect } from 'chai'
import { createToyrrentNode } from '../../src/node.ts'
import { distanceBand, peerPosition } from '../../src/keyspace.ts'
import { randomInBand } from '../../src/service/refresh.ts'
import type { ToyrrentNode } from '../../src/node.ts'

describe('routing-table refresh', function () {
  this.timeout(60_000)

  it('a random position in band i is at distance 2^i..2^(i+1)', () => {
    const self = peerPosition(((): any => ({ toMultihash: () => ({ bytes: new Uint8Array([1, 2, 3]) }) }))())
    for (const band of [0, 1, 7, 8, 9, 100, 254, 255]) {
      for (let i = 0; i < 20; i++) expect(distanceBand(self, randomInBand(self, band))).to.equal(band)
    }
  })
})

describe('mDNS discovery', function () {
  this.timeout(30_000)
  const nodes: ToyrrentNode[] = []
  after(async () => { await Promise.allSettled(nodes.map(async n => n.stop())) })

  it('two nodes on one host with --mdns connect with no bootstrap address', async function () {
    // a tag of our own so other test runs on the network do not join in
    const tag = `toyrrent-test-${process.pid}-${Date.now()}`
    for (let i = 0; i < 2; i++) nodes.push(await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/0'], mdns: true, mdnsServiceTag: tag }))
    const [a, b] = nodes
    const deadline = Date.now() + 15_000
    while (a.libp2p.getConnections(b.libp2p.peerId).length === 0 && b.libp2p.getConnections(a.libp2p.peerId).length === 0) {
      if (Date.now() > deadline) throw new Error('the nodes did not find each other by mDNS within 15 s')
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    const { key } = await a.toyrrent.put(new TextEncoder().encode('found on the LAN'))
    expect(new TextDecoder().decode(await b.toyrrent.get(key))).to.equal('found on the LAN')
  })
})
