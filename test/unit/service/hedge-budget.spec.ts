/**
 * A read hedges (asks a second holder) when the first is slow to answer, but
 * at most a tenth of reads may: on an overloaded node every answer is late,
 * and hedging every read doubled its requests and loaded it further. In-memory
 * network; every exchange delayed past the hedge, or one holder slow.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { HEDGE_BURST, HEDGE_SHARE } from '../../../src/service/peer-rtt.ts'
import { DEFAULT_ALPHA } from '../../../src/constants.ts'
import { waitFor } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3
const ITEMS = 80

/** Count the FETCH requests `node` sends. */
function countFetches (node: Toyrrent): { count: number } {
  const counter = { count: 0 }
  const rpc = (node[internals] as any).rpc
  const fetch = rpc.fetch.bind(rpc)
  rpc.fetch = async (...args: unknown[]) => {
    counter.count++
    return fetch(...args)
  }
  return counter
}

describe('unit: read hedges within a budget (in-memory network)', function () {
  this.timeout(60_000)
  let net: MemoryNetwork
  let values: Map<string, Uint8Array>
  let reader: Toyrrent

  beforeEach(async () => {
    net = await createMemoryNetwork(10)
    values = new Map()
    for (let i = 0; i < ITEMS; i++) {
      const value = new Uint8Array(randomBytes(200))
      const { key } = await net.nodes[i % 10].put(value)
      values.set(Buffer.from(key).toString('hex'), value)
    }
    await waitFor('every item on its R nearest', () => [...values.keys()].every(k => net.nearest(Buffer.from(k, 'hex'), R).every(n => n[internals].store.has(Buffer.from(k, 'hex')))), 5000)
    // the node holding the fewest items reads: most of its reads go over the network
    reader = net.nodes.reduce((a, b) => b[internals].store.size < a[internals].store.size ? b : a)
  })
  afterEach(async () => { await net?.stop() })

  const remoteKeys = (): Uint8Array[] => [...values.keys()].map(k => new Uint8Array(Buffer.from(k, 'hex'))).filter(k => !reader[internals].store.has(k))

  it('when every answer is late, reads hedge no more than their share', async () => {
    const keys = remoteKeys()
    expect(keys.length, 'reads that go over the network').to.be.greaterThan(40)
    net.setDelay(150)
    const fetches = countFetches(reader)
    const got = await Promise.all(keys.map(async key => reader.get(key)))
    got.forEach((value, i) => { expect(value).to.deep.equal(values.get(Buffer.from(keys[i]).toString('hex'))) })
    // a hedge widens the read to alpha queries at once: up to alpha - 1 more FETCHes each
    const allowed = keys.length + (DEFAULT_ALPHA - 1) * (HEDGE_BURST + HEDGE_SHARE * keys.length)
    expect(fetches.count, `${fetches.count} FETCHes for ${keys.length} gets`).to.be.at.most(allowed)
  })

  it('a read whose nearest holder is slow still hedges to another and returns well before it answers', async () => {
    const [key] = remoteKeys()
    const nearest = net.nearest(key, R).filter(n => n !== reader)[0]
    const slowId = net.peerId(nearest)
    net.setDelay((_from, to) => to.equals(slowId) ? 3_000 : 0)
    const started = performance.now()
    expect(await reader.get(key)).to.deep.equal(values.get(Buffer.from(key).toString('hex')))
    expect(performance.now() - started).to.be.lessThan(1_500)
  })
})
