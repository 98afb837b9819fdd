/**
 * A join is many requests (a self lookup, then handoff from each neighbour
 * beside a request per far band). On a busy machine every peer answers, just slowly, and the
 * whole join takes longer than one operation timeout: it must still finish.
 * It fails only when no peer answers for an operation timeout, or when the
 * caller's own deadline passes. In-memory network, every exchange delayed.
 */
import { expect } from 'chai'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'

/** Each exchange of the newcomer's join takes this long; its operation timeout is a few of them. */
const DELAY_MS = 100
const OPERATION_TIMEOUT_MS = 250

describe('unit: a slow join finishes while peers answer, and still has a deadline', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  beforeEach(async () => {
    net = await createMemoryNetwork(16)
    net.setDelay(DELAY_MS)
  })
  afterEach(async () => { await net?.stop() })

  it('a join that takes longer than an operation timeout, every peer answering, succeeds and fills the table', async () => {
    const started = performance.now()
    const newcomer = await net.add({ operationTimeout: OPERATION_TIMEOUT_MS })
    const took = performance.now() - started
    expect(took, 'the join must outlast one operation timeout for this test to mean anything').to.be.greaterThan(OPERATION_TIMEOUT_MS * 1.5)
    expect(newcomer[internals].table.size).to.equal(net.nodes.length - 1)
  })

  it('a join fails once no peer has answered for an operation timeout', async () => {
    // the bootstrap connection is made, then every request goes unanswered (well past the stall)
    net.setDelay(600_000)
    const started = performance.now()
    const error = await net.add({ operationTimeout: OPERATION_TIMEOUT_MS, requestTimeout: 60_000 }).then(() => undefined, (err: Error) => err)
    expect(error?.name).to.equal('TimeoutError')
    expect(performance.now() - started).to.be.lessThan(OPERATION_TIMEOUT_MS * 8)
  })

  it("a join that keeps getting answers still ends at the caller's deadline", async () => {
    const started = performance.now()
    // a member joining again: its neighbours' answers and then their handoff take two delayed exchanges at least
    const error = await net.nodes[0].join({ timeout: DELAY_MS * 1.5 }).then(() => undefined, (err: Error) => err)
    expect(error?.name).to.equal('TimeoutError')
    expect(performance.now() - started).to.be.lessThan(OPERATION_TIMEOUT_MS * 4)
  })
})
