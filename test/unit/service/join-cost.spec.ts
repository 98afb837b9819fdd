/**
 * What a join costs and what it may trust. The join's critical path is the
 * self lookup and the handoff: the far bands are filled beside it by asking
 * the neighbours just met (one find_before_n per band), never by a lookup
 * per band, and the join does not wait for it. Peers named in answers are
 * "heard of": never members, never replicas, never acknowledgements; a
 * lookup may start from them, and one whose first contact fails is gone.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { TableRefresher } from '../../../src/service/refresh.ts'
import { FILL_VERIFY_MAX } from '../../../src/constants.ts'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { compareDistance, distanceBand, peerPosition, sha256 } from '../../../src/keyspace.ts'
import { runVirtualSim, VIRTUAL_DEFAULTS } from '../../../scripts/lib/virtual-sim.ts'
import { randomPeerId, waitFor, within } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { PeerId } from '@libp2p/interface'

const found = (peerId: PeerId): FoundPeer => ({ peerId, multiaddrs: [], position: peerPosition(peerId) })

/** `count` peer ids in `self`'s band `band` (for 255 and 254 a few tries each). */
async function inBand (self: Uint8Array, band: number, count: number): Promise<PeerId[]> {
  const out: PeerId[] = []
  while (out.length < count) {
    const id = await randomPeerId()
    if (distanceBand(self, peerPosition(id)) === band) out.push(id)
  }
  return out
}

/** Leading bits `a` and `b` share. */
function sharedBits (a: Uint8Array, b: Uint8Array): number {
  return 255 - distanceBand(a, b)
}

describe('unit: the cost of a join, and peers heard of', function () {
  this.timeout(120_000)

  describe('PeerTable: peers heard of', () => {
    it('are no members: not counted, listed, or in the placement view; a lookup may start from them', async () => {
      const table = new PeerTable(await randomPeerId(), 20)
      const [member] = await inBand(table.self, 255, 1)
      const heard = await inBand(table.self, 254, 3)
      table.add(member, [])
      expect(table.hearOf(heard.map(found))).to.equal(3)
      expect(table.size).to.equal(1)
      expect(table.unverified).to.equal(3)
      expect(table.all().map(e => e.peerId.toString())).to.deep.equal([member.toString()])
      expect(table.closest(peerPosition(heard[0]), 10).map(e => e.peerId.toString())).to.deep.equal([member.toString()])
      expect([...table.bands().keys()]).to.deep.equal([255])
      const start = table.closestForLookup(peerPosition(heard[0]), 10).map(e => e.peerId.toString())
      expect(start[0]).to.equal(heard[0].toString())
      expect(start).to.include(member.toString())
      expect(table.isUnverified(heard[0])).to.equal(true)
    })

    it('one answer adds at most its cap, a band at most what it has room for beside its members', async () => {
      const table = new PeerTable(await randomPeerId(), 4)
      const members = await inBand(table.self, 255, 3)
      for (const m of members) table.add(m, [])
      const named = await inBand(table.self, 255, 6)
      expect(table.hearOf(named.map(found))).to.equal(1)
      const other = await inBand(table.self, 254, 6)
      expect(table.hearOf(other.map(found), 2)).to.equal(2)
      // members and ourselves are never heard of
      expect(table.hearOf([...other.slice(4), ...members].map(found))).to.equal(2)
      expect(table.unverified).to.equal(5)
    })

    it('a failed first contact forgets a peer heard of at once, even a timeout; an answer makes it a member', async () => {
      const table = new PeerTable(await randomPeerId(), 20)
      const [a, b, c] = await inBand(table.self, 255, 3)
      table.hearOf([a, b, c].map(found))
      expect(table.failed(a, true, Date.now())).to.equal(true)
      expect(table.failed(b, false)).to.equal(true)
      expect(table.isUnverified(a) || table.isUnverified(b)).to.equal(false)
      expect(table.add(c, [])).to.equal(true)
      expect(table.isUnverified(c)).to.equal(false)
      expect(table.size).to.equal(1)
      expect(table.unverified).to.equal(0)
    })
  })

  it('the band filling asks at most FILL_VERIFY_MAX peers heard of, in bands with room, farthest band first; those that answer are members', async () => {
    const self = await randomPeerId()
    const table = new PeerTable(self, 20)
    const selfPos = peerPosition(self)
    const [neighbour] = await inBand(selfPos, 250, 1)
    table.add(neighbour, [])
    // band 255: 19 members, room for 1; band 254: 12 peers heard of; band 253: 6
    for (const m of await inBand(selfPos, 255, 19)) table.add(m, [])
    const named = new Map<number, PeerId[]>([[255, await inBand(selfPos, 255, 4)], [254, await inBand(selfPos, 254, 12)], [253, await inBand(selfPos, 253, 6)]])
    const refresher = new TableRefresher({ table, bucketSize: 20, interval: 0, log: Object.assign(() => {}, { enabled: false }) as any, lookup: async () => {} })
    const asked: PeerId[] = []
    await refresher.fillBands(AbortSignal.timeout(5000), [found(neighbour)], async (peer, target) => {
      asked.push(peer.peerId)
      if (peer.peerId.equals(neighbour)) {
        // the neighbour names the band the target is in
        const band = distanceBand(selfPos, target)
        table.hearOf((named.get(band) ?? []).map(found))
      } else {
        table.add(peer.peerId, [])
      }
      return []
    })
    const verified = asked.filter(p => !p.equals(neighbour))
    expect(verified).to.have.length(FILL_VERIFY_MAX)
    const bandOf = (p: PeerId): number => distanceBand(selfPos, peerPosition(p))
    // band 255 had room for one, then band 254 (farthest first), never band 253 while the budget went to 254
    expect(verified.map(bandOf)).to.deep.equal([255, ...Array(FILL_VERIFY_MAX - 1).fill(254)])
    expect(table.size).to.equal(1 + 19 + FILL_VERIFY_MAX)
  })

  describe('on the in-memory network', () => {
    let net: MemoryNetwork
    afterEach(async () => { await net?.stop() })

    it("the join returns without waiting for the far bands' answers, which then fill the table as heard of", async () => {
      net = await createMemoryNetwork(80)
      const newcomer = await net.add({}, { join: false })
      const self = peerPosition(net.peerId(newcomer))
      // every find_before_n for another target than ourselves hangs until released
      const rpc = newcomer[internals].rpc as any
      const original = rpc.findBeforeN.bind(rpc)
      const release = Promise.withResolvers<void>()
      let held = 0
      rpc.findBeforeN = async (peer: FoundPeer, target: Uint8Array, n: number, options: { signal?: AbortSignal }) => {
        if (!target.every((x, i) => x === self[i])) {
          held++
          await new Promise<void>((resolve, reject) => {
            void release.promise.then(resolve)
            options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
          })
        }
        return original(peer, target, n, options)
      }
      newcomer[internals].table.add(net.peerId(net.nodes[0]), [])
      await within(5000, newcomer.join(), 'the join (it waited for a far band)')
      // the band filling starts once the rest of the self lookup is done, after the join returned
      await waitFor('a far band asked about (with none, this proves nothing)', () => held > 0, 5000)
      const known = (): number => newcomer[internals].table.size + newcomer[internals].table.unverified
      const before = known()
      let settled = false
      const filling = newcomer[internals].joinSettled!().then(() => { settled = true })
      await new Promise(resolve => setTimeout(resolve, 50))
      expect(settled, 'the band filling waits for its answers').to.equal(false)
      release.resolve()
      await within(5000, filling, 'the band filling')
      expect(known()).to.be.greaterThan(before)
    })

    it("the join returns without waiting for the handoff's last acknowledgements, which the settled join has sent", async () => {
      net = await createMemoryNetwork(12)
      for (let i = 0; i < 60; i++) await net.nodes[i % 12].put(new Uint8Array(randomBytes(64)))
      const newcomer = await net.add({}, { join: false })
      const rpc = newcomer[internals].rpc as any
      const original = rpc.acknowledgeHandoff.bind(rpc)
      const release = Promise.withResolvers<void>()
      let held = 0
      let sent = 0
      rpc.acknowledgeHandoff = async (...a: any[]) => {
        held++
        await release.promise
        const answer = await original(...a)
        sent++
        return answer
      }
      newcomer[internals].table.add(net.peerId(net.nodes[0]), [])
      const result = await within(5000, newcomer.join(), 'the join (it waited for an acknowledgement)')
      expect(result.items, 'a newcomer that took no items proves nothing').to.be.greaterThan(0)
      expect(held).to.be.greaterThan(0)
      expect(sent).to.equal(0)
      release.resolve()
      await within(5000, newcomer[internals].joinSettled!(), 'the settled join')
      expect(sent).to.equal(held)
    })

    it('a routed find goes on over open connections only, toward the target, and names its true nearest; a plain FIND_BEFORE_N is not passed on', async () => {
      net = await createMemoryNetwork(60)
      const [asker, first] = [net.nodes[0], net.nodes[1]]
      // a target in the far half from `first`: its band 255 there holds ~30 nodes, more than the 20 it keeps, so it passes the find on
      const target = new Uint8Array(randomBytes(32))
      target[0] = (target[0] & 0x7f) | (~peerPosition(net.peerId(first))[0] & 0x80)
      const rpc = asker[internals].rpc
      const firstPeer = found(net.peerId(first))
      await rpc.findBeforeN(firstPeer, target, 1, { timeout: 5000 })
      // `first` passes the find on only over a link it has open: open its
      // links to the peers of its table nearer to the target than itself
      // (which of them a formed network left open is chance)
      const firstPosition = peerPosition(net.peerId(first))
      // and it passes it on only when its band around the target is full,
      // which a formed network leaves to chance too: fill it
      const band = distanceBand(firstPosition, target)
      for (const node of net.nodes) {
        const id = net.peerId(node)
        if (node !== first && distanceBand(firstPosition, peerPosition(id)) === band) first[internals].table.add(id, [])
      }
      const nearer = first[internals].table.all().filter(p => compareDistance(target, p.position, firstPosition) < 0 && !p.peerId.equals(net.peerId(asker)))
      expect(nearer.length, 'a first hop with no peer nearer to the target proves nothing').to.be.greaterThan(0)
      await Promise.all(nearer.map(async p => first[internals].rpc.findBeforeN(found(p.peerId), target, 1, { timeout: 5000 })))
      const opened = net.connectionsOpened()
      const plain = await rpc.findRouted!(firstPeer, target, 7, 0, { timeout: 5000 })
      expect(plain.routed).to.equal(0)
      const answer = await rpc.findRouted!(firstPeer, target, 7, 8, { timeout: 5000 })
      // no hop dialled: every link the chain used was open already
      expect(net.connectionsOpened()).to.equal(opened)
      expect(answer.routed, 'with no hop taken this proves nothing').to.be.greaterThan(0)
      const truth = net.nearest(target, 7).map(n => net.peerId(n).toString())
      const named = answer.peers.map(p => p.peerId.toString())
      expect(named.slice(0, 3)).to.deep.equal(truth.slice(0, 3))
    })

    it('peers heard of nearest to a key (junk: not on the network) are never acknowledgements; the lookups that meet them forget them', async () => {
      net = await createMemoryNetwork(12)
      const writer = net.nodes[3]
      const table = writer[internals].table
      const value = new Uint8Array(randomBytes(512))
      const key = sha256(value)
      // three ids far nearer to the key than any node of 12 is likely to be
      const junk: PeerId[] = []
      while (junk.length < 3) {
        const id = await randomPeerId()
        if (sharedBits(peerPosition(id), key) >= 7) junk.push(id)
      }
      expect(table.hearOf(junk.map(found))).to.equal(3)
      const result = await writer.put(value)
      const onNetwork = new Set(net.nodes.map(n => net.peerId(n).toString()))
      const junkIds = new Set(junk.map(j => j.toString()))
      expect(result.stored.length).to.be.at.least(2)
      for (const p of result.stored) {
        expect(junkIds.has(p.toString()), 'a peer heard of counted as an acknowledgement').to.equal(false)
        expect(onNetwork.has(p.toString())).to.equal(true)
      }
      // a lookup starts from the junk, asks it, fails, forgets it, and still finds the true nearest
      const nearest = await writer.findBeforeN(key, 3)
      expect(nearest.map(p => p.peerId.toString())).to.deep.equal(net.nearest(key, 3).map(n => net.peerId(n).toString()))
      expect(junk.filter(j => table.isUnverified(j) || table.get(j) != null)).to.deep.equal([])
    })
  })

  it('a fresh join at 500 nodes (virtual time): ≤ 5.5 round trips p50 and ≤ 7 p95, ≤ 55 requests to ≤ 44 peers with its band filling, its true neighbours met', async () => {
    const r = await runVirtualSim({ ...VIRTUAL_DEFAULTS, nodes: 500, seed: 5, items: 10, lookups: 5, gets: 5, freshJoins: 8, churnMinutes: 0 })
    expect(r.join.done).to.equal(8)
    // a lookup per far band on the critical path: 25.7 / 38.2 round trips p50 / p95, 148–170 requests to 121–129 peers;
    // then the whole self lookup of 21 nearest before the handoff: 7.08 / 9.45, 43 requests to 32 peers;
    // now the handoff from each of the 2R nearest as it answers, the join over once they have (4.76 / 6.11)
    expect(r.join.roundTrips.p50).to.be.at.most(5.5)
    expect(r.join.roundTrips.p95).to.be.at.most(7)
    // with band filling (and its FILL_VERIFY_MAX asks of peers heard of): 51 requests to 40 peers
    expect(r.join.requestsWithFill.max).to.be.at.most(55)
    expect(r.join.peersWithFill.max).to.be.at.most(44)
    // returning early loses nothing: every join met its true 2R nearest and its true R nearest know it,
    // and once the rest of the self lookup has run its table holds its true 20 nearest
    expect(r.join.exact).to.deep.equal({ neighbours: 8, knownByNeighbours: 8, nearestAfterSettle: 8 })
  })

  it('where a new connection costs 4 round trips (TCP), a fresh join at 60 nodes (virtual time) takes 6 round trips p50: its routed find names its neighbours, each new connection carries the HANDOFF beside the FIND_BEFORE_N', async () => {
    // formed by real joins (open connections between table peers, as over TCP); every link 20 ms
    const r = await runVirtualSim({ ...VIRTUAL_DEFAULTS, nodes: 60, seed: 5, formation: 'join', rttMs: 20, items: 10, lookups: 5, gets: 5, freshJoins: 8, churnMinutes: 0, connectRtts: 4 })
    expect(r.join.done).to.equal(8)
    // the bootstrap's answer (1), then the neighbours' new connections (4) and their answers (1): nothing in series
    // beyond that. Without the routed find (routedJoin: false) 7 p50 / 9.5 mean: the HANDOFF waited for the
    // FIND_BEFORE_N's answer; and a lookup that met nearer peers in those answers paid another new connection
    expect(r.join.roundTrips.p50).to.be.at.most(6)
    expect(r.join.roundTrips.mean).to.be.at.most(8.5)
    // HANDOFFs to named peers that were no neighbour (on connections the lookup opens anyway): 7.8 per join against 6.6
    expect(r.join.byType.HANDOFF ?? 0).to.be.at.most(8)
    expect(r.join.exact).to.deep.equal({ neighbours: 8, knownByNeighbours: 8, nearestAfterSettle: 8 })
  })
})
