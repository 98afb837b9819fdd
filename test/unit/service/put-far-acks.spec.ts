/**
 * A hash put acknowledged far from its key is not taken for placed (issue
 * 13, 200 nodes): with thin tables a writer, and the peers it stored on,
 * may all lack the key's neighbourhood, so the store answers name no nearer
 * peer and W acknowledgements came from the 30th and 31st nearest nodes
 * (1 put in 400 at 200 nodes; a read of the 3 nearest then finds nothing).
 * The writer checks the acknowledgers against the distance a network of its
 * estimated size puts the R nearest at (Neighbourhood.mayMiss), and looks
 * the replica set up when they are too far.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { sha256 } from '../../../src/keyspace.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3
const W = 2
const NODES = 100
/** The nearest nodes to the key the writer and the peers it stores on first do not know. */
const HIDDEN = 20

describe('unit: a put acknowledged far from its key (in-memory network)', function () {
  this.timeout(60_000)
  let net: MemoryNetwork
  // every node knows every other (no band is full); forwarded puts off, so the writer's own view decides
  beforeEach(async () => { net = await createMemoryNetwork(NODES, { bucketSize: 1000, forwardPuts: false, refreshInterval: 0, repairInterval: 0 }) })
  afterEach(async () => { await net?.stop() })

  it('looks the replica set up and stores there, when its view and its first replicas know nothing nearer', async () => {
    const value = new Uint8Array(randomBytes(200))
    const key = sha256(value)
    const byDistance = net.nearest(key)
    const hidden = byDistance.slice(0, HIDDEN)
    const writer = byDistance.at(-1)!
    // the writer's view and the replicas it stores on first (its R nearest then) miss the HIDDEN nearest
    const misled: Toyrrent[] = [writer, ...byDistance.slice(HIDDEN, HIDDEN + R)]
    for (const n of misled) for (const h of hidden) n[internals].table.remove(net.peerId(h))
    const { stored } = await writer.put(value)
    const replicaSet = new Set(byDistance.slice(0, R).map(n => net.peerId(n).toString()))
    const fromReplicaSet = stored.filter(p => replicaSet.has(p.toString()))
    expect(fromReplicaSet.length, `acknowledgements from the ${R} nearest (of ${stored.length})`).to.be.at.least(W)
    // and a reader that asks only the replica set finds it
    const reader = byDistance[HIDDEN + 10]
    expect(await reader.get(key)).to.deep.equal(value)
  })
})
