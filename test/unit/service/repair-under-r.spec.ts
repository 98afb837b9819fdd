/**
 * Items left under R copies (issue 11): regressions on the in-memory
 * network for the causes found.
 *
 * 1. A clock that reads fractional milliseconds (the virtual-time
 *    simulation's: per-link latencies are fractional) made every repair round
 *    throw in isExpired (BigInt of a non-integer), so after a crash nothing
 *    put the lost copies back: the simulation's "item under R from minute 30
 *    that never heals".
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { systemClock } from '../../../src/clock.ts'
import { isExpired, toItem, worthPassingOn } from '../../../src/store/item-store.ts'
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
})
