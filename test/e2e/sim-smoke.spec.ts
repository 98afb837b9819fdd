/**
 * The scale simulation runs end to end on a small network and prints a
 * well-formed report: every lookup exact, every item readable before churn,
 * both churn steps measured.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

const run = promisify(execFile)
const SIM = fileURLToPath(new URL('../../scripts/sim.js', import.meta.url))

describe('scale simulation (smoke)', function () {
  this.timeout(120_000)

  it('forms 30 nodes over the memory transport and reports lookups, gets and churn', async () => {
    const { stdout } = await run(process.execPath, [SIM, '--sizes', '30', '--lookups', '20', '--items', '20', '--join-concurrency', '4', '--max-seconds', '90'],
      { timeout: 120_000, maxBuffer: 16 << 20 })
    const r = JSON.parse(stdout).sizes['30']
    expect(r.error).to.equal(undefined)
    expect(r.nodes).to.equal(30)
    expect(r.lookup.count).to.equal(20)
    expect(r.lookup.success).to.equal(1)
    expect(r.lookup.hops.mean).to.be.within(0.5, 5)
    expect(r.put.ok).to.equal(20)
    expect(r.get.readable).to.equal(1)
    expect(r.memory.perNodeRssMiB).to.be.greaterThan(0)
    for (const step of ['killed10pct', 'killed30pct']) {
      expect(r.afterKilling[step].attempted, step).to.equal(20)
      expect(r.afterKilling[step].readable, step).to.be.a('number')
    }
  })
})
