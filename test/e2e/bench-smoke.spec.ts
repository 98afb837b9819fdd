/**
 * The benchmark harness runs end to end on a tiny network and prints a
 * well-formed report: both implementations, every phase, all reads right.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

const run = promisify(execFile)
const BENCH = fileURLToPath(new URL('../../scripts/bench.js', import.meta.url))

async function bench (...extra: string[]): Promise<any> {
  const { stdout } = await run(process.execPath, [BENCH, '--nodes', '5', '--puts', '5', '--concurrent-ops', '20', '--concurrency', '4',
    '--phase-budget-s', '10', '--max-seconds', '60', '--no-floor', ...extra], { timeout: 60_000, maxBuffer: 16 << 20 })
  return JSON.parse(stdout)
}

describe('bench harness (smoke)', function () {
  this.timeout(60_000)

  it('compares toyrrent with hyperdht, bittorrent-dht and kad-dht in one process', async () => {
    const report = await bench()
    expect(report.errors).to.equal(undefined)
    for (const impl of ['toyrrent', 'hyperdht', 'bittorrent-dht', 'kad-dht']) {
      const r = report.results[impl]
      expect(r.nodes).to.equal(5)
      expect(r.formMs).to.be.greaterThan(0)
      expect(r.memoryIdle.perNodeRssMiB).to.be.greaterThan(0)
      for (const phase of ['put', 'get', 'getConcurrent']) {
        expect(r[phase].attempted, `${impl} ${phase}`).to.be.greaterThan(0)
        expect(r[phase].successRate, `${impl} ${phase}`).to.equal(1)
        expect(r[phase].latencyMs.p50).to.be.a('number')
      }
      expect(r.getConcurrent.opsPerSec).to.be.greaterThan(0)
    }
    for (const other of ['hyperdht', 'bittorrent-dht', 'kad-dht']) expect(report.comparison['get p50 ms'][`toyrrentVs_${other}`]).to.be.a('number')
  })

  it('runs one process per node with --procs', async () => {
    const report = await bench('--procs', '--impl', 'toyrrent', '--nodes', '3', '--no-publish')
    const r = report.results.toyrrent
    expect(r.procs).to.equal(true)
    expect(r.memoryIdle.processes).to.equal(3)
    expect(r.get.successRate).to.equal(1)
    expect(r.ipcRoundTripMs.count).to.be.greaterThan(0)
  })
})
