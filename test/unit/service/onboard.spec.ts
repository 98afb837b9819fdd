/**
 * Onboarding on the in-memory network: a newcomer joins by itself when it
 * connects (self lookup, then handoff from its neighbours) and holds its
 * share of the items as soon as its join resolves, before any repair runs.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { waitFor } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3

/** Put `count` random items from random nodes and wait until each is on its R nearest. */
async function seed (net: MemoryNetwork, count: number): Promise<Uint8Array[]> {
  const keys = await Promise.all(Array.from({ length: count }, async (_, i) => (await net.nodes[i % net.nodes.length].put(new Uint8Array(randomBytes(256)))).key))
  await waitFor('every item on its R nearest', () => keys.every(k => net.nearest(k, R).every(n => n[internals].store.has(k))), 3000)
  return keys
}

/** The keys `node` is now among the R nearest for. */
const shareOf = (net: MemoryNetwork, node: Toyrrent, keys: Uint8Array[]): Uint8Array[] => keys.filter(k => net.nearest(k, R).includes(node))

describe('unit: onboarding on the in-memory network', () => {
  let net: MemoryNetwork
  let keys: Uint8Array[]

  before(async () => {
    net = await createMemoryNetwork(12)
    keys = await seed(net, 90)
  })
  after(async () => { await net?.stop() })

  it('a newcomer holds its share once its join resolves, and nothing else', async () => {
    const newcomer = await net.add()
    const share = shareOf(net, newcomer, keys)
    expect(share.length, 'a newcomer with no share proves nothing').to.be.greaterThan(0)
    const store = newcomer[internals].store
    expect(share.filter(k => !store.has(k)).length).to.equal(0)
    expect(store.size).to.equal(share.length)
    expect(newcomer.stats().items).to.equal(share.length)
  })

  it('a newcomer whose neighbour is down still joins and takes its share from the others', async () => {
    const down = net.nodes[Math.floor(Math.random() * net.nodes.length)]
    net.down(down)
    try {
      const newcomer = await net.add()
      const live = net.nodes.filter(n => n !== down)
      // items still held by some live node other than the newcomer can be handed over
      const share = shareOf(net, newcomer, keys).filter(k => live.some(n => n !== newcomer && n[internals].store.has(k)))
      expect(share.filter(k => !newcomer[internals].store.has(k)).length).to.equal(0)
    } finally {
      net.up(down)
    }
  })

  it('joining again keeps the same share', async () => {
    const node = net.nodes[net.nodes.length - 1]
    const before = [...node[internals].store.metas()].map(m => m.key.toString()).sort()
    await node.join()
    expect([...node[internals].store.metas()].map(m => m.key.toString()).sort()).to.deep.equal(before)
  })
})
