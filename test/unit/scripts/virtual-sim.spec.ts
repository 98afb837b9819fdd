/**
 * The virtual-time simulation (scripts/lib/virtual-sim.ts): 1,000 real
 * services on the memory network under a simulated clock, with churn and
 * repair, finishing in seconds of wall time; and the same seed giving the
 * same report (a different seed a different one).
 */
import { expect } from 'chai'
import { runVirtualSim, VIRTUAL_DEFAULTS } from '../../../scripts/lib/virtual-sim.ts'
import type { VirtualSimOptions, VirtualSimReport } from '../../../scripts/lib/virtual-sim.ts'

const small = (nodes: number, seed: number): VirtualSimOptions => ({
  ...VIRTUAL_DEFAULTS,
  nodes,
  seed,
  items: 30,
  lookups: 30,
  gets: 30,
  freshJoins: 3,
  churnMinutes: 10,
  churnPerHour: { joins: 0.12, crashes: 0.12, leaves: 0.12 }
})

/** The report without its wall-clock figures. */
function simulated (r: VirtualSimReport): Omit<VirtualSimReport, 'wallSeconds'> {
  const { wallSeconds: _, ...rest } = r
  return rest
}

describe('virtual-time simulation', function () {
  this.timeout(300_000)

  it('1,000 nodes: exact lookups, every put and get succeeds, nothing is lost through 10 minutes of churn with repair', async () => {
    const r = await runVirtualSim(small(1000, 7))
    expect(r.put.ok).to.equal(30)
    expect(r.get.successRate).to.equal(1)
    expect(r.lookup.done).to.equal(30)
    expect(r.lookup.exactness).to.be.at.least(0.95)
    expect(r.join.done).to.equal(3)
    // 0.12 of 1,000 nodes per hour of each kind over 10 minutes
    expect(r.churn.events).to.deep.equal({ joins: 20, crashes: 20, leaves: 20 })
    expect(r.churn.samples.length).to.equal(3)
    for (const s of r.churn.samples) {
      expect(s.itemsLost).to.equal(0)
      expect(s.getSuccess).to.be.at.least(0.95)
    }
    // repair ran: with copies lost to crashes, something was exchanged to restore them
    expect(r.churn.repairBytesPerNodePerHour).to.be.greaterThan(0)
    // the clock is virtual: 10 minutes of churn and more passed in far less wall time
    expect(r.virtualSeconds.churn).to.be.at.least(600)
    expect(r.wallSeconds.churn).to.be.below(r.virtualSeconds.churn)
  })

  it('the same seed gives the same report; another seed another one', async () => {
    const a = await runVirtualSim(small(150, 3))
    const b = await runVirtualSim(small(150, 3))
    const c = await runVirtualSim(small(150, 4))
    expect(simulated(b)).to.deep.equal(simulated(a))
    expect(simulated(c)).to.not.deep.equal(simulated(a))
  })
})
