/** The self lookup a joined node makes once more shortly after its join (refresh.ts settleAfterJoin). */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { TableRefresher } from '../../../src/service/refresh.ts'
import { SETTLE_LOOKUP_MS } from '../../../src/constants.ts'
import { systemClock } from '../../../src/clock.ts'
import type { Clock, ClockTimer } from '../../../src/clock.ts'

/** A clock whose timers fire only when the test says so. */
function manualClock (): Clock & { fire(): Array<{ ms: number }> } {
  let timers: Array<{ fn: () => void, ms: number, cleared: boolean }> = []
  return {
    ...systemClock,
    setTimeout: (fn, ms) => { const t = { fn, ms, cleared: false }; timers.push(t); return t as ClockTimer },
    clearTimeout: timer => { if (timer != null) (timer as { cleared: boolean }).cleared = true },
    fire: () => {
      const due = timers.filter(t => !t.cleared)
      timers = []
      due.forEach(t => { t.fn() })
      return due.map(t => ({ ms: t.ms }))
    }
  }
}

async function makeRefresher (interval: number): Promise<{ refresher: TableRefresher, clock: ReturnType<typeof manualClock>, lookups: Uint8Array[], table: PeerTable }> {
  const table = new PeerTable(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
  const clock = manualClock()
  const lookups: Uint8Array[] = []
  const refresher = new TableRefresher({ table, bucketSize: 20, interval, log: Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) as any, lookup: async target => { lookups.push(target) }, clock })
  return { refresher, clock, lookups, table }
}

describe('unit: TableRefresher.settleAfterJoin', () => {
  it('looks ourselves up once, SETTLE_LOOKUP_MS after the join, however many joins ask', async () => {
    const { refresher, clock, lookups, table } = await makeRefresher(600_000)
    refresher.start()
    refresher.settleAfterJoin()
    refresher.settleAfterJoin()
    const fired = clock.fire()
    // the periodic round's timer and the one settle timer
    expect(fired.map(t => t.ms).sort((a, b) => a - b)).to.deep.equal([SETTLE_LOOKUP_MS, 600_000])
    await new Promise(resolve => setImmediate(resolve))
    expect(lookups.filter(t => t === table.self)).to.have.length.of.at.least(1)
    refresher.stop()
  })

  it('does nothing when refresh is off (tests and embedders that turn upkeep off get no background lookup)', async () => {
    const { refresher, clock, lookups } = await makeRefresher(0)
    refresher.start()
    refresher.settleAfterJoin()
    expect(clock.fire()).to.deep.equal([])
    expect(lookups).to.deep.equal([])
    refresher.stop()
  })

  it('a stopped refresher schedules nothing', async () => {
    const { refresher, clock } = await makeRefresher(600_000)
    refresher.start()
    refresher.stop()
    refresher.settleAfterJoin()
    expect(clock.fire()).to.deep.equal([])
  })

  it('settled() resolves at once when no settle lookup is due, and once it has run when one is', async () => {
    const { refresher, clock, lookups, table } = await makeRefresher(600_000)
    refresher.start()
    await refresher.settled()
    refresher.settleAfterJoin()
    let settled = false
    const waiting = refresher.settled().then(() => { settled = true })
    await new Promise(resolve => setImmediate(resolve))
    expect(settled, 'before the settle timer fired').to.equal(false)
    clock.fire()
    await waiting
    expect(lookups.filter(t => t === table.self)).to.have.length.of.at.least(1)
    refresher.stop()
  })

  it('settled() resolves when the refresher stops before the settle lookup', async () => {
    const { refresher } = await makeRefresher(600_000)
    refresher.start()
    refresher.settleAfterJoin()
    const waiting = refresher.settled()
    refresher.stop()
    await waiting
  })
})
