/**
 * A reader that doubts its own view of a key's replica set (issue 13, 200
 * nodes): with tables of 53 of 199, a reader's R nearest to a far key were
 * the replica set for one key in eight, yet they were connected, so the read
 * went to them directly; they named the true replicas, which the reader
 * then dialled (1.2 new connections per get). Neighbourhood.mayMiss says
 * when the view is likely wrong (its R-th nearest is far more distant than
 * a network of the estimated size puts it), and such a read goes through
 * the connected peer nearest the key, as when no replica is connected.
 * A view that only looks right (not doubted, connected, yet its peers name
 * nearer ones) is read over open connections only and then forwarded, not
 * dialled (ForwardedReads.overOpen: at 200 nodes one resolve in seven went
 * that way and dialled).
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { Neighbourhood } from '../../../src/service/neighbourhood.ts'
import { nearestPositioned, peerPosition, sha256 } from '../../../src/keyspace.ts'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PeerId } from '@libp2p/interface'

const R = 3

function neighbourhoodOf (selfId: PeerId, table: PeerTable): Neighbourhood {
  return new Neighbourhood({ selfId, table, selfAddrs: () => [], filterAddrs: addrs => addrs })
}

describe('unit: a reader that doubts its view of the replica set', function () {
  this.timeout(120_000)

  it('is rarely in doubt where it knows every peer, and in doubt for a large share of the keys whose replica set a thin table misses', async () => {
    // seeded ids and keys, and five readers each with its own size estimate: the same figures every run (random
    // draws of one reader failed one run in twenty or thirty, on an estimate in its tail)
    const ids = await Promise.all(Array.from({ length: 200 }, async (_, i) => peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', sha256(Uint8Array.of(1, i))))))
    const peers = ids.map(peerId => ({ peerId, multiaddrs: [], position: peerPosition(peerId) }))
    let keys = 0
    let doubtedWhole = 0
    let wrongThin = 0
    let doubtedWrongThin = 0
    for (const self of ids.slice(0, 5)) {
      const others = peers.filter(p => !p.peerId.equals(self))
      const whole = new PeerTable(self, 1000)
      for (const p of others) whole.add(p.peerId, [])
      // a quarter of the network, as 53 of 199 was: its own neighbourhood whole (the nearest 30), a few far peers
      const thin = new PeerTable(self, 1000)
      const byDistance = nearestPositioned(peerPosition(self), others, others.length)
      for (const p of [...byDistance.slice(0, 30), ...byDistance.slice(30).filter((_, i) => i % 8 === 0)]) thin.add(p.peerId, [])
      const wholeView = neighbourhoodOf(self, whole)
      const thinView = neighbourhoodOf(self, thin)
      for (let i = 0; i < 400; i++, keys++) {
        const key = sha256(Uint8Array.of(2, i >> 8, i & 255))
        if (wholeView.mayMiss(key, R)) doubtedWhole++
        const truth = new Set(nearestPositioned(key, peers, R).map(p => p.peerId.toString()))
        const view = thinView.nearestPeers(key, R)
        if (view.every(p => truth.has(p.peerId.toString()))) continue
        wrongThin++
        if (thinView.mayMiss(key, R)) doubtedWrongThin++
      }
    }
    // these seeds: 0 of 2,000 with whole tables (about 0.05 % by the arithmetic, Neighbourhood's VIEW_SLACK);
    // 1,727 wrong thin views, 1,531 of them doubted (three quarters on the bench's real 200-node tables)
    expect(doubtedWhole / keys, 'keys doubted with the whole network known').to.be.below(0.02)
    expect(wrongThin, 'keys whose replica set the thin table misses').to.be.greaterThan(keys / 2)
    expect(doubtedWrongThin / wrongThin, 'of those, doubted').to.be.greaterThan(0.25)
  })

  describe('on an in-memory network with thin tables', () => {
    let net: MemoryNetwork
    before(async () => { net = await createMemoryNetwork(120, { bucketSize: 3, refreshInterval: 0 }) })
    after(async () => { await net?.stop() })

    /** Connect two nodes the way a request does (a FETCH of nothing). */
    async function link (a: Toyrrent, b: Toyrrent): Promise<void> {
      const peer = { peerId: net.peerId(b), multiaddrs: [], position: peerPosition(net.peerId(b)) }
      await a[internals].rpc.fetch(peer, new Uint8Array(32), 0, { timeout: 2000 })
    }

    const table = (n: Toyrrent): PeerTable => n[internals].table
    const nodeOf = (peerId: PeerId): Toyrrent => net.nodes.find(n => net.peerId(n).equals(peerId))!

    /**
     * The peers `reader` is connected to: a read's dials show as new ones (counted at the reader, not over
     * the network: earlier writes' background stores may open links elsewhere meanwhile).
     */
    const linksOf = (reader: Toyrrent): string[] => net.nodes.filter(n => n !== reader && net.connected(reader, n)).map(n => net.peerId(n).toString())

    /**
     * A reader connected to its table's R nearest to `key`, none of them a
     * replica, and to no replica; the member of its table nearest the key
     * knows a replica and is connected to it. Undefined when no node fits.
     */
    function readerFor (key: Uint8Array, replicas: Toyrrent[]): { reader: Toyrrent, forwarder: Toyrrent } | undefined {
      const replicaIds = new Set(replicas.map(n => net.peerId(n).toString()))
      for (const reader of net.nodes) {
        // not one holding a copy (a put may leave one beside the replicas): it would answer from it
        if (replicas.includes(reader) || reader[internals].store.has(key)) continue
        const view = table(reader).closest(key, R)
        if (view.length < R || view.some(p => replicaIds.has(p.peerId.toString()))) continue
        if (!neighbourhoodOf(net.peerId(reader), table(reader)).mayMiss(key, R)) continue
        const forwarder = nodeOf(view[0].peerId)
        if (!table(forwarder).closest(key, R).some(p => replicaIds.has(p.peerId.toString()))) continue
        return { reader, forwarder }
      }
      return undefined
    }

    it('a get whose connected view misses the replica set goes through the connected peer nearest the key, and opens no connection', async () => {
      let found: { key: Uint8Array, value: Uint8Array, replicas: Toyrrent[], reader: Toyrrent, forwarder: Toyrrent } | undefined
      for (let i = 0; i < 20 && found == null; i++) {
        const value = new Uint8Array(randomBytes(200))
        const { key } = await net.nodes[i].put(value)
        const replicas = net.nearest(key, R)
        const pair = readerFor(key, replicas)
        if (pair != null) found = { key, value, replicas, ...pair }
      }
      expect(found, 'a reader whose view misses the replica set').to.not.equal(undefined)
      const { key, value, replicas, reader, forwarder } = found!
      for (const p of table(reader).closest(key, R)) await link(reader, nodeOf(p.peerId))
      for (const r of replicas) {
        net.disconnect(reader, r)
        if (r !== forwarder) await link(forwarder, r)
      }
      const before = linksOf(reader)
      const forwards = net.stats.bytesByType.FORWARD ?? 0
      // a long hedge: a loaded machine must not start the dialling fallback beside the forward
      expect(await reader.get(key, { hedgeMs: 60_000 })).to.deep.equal(value)
      expect(net.stats.bytesByType.FORWARD ?? 0, 'a FORWARD went out').to.be.greaterThan(forwards)
      expect(linksOf(reader).filter(l => !before.includes(l)), 'peers the reader connected to for the get').to.deep.equal([])
      expect(replicas.filter(r => net.connected(reader, r)), 'replicas the reader connected to').to.deep.equal([])
    })

    it('a put whose connected view misses the replica set goes through the connected peer nearest the key; the replicas acknowledge it', async () => {
      let found: { value: Uint8Array, key: Uint8Array, replicas: Toyrrent[], writer: Toyrrent } | undefined
      for (let i = 0; i < 200 && found == null; i++) {
        const value = new Uint8Array(randomBytes(200))
        const key = sha256(value)
        const replicas = net.nearest(key, R)
        const pair = readerFor(key, replicas)
        if (pair != null) found = { value, key, replicas, writer: pair.reader }
      }
      expect(found, 'a writer whose view misses the replica set').to.not.equal(undefined)
      const { value, key, replicas, writer } = found!
      for (const p of table(writer).closest(key, R)) await link(writer, nodeOf(p.peerId))
      // the writer forwards at once (beside its direct stores), not after the STOREs on the view it doubts
      // have answered and named nearer peers (a correction round, which forwards too, one round trip later)
      const rpc = writer[internals].rpc
      const sent: string[] = []
      const { store, forwardStore } = rpc
      rpc.store = async (...args) => {
        sent.push('STORE')
        try { return await store.apply(rpc, args) } finally { sent.push('answer') }
      }
      rpc.forwardStore = async (...args) => { sent.push('FORWARD_STORE'); return await forwardStore.apply(rpc, args) }
      let stored
      try {
        ({ stored } = await writer.put(value))
      } finally {
        rpc.store = store
        rpc.forwardStore = forwardStore
      }
      const forwardAt = sent.indexOf('FORWARD_STORE')
      expect(forwardAt, `FORWARD_STORE before any STORE answered (${sent.join(', ')})`).to.be.within(0, sent.indexOf('answer') === -1 ? sent.length : sent.indexOf('answer'))
      const ids = new Set(replicas.map(r => net.peerId(r).toString()))
      expect(stored.filter(p => ids.has(p.toString())).length, 'acknowledgements from the replica set').to.be.at.least(2)
    })

    /**
     * A reader whose table's R nearest to `key` are no replica and hold no copy, and which does
     * not doubt that view; the nearest of them knows every replica. Undefined when none fits.
     */
    function undoubtedReaderFor (key: Uint8Array, replicas: Toyrrent[]): { reader: Toyrrent, forwarder: Toyrrent } | undefined {
      const replicaIds = new Set(replicas.map(n => net.peerId(n).toString()))
      for (const reader of net.nodes) {
        // not one holding a copy (a put may leave one beside the replicas): it would answer from it
      if (replicas.includes(reader) || reader[internals].store.has(key)) continue
        const view = table(reader).closest(key, R)
        // none of the view holds a copy either (a put may leave one beside the replicas)
        if (view.length < R || view.some(p => replicaIds.has(p.peerId.toString()) || nodeOf(p.peerId)[internals].store.has(key)) || neighbourhoodOf(net.peerId(reader), table(reader)).mayMiss(key, R)) continue
        const forwarder = nodeOf(view[0].peerId)
        if (replicas.every(r => table(forwarder).get(net.peerId(r)) != null)) return { reader, forwarder }
      }
      return undefined
    }

    /** Connect the reader to its view and to nothing else, and the forwarder to the replicas. */
    async function arrange (key: Uint8Array, replicas: Toyrrent[], reader: Toyrrent, forwarder: Toyrrent): Promise<void> {
      const view = table(reader).closest(key, R).map(p => nodeOf(p.peerId))
      for (const n of view) await link(reader, n)
      // the reader's other links go (earlier tests' among them): a stray copy on a peer it is connected to would answer first
      for (const n of net.nodes) if (!view.includes(n)) net.disconnect(reader, n)
      for (const r of replicas) await link(forwarder, r)
    }

    it('[a view that only looks right] get: forwarded once the view names a replica it is not connected to; no connection opened', async () => {
      let found: { key: Uint8Array, value: Uint8Array, replicas: Toyrrent[], reader: Toyrrent, forwarder: Toyrrent } | undefined
      for (let i = 0; i < 40 && found == null; i++) {
        const value = new Uint8Array(randomBytes(200))
        const { key } = await net.nodes[i].put(value)
        const replicas = net.nearest(key, R)
        const pair = undoubtedReaderFor(key, replicas)
        if (pair != null) found = { key, value, replicas, ...pair }
      }
      expect(found, 'a reader with a wrong, undoubted view').to.not.equal(undefined)
      const { key, value, replicas, reader, forwarder } = found!
      await arrange(key, replicas, reader, forwarder)
      const before = linksOf(reader)
      const forwards = net.stats.bytesByType.FORWARD ?? 0
      // a long hedge: a loaded machine must not start the dialling fallback beside the forward
      expect(await reader.get(key, { hedgeMs: 60_000 })).to.deep.equal(value)
      expect(net.stats.bytesByType.FORWARD ?? 0, 'a FORWARD went out').to.be.greaterThan(forwards)
      expect(linksOf(reader).filter(l => !before.includes(l)), 'peers the reader connected to for the get').to.deep.equal([])
    })

    it('[a view that only looks right] resolve: the same, with a read quorum through the forwarder', async () => {
      let found: { id: Uint8Array, seq: bigint, replicas: Toyrrent[], reader: Toyrrent, forwarder: Toyrrent } | undefined
      for (let i = 0; i < 40 && found == null; i++) {
        const { id, seq } = await net.nodes[i].publish(await generateKeyPair('Ed25519'), new TextEncoder().encode('looked right'))
        const replicas = net.nearest(id, R)
        const pair = undoubtedReaderFor(id, replicas)
        if (pair != null) found = { id, seq, replicas, ...pair }
      }
      expect(found, 'a reader with a wrong, undoubted view').to.not.equal(undefined)
      const { id, seq, replicas, reader, forwarder } = found!
      await arrange(id, replicas, reader, forwarder)
      const before = linksOf(reader)
      const resolved = await reader.resolve(id, { hedgeMs: 60_000 })
      expect(resolved.seq).to.equal(seq)
      expect(linksOf(reader).filter(l => !before.includes(l)), 'peers the reader connected to for the resolve').to.deep.equal([])
    })
  })
})
