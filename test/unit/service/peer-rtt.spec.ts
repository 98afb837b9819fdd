/**
 * The read hedge in round trips (src/service/peer-rtt.ts): three smoothed RTTs
 * of the slowest peer asked, between HEDGE_MIN_MS and READ_HEDGE_MS, and
 * READ_HEDGE_MS for a peer never measured.
 */
import { expect } from 'chai'
import { HEDGE_MIN_MS, HEDGE_RTTS, PeerRtt } from '../../../src/service/peer-rtt.ts'
import { READ_HEDGE_MS } from '../../../src/constants.ts'

describe('PeerRtt', () => {
  it('hedges an unmeasured peer after READ_HEDGE_MS', () => {
    const rtt = new PeerRtt()
    rtt.record('a', 30)
    expect(rtt.hedgeFor(['b'])).to.equal(READ_HEDGE_MS)
    expect(rtt.hedgeFor(['a', 'b'])).to.equal(READ_HEDGE_MS)
  })

  it('hedges after three round trips of the slowest peer asked, within its bounds', () => {
    const rtt = new PeerRtt()
    rtt.record('a', 30)
    rtt.record('b', 40)
    expect(rtt.hedgeFor(['a'])).to.equal(HEDGE_RTTS * 30)
    expect(rtt.hedgeFor(['a', 'b'])).to.equal(HEDGE_RTTS * 40)
    rtt.record('fast', 0.4)
    expect(rtt.hedgeFor(['fast'])).to.equal(HEDGE_MIN_MS)
    rtt.record('slow', 500)
    expect(rtt.hedgeFor(['slow'])).to.equal(READ_HEDGE_MS)
  })

  it('smooths: one slow answer moves the estimate by an eighth', () => {
    const rtt = new PeerRtt()
    rtt.record('a', 20)
    rtt.record('a', 100)
    expect(rtt.estimate('a')).to.equal(30)
    rtt.record('a', -1)
    rtt.record('a', Number.NaN)
    expect(rtt.estimate('a')).to.equal(30)
  })
})
