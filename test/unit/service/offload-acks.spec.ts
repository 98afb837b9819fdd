/**
 * A newcomer's handoff acknowledgement spares the node that handed an item
 * over one push, never a drop (src/service/offload.ts): the newcomer may have
 * lost the item since it acknowledged it (a restart that lost recent writes,
 * a drop of its own), and a node that dropped its copy on the strength of
 * that old acknowledgement left the item on R − 1 nodes. Before the fix, an
 * acknowledgement counted as the newcomer holding the item until the item
 * was dropped.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { waitFor } from '../helpers.ts'
import { hexKey } from '../../../src/bytes.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'

const R = 3

describe('unit: offloading after a handoff acknowledgement', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  before(async () => { net = await createMemoryNetwork(12, { trialPeriod: 1, repairInterval: 3600_000 }) })
  after(async () => { await net?.stop() })

  it('an item the newcomer acknowledged and then lost stays on R nodes while the pushed-out node offloads', async () => {
    const keys = await Promise.all(Array.from({ length: 90 }, async (_, i) => (await net.nodes[i % net.nodes.length].put(new Uint8Array(randomBytes(256)))).key))
    await waitFor('every item on its R nearest', () => keys.every(k => net.nearest(k, R).every(n => n[internals].store.has(k))), 5000)
    const before = new Map(keys.map(k => [k, net.nearest(k, R)]))
    const newcomer = await net.add({ trialPeriod: 1, repairInterval: 3600_000 })
    const share = keys.filter(k => net.nearest(k, R).includes(newcomer))
    expect(share.length, 'a newcomer with no share proves nothing').to.be.greaterThan(0)
    await waitFor('the newcomer holds its share (and acknowledged it)', () => share.every(k => newcomer[internals].store.has(k)), 5000)
    // the newcomer loses what it acknowledged
    for (const k of share) await newcomer[internals].store.delete(k)
    // X: a node the newcomer pushed out of some items' replica sets, holding the newcomer's acknowledgement of them
    // (private state, read for the test). Only X runs repair: the replica sets' own repair would heal the newcomer and hide the fault
    const newcomerKey = net.peerId(newcomer).toString()
    const ackedAt = (x: (typeof net.nodes)[number], k: Uint8Array): boolean => (x as any).repairer.offloader.acked.get(hexKey(k))?.has(newcomerKey) === true
    const candidates = net.nodes.filter(x => x !== newcomer).map(x => ({ x, keys: share.filter(k => before.get(k)!.includes(x) && !net.nearest(k, R).includes(x) && ackedAt(x, k)) }))
    const { x, keys: acknowledged } = candidates.sort((a, b) => b.keys.length - a.keys.length)[0]
    expect(acknowledged.length, 'no pushed-out node holds an acknowledgement: the test proves nothing').to.be.greaterThan(0)
    // copies on the replica set and on X (a writer's own pinned copy elsewhere does not count)
    const holders = (k: Uint8Array): number => [...net.nearest(k, R), x].filter(n => n[internals].store.has(k)).length
    // rounds 1 to 3: the trial period (1 ms) passes between them, so a node that counts the old
    // acknowledgement drops its copy in round 2; one that asks first pushes in round 2 and drops after
    for (let round = 1; round <= 3; round++) {
      await x.repair()
      const under = acknowledged.filter(k => holders(k) < R)
      expect(under.length, `items on fewer than ${R} nodes after round ${round} of the pushed-out node's repair`).to.equal(0)
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    expect(acknowledged.filter(k => !newcomer[internals].store.has(k)).length, 'the newcomer got the items back').to.equal(0)
  })
})
