/**
 * Items left under R copies (issue 11): regressions on the in-memory
 * network for the causes found.
 *
 * 1. A clock that reads fractional milliseconds (the virtual-time
 *    simulation's: per-link latencies are fractional) made every repair round
 *    throw in isExpired (BigInt of a non-integer), so after a crash nothing
 *    put the lost copies back: the simulation's "item under R from minute 30
 *    that never heals".
 * 2. A node its peers dropped while it was paused (three timeouts) but whose
 *    connections stayed open was never learned again: a table learned peers
 *    only from new connections and from answers to its own requests, so the
 *    nodes that dropped it kept placing new items on the next nearest and
 *    never pushed them to it, though it sent them digests every round (the
 *    chaos test's "2 of 3 replicas hold it" after pauses of joined nodes).
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { systemClock } from '../../../src/clock.ts'
import { isExpired, toItem, worthPassingOn } from '../../../src/store/item-store.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { waitFor } from '../helpers.ts'
import type { Clock } from '../../../src/clock.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3
const holds = (node: Toyrrent, key: Uint8Array): boolean => node[internals].store.has(key)
const onNearest = (net: MemoryNetwork, keys: Uint8Array[]): boolean => keys.every(k => net.nearest(k, R).every(n => holds(n, k)))

describe('unit: items under R copies (issue 11)', function () {
  this.timeout(30_000)

  describe('a clock with sub-millisecond readings', () => {
    /** The system clock, a quarter of a millisecond on: what a simulated clock with fractional latencies reads. */
    const fractional: Clock = { ...systemClock, now: () => Date.now() + 0.25 }
    let net: MemoryNetwork | undefined
    afterEach(async () => { await net?.stop() })

    it('expiry checks and lifetimes accept a fractional now', () => {
      const stored = { kind: 0, body: new Uint8Array(1), pinned: false, expiresAt: BigInt(Date.now() + 10_000), storedAt: 0n, seq: 0n }
      expect(isExpired(stored, Date.now() + 0.5)).to.equal(false)
      expect(isExpired(stored, Date.now() + 20_000.5)).to.equal(true)
      expect(worthPassingOn(stored, Date.now() + 0.5)).to.equal(true)
      expect(toItem(new Uint8Array(32), stored, Date.now() + 0.5).ttlSeconds).to.be.within(9, 10)
    })

    it('repair rounds complete and put a crashed node\'s items back on R nodes', async () => {
      net = await createMemoryNetwork(10, { clock: fractional })
      const nodes = net.nodes
      const keys = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await nodes[i % nodes.length].put(new Uint8Array(randomBytes(128)))).key))
      await waitFor('every item on its R nearest', () => onNearest(net!, keys), 3000)
      const victim = nodes.find(n => keys.some(k => net!.nearest(k, R).includes(n)))!
      await net.remove(victim)
      expect(onNearest(net, keys)).to.equal(false)
      for (const node of net.nodes) {
        const stats = await node.repair()
        expect(stats.rounds, 'a round that ran to its end').to.equal(1)
      }
      await waitFor('R copies of every item again', async () => {
        await Promise.all(net!.nodes.map(async n => n.repair()))
        return onNearest(net!, keys)
      }, 5000)
    })
  })

  describe('a node its peers dropped while its connections stayed open', () => {
    let net: MemoryNetwork | undefined
    afterEach(async () => { await net?.stop() })

    it('is learned again from the digests it sends, and gets the items put meanwhile', async () => {
      net = await createMemoryNetwork(10)
      const returning = net.nodes[3]
      const writers = net.nodes.filter(n => n !== returning)
      // items it holds from before: it shares them with its neighbours, so its repair rounds send them digests
      const before = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await writers[i % writers.length].put(new Uint8Array(randomBytes(64)))).key))
      expect(before.some(k => holds(returning, k))).to.equal(true)
      // every peer timed out on it three times and dropped it (the connections stay: no new onConnect)
      for (const n of writers) n[internals].table.remove(net.peerId(returning))
      // items put meanwhile that belong on it, written by nodes that no longer know it
      const keys: Uint8Array[] = []
      for (let i = 0; keys.length < 4 && i < 400; i++) {
        const value = new Uint8Array(randomBytes(64))
        const key = hashItemKey(value)
        if (!net.nearest(key, R).includes(returning)) continue
        await writers[i % writers.length].put(value)
        keys.push(key)
      }
      expect(keys.length).to.equal(4)
      expect(keys.some(k => holds(returning, k)), 'written past it').to.equal(false)
      // repair rounds everywhere, the returning node's included (it sends digests to the peers it shares items with)
      await waitFor('the items put meanwhile on their R nearest, the returning node included', async () => {
        await Promise.all(net!.nodes.map(async n => n.repair()))
        return onNearest(net!, keys)
      }, 5000)
    })
  })
})

