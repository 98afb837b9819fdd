/**
 * Network size estimate, the arithmetic (the check on real 20- and 60-node
 * networks is in network-upkeep.spec.ts).
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { estimateNetworkSize } from '../../../src/service/size-estimate.ts'

describe('network size estimate', function () {
  this.timeout(60_000)

  it('is 1 alone, 2 with one peer, and near n for n random positions', () => {
    const self = randomBytes(32)
    expect(estimateNetworkSize(self, []).estimate).to.equal(1)
    expect(estimateNetworkSize(self, [randomBytes(32)]).estimate).to.equal(2)
    const estimates = Array.from({ length: 50 }, () => estimateNetworkSize(self, Array.from({ length: 999 }, () => randomBytes(32))).estimate)
    const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length
    expect(mean).to.be.within(800, 1250)
  })
})
