/**
 * `GET /v1/stats/history` on a real API over real nodes: the samples come from
 * the node's own /metrics counters (a store request the node answered shows
 * up), `since` keeps the newer ones, a bad `since` is a 400, and a node that
 * keeps no history answers 404 rather than an empty chart.
 */
import assert from 'node:assert/strict'
import { ApiServer } from '../../src/api/http-server.ts'
import { attachStatsHistory, StatsHistory } from '../../src/daemon/stats-history.ts'
import { startApiPair } from '../helpers/api.ts'
import { waitFor } from '../helpers/wait.ts'
import type { StatsHistoryResponse } from '../../src/daemon/stats-history.ts'
import type { ApiPair } from '../helpers/api.ts'

describe('GET /v1/stats/history', function () {
  this.timeout(60_000)
  let pair: ApiPair
  let history: StatsHistory

  before(async () => {
    pair = await startApiPair({ first: { metrics: true, replicas: 2 }, second: { replicas: 2 } })
    const metrics = pair.nodes[0].metrics
    assert.ok(metrics != null)
    history = new StatsHistory({ metrics, intervalMs: 100 })
    attachStatsHistory(pair.nodes[0], history)
    await history.start()
  })

  after(async () => {
    history?.stop()
    await pair?.stop()
  })

  const get = async (query = ''): Promise<Response> => await fetch(`http://${pair.api}/v1/stats/history${query}`, { signal: AbortSignal.timeout(5_000) })

  it('samples the counters /metrics shows: a store the node answered raises `requests`', async () => {
    const start = await (await get()).json() as StatsHistoryResponse
    assert.equal(start.intervalMs, 100)
    assert.ok(start.samples.length >= 1)
    const before = start.samples[start.samples.length - 1]
    // the second node's put is stored on the first: an inbound store request there
    await pair.nodes[1].toyrrent.put(new TextEncoder().encode(`history ${Date.now()}`))
    let after: StatsHistoryResponse | undefined
    await waitFor('a sample with the store in it', async () => {
      after = await (await get(`?since=${before.t}`)).json() as StatsHistoryResponse
      return after.samples.some(s => s.requests > before.requests)
    })
    assert.ok(after != null && after.samples.every(s => s.t > before.t), 'since keeps only newer samples')
    const text = await (await fetch(`http://${pair.api}/metrics`)).text()
    const stores = [...text.matchAll(/^toyrrent_rpc_store_requests_total\{outcome="ok"\} (\d+)/gm)].map(m => Number(m[1]))
    assert.ok(stores.length === 1 && stores[0] >= 1, 'the same counter on /metrics')
  })

  it('a `since` that is not a time is a 400; a node without history a 404', async () => {
    const bad = await get('?since=yesterday')
    assert.equal(bad.status, 400)
    assert.equal((await bad.json() as { error: { code: string } }).error.code, 'bad-input')
    const other = new ApiServer({ node: pair.nodes[1], port: 0 })
    await other.start()
    try {
      const none = await fetch(`http://${other.hostPort}/v1/stats/history`)
      assert.equal(none.status, 404)
      assert.equal((await none.json() as { error: { code: string } }).error.code, 'not-found')
    } finally {
      await other.stop()
    }
  })
})
