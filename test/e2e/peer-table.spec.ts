/**
 * The routing table keeps contacts, not connections: a full band keeps its
 * old members and queues newcomers as replacements; a peer leaves after a
 * refusal or MAX_TIMEOUTS timeouts in a row; and on a real network a peer
 * whose connection closed stays in the table and is dialled again when asked.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerTable } from '../../src/service/peer-table.ts'
import { MAX_TIMEOUTS } from '../../src/constants.ts'
import { TableRefresher } from '../../src/service/refresh.ts'
import { hexKey } from '../../src/bytes.ts'
import { distanceBand, peerPosition } from '../../src/keyspace.ts'
import { createTestnet } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import type { PeerId } from '@libp2p/interface'
import { internals } from '../../src/service/toyrrent.ts'

async function randomPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** A table with bucket size 2 and 5 peers that all fall in its farthest band (half of all ids do). */
async function crowdedBand (): Promise<{ table: PeerTable, peers: PeerId[] }> {
  const table = new PeerTable(await randomPeer(), 2)
  const peers: PeerId[] = []
  while (peers.length < 5) {
    const peer = await randomPeer()
    if (distanceBand(table.self, peerPosition(peer)) === 255) peers.push(peer)
  }
  return { table, peers }
}

describe('peer table', () => {
  it('keeps the first members of a full band and queues the others as replacements', async () => {
    const { table, peers } = await crowdedBand()
    expect(peers.map(p => table.add(p, []))).to.deep.equal([true, true, false, false, false])
    expect(table.size).to.equal(2)
    expect(table.waiting).to.equal(2) // at most bucket size wait; the oldest waiting one was dropped
    expect(table.get(peers[0])).to.not.equal(undefined)
    expect(table.get(peers[2])).to.equal(undefined)
  })

  it('fills a place freed by a failed peer with the most recently seen replacement', async () => {
    const { table, peers } = await crowdedBand()
    for (const p of peers) table.add(p, [])
    table.add(peers[3], []) // seen again: now the most recent replacement
    const version = table.version
    expect(table.failed(peers[0], false)).to.equal(true)
    expect(table.get(peers[0])).to.equal(undefined)
    expect(table.get(peers[3])).to.not.equal(undefined)
    expect(table.size).to.equal(2)
    expect(table.waiting).to.equal(1)
    expect(table.version).to.be.greaterThan(version)
  })

  it('drops a peer only after MAX_TIMEOUTS timeouts in a row; an answer resets the count', async () => {
    const { table, peers } = await crowdedBand()
    table.add(peers[0], [])
    for (let i = 1; i < MAX_TIMEOUTS; i++) expect(table.failed(peers[0], true)).to.equal(false)
    table.add(peers[0], []) // it answered
    for (let i = 1; i < MAX_TIMEOUTS; i++) expect(table.failed(peers[0], true)).to.equal(false)
    expect(table.failed(peers[0], true)).to.equal(true)
    expect(table.get(peers[0])).to.equal(undefined)
  })

  it('a failed peer that is not in the table changes nothing', async () => {
    const { table, peers } = await crowdedBand()
    table.add(peers[0], [])
    const version = table.version
    expect(table.failed(peers[1], false)).to.equal(false)
    expect(table.version).to.equal(version)
  })

  it('names, per band with replacements waiting, the member heard from longest ago', async () => {
    const { table, peers } = await crowdedBand()
    for (const p of peers) table.add(p, [])
    table.get(peers[1])!.lastSeen = 1
    expect(table.stalestWithReplacements(Date.now() + 1).map(e => e.peerId.toString())).to.deep.equal([peers[1].toString()])
    expect(table.stalestWithReplacements(1)).to.deep.equal([]) // nobody was heard from before then
  })

  it('a refresh round looks up the position of each stale member of a full band, and no other member', async () => {
    const { table, peers } = await crowdedBand()
    for (const p of peers) table.add(p, [])
    table.get(peers[0])!.lastSeen = 0
    const targets: string[] = []
    const refresher = new TableRefresher({
      table,
      bucketSize: 2,
      interval: 0,
      log: Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => { throw new Error('unused') } }) as any,
      lookup: async target => { targets.push(hexKey(target)) }
    })
    const result = await refresher.refresh()
    expect(result.checked).to.equal(1)
    expect(targets).to.include(hexKey(peerPosition(peers[0])))
    expect(targets).to.not.include(hexKey(peerPosition(peers[1])))
  })

  describe('on a real network', function () {
    this.timeout(60_000)

    it('a refresh asks the stalest member of a full band, and a newcomer takes the place of one that is gone', async () => {
      // bands of 2 peers: on 10 nodes the farthest band is full and others wait
      const net = await createTestnet(10, { refreshInterval: 0, bucketSize: 2 })
      try {
        const node = net.nodes[0]
        const table = node.toyrrent[internals].table
        const [stalest] = table.stalestWithReplacements(Date.now() + 1)
        expect(stalest, 'a full band with peers waiting').to.not.equal(undefined)
        stalest.lastSeen = 0
        const gone = net.nodes.find(n => n.libp2p.peerId.equals(stalest.peerId))!
        await gone.stop()
        const band = [...table.bands()].find(([, members]) => members.some(m => m.peerId.equals(stalest.peerId)))![0]
        await node.toyrrent.refreshTable()
        expect(table.get(stalest.peerId), 'the member that is gone left the table').to.equal(undefined)
        expect(table.bands().get(band), 'a newcomer took its place').to.have.length(2)
      } finally {
        await net.stop()
      }
    })

    it('a peer that answers busy stays in the table', async () => {
      const net = await createTestnet(6, { refreshInterval: 0 })
      try {
        const [a, b] = net.nodes
        expect(a.toyrrent[internals].table.get(b.libp2p.peerId)).to.not.equal(undefined)
        // b's inbound queue refuses everything: every request to it is answered BUSY
        ;(b.toyrrent[internals].inbound as any).push = () => 'peer-limit'
        const beside = peerPosition(b.libp2p.peerId).slice()
        beside[31] ^= 1
        const found = await a.toyrrent.findBeforeN(beside, 1)
        expect(found.map(p => p.peerId.toString())).to.not.include(b.libp2p.peerId.toString())
        expect(a.toyrrent[internals].table.get(b.libp2p.peerId), 'a busy peer is alive').to.not.equal(undefined)
      } finally {
        await net.stop()
      }
    })

    it('a peer whose connection closed stays in the table and is dialled again for the next request', async () => {
      const net = await createTestnet(6, { refreshInterval: 0 })
      try {
        const [a] = net.nodes
        const peer = a.toyrrent[internals].table.all()[0].peerId
        await a.libp2p.hangUp(peer)
        await waitFor('the connection to close', () => a.libp2p.getConnections(peer).length === 0, 10_000)
        expect(a.toyrrent[internals].table.get(peer), 'still in the table after the connection closed').to.not.equal(undefined)
        const { key } = await a.toyrrent.put(new TextEncoder().encode('after a hang-up'))
        // a position next to the peer's own: the exact lookup must ask the peer itself
        const beside = peerPosition(peer).slice()
        beside[31] ^= 1
        const found = await a.toyrrent.findBeforeN(beside, 1)
        expect(found.map(p => p.peerId.toString())).to.deep.equal([peer.toString()])
        expect(a.libp2p.getConnections(peer).length, 'dialled again').to.be.greaterThan(0)
        expect((await net.nodes[1].toyrrent.get(key)).byteLength).to.equal(15)
      } finally {
        await net.stop()
      }
    })
  })
})
