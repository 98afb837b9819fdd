/**
 * Repair and leave handoff (Repairer) on the in-memory network: a quiet round
 * costs little and moves nothing; lost copies come back after a crash; items
 * leave nodes no longer responsible for them once their new holders confirmed
 * them; a stale replica is brought up to date; a leaving node hands
 * everything on before it stops.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { createPublishRecord, encodePublishRecord } from '../../../src/records/publish-record.ts'
import { kindNumber } from '../../../src/store/item-store.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { waitFor } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3

async function seed (net: MemoryNetwork, count: number): Promise<Uint8Array[]> {
  const keys = await Promise.all(Array.from({ length: count }, async (_, i) => (await net.nodes[i % net.nodes.length].put(new Uint8Array(randomBytes(256)))).key))
  await waitFor('every item on its R nearest', () => onNearest(net, keys), 3000)
  return keys
}

async function repairAll (net: MemoryNetwork): Promise<void> {
  await Promise.all(net.nodes.map(async n => n.repair()))
}

const holds = (node: Toyrrent, key: Uint8Array): boolean => node[internals].store.has(key)
/** Every key held by each of its R nearest nodes. */
const onNearest = (net: MemoryNetwork, keys: Uint8Array[]): boolean => keys.every(k => net.nearest(k, R).every(n => holds(n, k)))
/** Nodes holding `key` that are neither among its R nearest nor keeping it pinned (their own user's data). */
const strays = (net: MemoryNetwork, key: Uint8Array): Toyrrent[] =>
  net.nodes.filter(n => holds(n, key) && !net.nearest(key, R).includes(n) && n[internals].store.meta(key)?.pinned !== true)

describe('unit: repair on the in-memory network', () => {
  describe('anti-entropy', () => {
    let net: MemoryNetwork
    let keys: Uint8Array[]
    before(async () => {
      net = await createMemoryNetwork(14)
      keys = await seed(net, 80)
    })
    after(async () => { await net?.stop() })

    it('a round on a network where nothing is missing pushes nothing and costs one digest per neighbour', async () => {
      await repairAll(net)
      const pushed = net.nodes.map(n => n.stats().repair.pushed)
      const before = net.stats.exchanges
      await repairAll(net)
      expect(net.nodes.map(n => n.stats().repair.pushed)).to.deep.equal(pushed)
      const exchanges = net.stats.exchanges - before
      // each node sends at most one digest to each neighbour it shares items with (a dozen at most here)
      expect(exchanges).to.be.at.most(net.nodes.length * (net.nodes.length - 1))
      for (const n of net.nodes) {
        expect(n.stats().repair.underReplicated).to.equal(0)
        expect(n.stats().repair.lastRoundBytes).to.be.below(2000)
      }
    })

    it('a stale replica of a publish item is brought up to date by its neighbours', async () => {
      const owner = await generateKeyPair('Ed25519')
      const { id } = await net.nodes[0].publish(owner, new TextEncoder().encode('v1'))
      const replicaSet = net.nearest(id, R)
      await waitFor('seq 1 on every replica', () => replicaSet.every(n => n[internals].store.meta(id)?.seq === 1n), 2000)
      const record = await createPublishRecord({ privateKey: owner, seq: 2n, value: new TextEncoder().encode('v2') })
      await replicaSet[1][internals].acceptor.accept({ kind: 'publish', key: id, body: encodePublishRecord(record), ttlSeconds: 0 })
      await replicaSet[1].repair()
      expect(replicaSet.map(n => n[internals].store.meta(id)?.seq)).to.deep.equal([2n, 2n, 2n])
    })

    it('a round drops expired items', async () => {
      const node = net.nodes[4]
      const value = new Uint8Array(randomBytes(32))
      const key = hashItemKey(value)
      await node[internals].store.put(key, { kind: kindNumber('hash'), body: value, pinned: false, expiresAt: BigInt(Date.now() - 1), storedAt: 0n, seq: 0n })
      expect(holds(node, key)).to.equal(true)
      await node.repair()
      expect(holds(node, key)).to.equal(false)
    })

    it('after a crash, repair puts every item back on its R nearest live nodes', async () => {
      const victim = net.nodes.find(n => keys.some(k => net.nearest(k, R).includes(n)))!
      const lost = keys.filter(k => net.nearest(k, R).includes(victim))
      await net.remove(victim)
      expect(onNearest(net, lost)).to.equal(false)
      await waitFor('R copies of every item again', async () => {
        await repairAll(net)
        return onNearest(net, keys)
      }, 5000)
    })
  })

  describe('moving items', () => {
    let net: MemoryNetwork
    let keys: Uint8Array[]
    beforeEach(async () => {
      net = await createMemoryNetwork(12)
      keys = await seed(net, 60)
    })
    afterEach(async () => { await net?.stop() })

    it('after a newcomer took over, the node it displaced drops its copy (once the new set confirmed it)', async () => {
      const newcomer = await net.add()
      const share = keys.filter(k => net.nearest(k, R).includes(newcomer))
      expect(share.length).to.be.greaterThan(0)
      // the displaced holders still have their copies: nothing was dropped before a new home confirmed it
      expect(share.some(k => strays(net, k).length > 0)).to.equal(true)
      // round 1 may confirm the newcomer on its handoff acknowledgement alone, which spares a push but
      // never a drop (offload.ts: it may have lost the item since); round 2 asks it, then drops
      await repairAll(net)
      await repairAll(net)
      for (const k of keys) expect(strays(net, k).length, 'a copy outside the replica set').to.equal(0)
      expect(onNearest(net, keys)).to.equal(true)
      expect(net.nodes.reduce((n, node) => n + node.stats().repair.dropped, 0)).to.be.greaterThan(0)
    })

    it('a node that leaves hands everything it holds to the next nearest before it stops', async () => {
      const leaver = net.nodes.reduce((most, n) => n[internals].store.size > most[internals].store.size ? n : most)
      const held = [...leaver[internals].store.metas()].map(m => m.key)
      expect(held.length).to.be.greaterThan(0)
      await net.leave(leaver)
      expect(leaver.isStarted()).to.equal(false)
      expect(net.nodes).to.not.include(leaver)
      // no repair has run: the handoff alone put every item on its R nearest remaining nodes
      const missing = held.filter(k => !net.nearest(k, R).every(n => holds(n, k)))
      expect(missing.length).to.equal(0)
    })

    it('a crash, by contrast, leaves items short of R copies until repair', async () => {
      const victim = net.nodes.reduce((most, n) => n[internals].store.size > most[internals].store.size ? n : most)
      const held = [...victim[internals].store.metas()].map(m => m.key)
      await net.remove(victim)
      expect(held.filter(k => !net.nearest(k, R).every(n => holds(n, k))).length).to.be.greaterThan(0)
    })
  })
})
