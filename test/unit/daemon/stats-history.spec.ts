/**
 * The dashboard's memory of the request counters (src/daemon/stats-history.ts):
 * what a sample reads from Prometheus text, a ring that never grows past its
 * span, `since`, and a failed reading that leaves a gap rather than a dead timer.
 */
import assert from 'node:assert/strict'
import { countersOf, StatsHistory } from '../../../src/daemon/stats-history.ts'

const TEXT = `# HELP toyrrent_rpc_store_requests_total inbound store requests by outcome
# TYPE toyrrent_rpc_store_requests_total counter
toyrrent_rpc_store_requests_total{outcome="ok"} 5
toyrrent_rpc_store_requests_total{outcome="busy"} 2
toyrrent_rpc_find_before_n_requests_total{outcome="ok"} 10
toyrrent_rpc_unknown_requests_total 1
toyrrent_rpc_streams_reset_total 99
toyrrent_lookup_duration_seconds_bucket{le="0.005"} 1
toyrrent_lookup_duration_seconds_sum 0.75
toyrrent_lookup_duration_seconds_count 3
toyrrent_lookup_hops_sum 7
libp2p_toyrrent_rpc_x_requests_total 1000
`

describe('stats history', () => {
  it('reads every toyrrent_rpc_<type>_requests_total, and the lookup duration sum and count, nothing else', () => {
    assert.deepEqual(countersOf(TEXT), { requests: 18, lookups: 3, lookupSeconds: 0.75 })
    assert.deepEqual(countersOf(''), { requests: 0, lookups: 0, lookupSeconds: 0 })
  })

  it('keeps at most span / interval + 1 samples, oldest first, and answers `since` with the newer ones', async () => {
    let now = 1_000_000
    let requests = 0
    const history = new StatsHistory({
      metrics: async () => `toyrrent_rpc_store_requests_total{outcome="ok"} ${requests}\n`,
      intervalMs: 2_000,
      spanMs: 10_000,
      now: () => now
    })
    for (let i = 0; i < 20; i++) {
      requests = i * 3
      await history.sample()
      now += 2_000
    }
    const samples = history.samples()
    assert.equal(samples.length, 6)
    assert.deepEqual(samples.map(s => s.requests), [42, 45, 48, 51, 54, 57])
    assert.deepEqual(samples.map(s => s.t), samples.map(s => s.t).sort((a, b) => a - b))
    assert.deepEqual(history.samples(samples[3].t).map(s => s.requests), [54, 57])
    const json = history.toJSON()
    assert.equal(json.now, now)
    assert.equal(json.intervalMs, 2_000)
    assert.equal(json.spanMs, 10_000)
  })

  it('a failed reading is skipped; the next one is taken', async () => {
    let fail = true
    const history = new StatsHistory({ metrics: async () => { if (fail) throw new Error('registry gone'); return '' } })
    await history.sample()
    assert.equal(history.samples().length, 0)
    fail = false
    await history.sample()
    assert.equal(history.samples().length, 1)
  })

  it('start() takes a first sample at once; stop() ends the timer', async () => {
    let reads = 0
    const history = new StatsHistory({ metrics: async () => { reads++; return '' }, intervalMs: 60_000 })
    await history.start()
    assert.equal(reads, 1)
    assert.equal(history.samples().length, 1)
    history.stop()
  })
})
