/** When a file's block gets hedge: the service's default on a quiet start, a multiple of what gets have been taking once they are slow, capped. */
import { expect } from 'chai'
import { BlockLatency, HEDGE_LATENCY_FACTOR, MAX_HEDGE_MS } from '../../../src/files/hedge.ts'
import { READ_HEDGE_MS } from '../../../src/constants.ts'

describe('files: hedge delay of block gets', () => {
  it('is the service default before any get and while gets are fast', () => {
    const latency = new BlockLatency()
    expect(latency.hedgeMs()).to.equal(READ_HEDGE_MS)
    for (let i = 0; i < 20; i++) latency.observe(5)
    expect(latency.hedgeMs()).to.equal(READ_HEDGE_MS)
  })

  it('follows slow gets (a busy window) and comes back when they are fast again', () => {
    const latency = new BlockLatency()
    for (let i = 0; i < 50; i++) latency.observe(400)
    expect(latency.hedgeMs()).to.be.closeTo(HEDGE_LATENCY_FACTOR * 400, 5)
    for (let i = 0; i < 50; i++) latency.observe(10)
    expect(latency.hedgeMs()).to.equal(READ_HEDGE_MS)
  })

  it('never waits longer than the cap for a silent holder', () => {
    const latency = new BlockLatency()
    for (let i = 0; i < 50; i++) latency.observe(60_000)
    expect(latency.hedgeMs()).to.equal(MAX_HEDGE_MS)
  })
})
