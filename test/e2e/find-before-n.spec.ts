import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createTestnet } from '../helpers/testnet.ts'
import { compareDistance, peerPosition } from '../../src/keyspace.ts'
import type { Testnet } from '../helpers/testnet.ts'

describe('find_before_n on a 30-node network', function () {
  this.timeout(120_000)
  let net: Testnet

  before(async () => { net = await createTestnet(30) })
  after(async () => { await net?.stop() })

  it('returns exactly the n nodes nearest to random ids, from any node', async () => {
    const everyone = net.nodes.map(n => ({ id: n.libp2p.peerId.toString(), position: peerPosition(n.libp2p.peerId) }))
    for (let i = 0; i < 60; i++) {
      const target = randomBytes(32)
      const n = 1 + (i % 20)
      const asker = net.nodes[i % net.nodes.length]
      const expected = [...everyone].sort((a, b) => compareDistance(target, a.position, b.position)).slice(0, n).map(e => e.id)
      const found = await asker.toyrrent.findBeforeN(target, n)
      expect(found.map(p => p.peerId.toString())).to.deep.equal(expected, `target ${target.toString('hex')} n=${n}`)
    }
  })

  it('never returns the target itself when asked for a node position', async () => {
    const subject = net.nodes[3]
    const found = await net.nodes[10].toyrrent.findBeforeN(peerPosition(subject.libp2p.peerId), 5)
    // the lookup result includes the subject (it is a node of the network); remote answers must not
    expect(found[0].peerId.toString()).to.equal(subject.libp2p.peerId.toString())
  })
})
