/**
 * PeerTable: Kademlia buckets by distance band, replacements, the failure
 * rule (a refusal at once, a timeout only the MAX_TIMEOUTS-th in a row) and
 * the nearest-first view everything else reads.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { MAX_TIMEOUTS } from '../../../src/constants.ts'
import { compareDistance, distanceBand, peerPosition } from '../../../src/keyspace.ts'
import { randomPeerId, randomPeers } from '../helpers.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { PeerId } from '@libp2p/interface'

/** A table with bucket size 2 and `count` peers that all fall in its farthest band (half of all ids do). */
async function crowdedBand (count = 5): Promise<{ table: PeerTable, peers: PeerId[] }> {
  const table = new PeerTable(await randomPeerId(), 2)
  const peers: PeerId[] = []
  while (peers.length < count) {
    const peer = await randomPeerId()
    if (distanceBand(table.self, peerPosition(peer)) === 255) peers.push(peer)
  }
  return { table, peers }
}

describe('unit: PeerTable', () => {
  it('never holds ourselves', async () => {
    const self = await randomPeerId()
    const table = new PeerTable(self)
    expect(table.add(self, [])).to.equal(false)
    expect(table.size).to.equal(0)
  })

  it('adding a known peer refreshes it: no duplicate, new addresses kept, timeouts reset', async () => {
    const { table, peers } = await crowdedBand(1)
    table.add(peers[0], [])
    table.failed(peers[0], true)
    const version = table.version
    const entry = table.get(peers[0])!
    entry.lastSeen = 0
    const addr = multiaddr('/ip4/192.0.2.1/tcp/4001')
    expect(table.add(peers[0], [addr])).to.equal(true)
    expect(table.add(peers[0], [])).to.equal(true) // no addresses: the known ones stay
    expect(entry.multiaddrs.map(String)).to.deep.equal([addr.toString()])
    expect(table.size).to.equal(1)
    expect(table.version).to.equal(version) // membership did not change
    expect(entry.timeouts).to.equal(0)
    expect(entry.lastSeen).to.be.greaterThan(0)
  })

  it('keeps the first members of a full band; newcomers wait, at most bucket size of them', async () => {
    const { table, peers } = await crowdedBand(5)
    expect(peers.map(p => table.add(p, []))).to.deep.equal([true, true, false, false, false])
    expect(table.size).to.equal(2)
    expect(table.waiting).to.equal(2)
    expect(table.get(peers[2])).to.equal(undefined)
  })

  it('a refused or broken peer leaves at once; the most recently seen replacement takes its place', async () => {
    const { table, peers } = await crowdedBand(4)
    for (const p of peers) table.add(p, [])
    table.add(peers[2], []) // seen again: now the most recent replacement
    expect(table.failed(peers[0], false)).to.equal(true)
    expect(table.get(peers[0])).to.equal(undefined)
    expect(table.get(peers[2])).to.not.equal(undefined)
    expect(table.waiting).to.equal(1)
  })

  it('a peer leaves only at its MAX_TIMEOUTS-th timeout in a row; an answer resets the count', async () => {
    const { table, peers } = await crowdedBand(1)
    table.add(peers[0], [])
    for (let i = 1; i < MAX_TIMEOUTS; i++) expect(table.failed(peers[0], true)).to.equal(false)
    table.add(peers[0], [])
    for (let i = 1; i < MAX_TIMEOUTS; i++) expect(table.failed(peers[0], true)).to.equal(false)
    expect(table.failed(peers[0], true)).to.equal(true)
    expect(table.size).to.equal(0)
  })

  it('a failure of a peer it does not hold changes nothing', async () => {
    const { table, peers } = await crowdedBand(2)
    table.add(peers[0], [])
    const version = table.version
    expect(table.failed(peers[1], false)).to.equal(false)
    expect(table.version).to.equal(version)
  })

  it('names the stalest member of each full band with newcomers waiting', async () => {
    const { table, peers } = await crowdedBand(3)
    for (const p of peers) table.add(p, [])
    table.get(peers[1])!.lastSeen = 1
    expect(table.stalestWithReplacements(Date.now() + 1).map(e => e.peerId.toString())).to.deep.equal([peers[1].toString()])
    expect(table.stalestWithReplacements(0)).to.deep.equal([])
  })

  it('closest(): the known peers nearest to any target, nearest first, exactly', async () => {
    const table = new PeerTable(await randomPeerId(), 20)
    const peers: FoundPeer[] = await randomPeers(60)
    for (const p of peers) table.add(p.peerId, [], p.position)
    const held = table.all()
    for (let i = 0; i < 20; i++) {
      const target = new Uint8Array(randomBytes(32))
      const sorted = [...held].sort((a, b) => compareDistance(target, a.position, b.position))
      expect(table.closest(target, 7).map(e => e.peerId.toString())).to.deep.equal(sorted.slice(0, 7).map(e => e.peerId.toString()))
    }
    expect(table.closest(table.self, 1000).length).to.equal(held.length)
  })

  it('bands(): every peer in the band of its distance from us', async () => {
    const table = new PeerTable(await randomPeerId(), 20)
    for (const p of await randomPeers(30)) table.add(p.peerId, [], p.position)
    let count = 0
    for (const [band, entries] of table.bands()) {
      for (const e of entries) expect(distanceBand(table.self, e.position)).to.equal(band)
      count += entries.length
    }
    expect(count).to.equal(table.size)
  })
})
