/**
 * A peer that is slow is not a peer that is gone. On the in-memory network
 * (real lookups, real PeerRequests and PeerTable): a peer whose answers come
 * after the request deadline, asked again and again and in bursts (as when we
 * queued more on it than it can answer in time), stays in the table, because
 * its late answers are signs of life and a burst of timeouts is one silence;
 * a peer that never answers leaves after MAX_TIMEOUTS silences, and one that
 * refuses the connection at once.
 */
import { expect } from 'chai'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import { MAX_TIMEOUTS } from '../../../src/constants.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

/** The request deadline of every node here; the slow peer answers in 1.5 of it, the hung one never. */
const TIMEOUT_MS = 300

describe('unit: slow peers stay, silent peers leave (in-memory network)', function () {
  this.timeout(60_000)
  let net: MemoryNetwork
  let asker: Toyrrent
  let slow: Toyrrent
  let hung: Toyrrent

  beforeEach(async () => {
    net = await createMemoryNetwork(8, { requestTimeout: TIMEOUT_MS })
    ;[asker, slow, hung] = net.nodes
    const slowId = net.peerId(slow)
    const hungId = net.peerId(hung)
    net.setDelay((_from, to) => to.equals(slowId) ? TIMEOUT_MS * 1.5 : to.equals(hungId) ? 600_000 : 0)
  })
  afterEach(async () => { await net?.stop() })

  const inTable = (node: Toyrrent): boolean => asker[internals].table.get(net.peerId(node)) != null
  /** A lookup of the node's own position: it is the first peer asked. */
  const lookUp = async (node: Toyrrent): Promise<void> => { await asker.findBeforeN(peerPosition(net.peerId(node)), 3) }

  it('a peer that answers after the deadline stays, asked one after another and in bursts', async () => {
    expect(inTable(slow)).to.equal(true)
    for (let i = 0; i < MAX_TIMEOUTS * 3; i++) {
      await lookUp(slow)
      expect(inTable(slow), `after lookup ${i + 1}`).to.equal(true)
    }
    // a burst: many requests queued on it at once all time out together
    await Promise.all(Array.from({ length: MAX_TIMEOUTS * 4 }, async () => { await lookUp(slow) }))
    expect(inTable(slow), 'after a burst').to.equal(true)
    await lookUp(slow)
    expect(inTable(slow)).to.equal(true)
  })

  it(`a peer that never answers leaves after ${MAX_TIMEOUTS} silences, a burst counting as one`, async () => {
    expect(inTable(hung)).to.equal(true)
    await Promise.all(Array.from({ length: MAX_TIMEOUTS * 4 }, async () => { await lookUp(hung) }))
    expect(inTable(hung), 'after one burst').to.equal(true)
    let lookups = 0
    // the count may start over when this process was too busy to time a request fairly, so: until it left, within bounds
    while (inTable(hung) && lookups < MAX_TIMEOUTS * 4) {
      await lookUp(hung)
      lookups++
    }
    expect(inTable(hung)).to.equal(false)
    expect(lookups).to.be.at.least(MAX_TIMEOUTS - 1)
  })

  it('a peer that refuses the connection leaves at once', async () => {
    const gone = net.nodes[3]
    net.down(gone)
    await lookUp(gone)
    expect(inTable(gone)).to.equal(false)
  })
})
