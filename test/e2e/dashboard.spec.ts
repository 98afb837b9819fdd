/**
 * The web dashboard in a real browser: Debian's chromium, headless, driven by
 * playwright-core, against a real network of 5 daemon processes on loopback.
 * The page must load without console errors, show the peer count and the
 * distance bands the node's own API reports, and a value put through the page
 * must be readable through the CLI on another node, and the request charts
 * must reach back to before the page was opened (the daemon's own history).
 * The screenshot is saved to test-artifacts/dashboard.png.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { ToyrrentClient } from '../../src/api/client.ts'
import { startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import type { TableResponse } from '../../src/api/types.ts'
import type { StatsHistoryResponse } from '../../src/daemon/stats-history.ts'
import type { DaemonProcess } from '../helpers/cli.ts'
import type { Browser, Page } from 'playwright-core'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url)
const NODES = 5

describe('web dashboard in headless chromium', function () {
  this.timeout(120_000)
  let root: string
  const daemons: DaemonProcess[] = []
  let browser: Browser
  let page: Page
  const consoleErrors: string[] = []
  /** Node 0's history as it stood just before the page was opened. */
  let beforeOpen: StatsHistoryResponse

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`)
    root = await mkdtemp(join(tmpdir(), 'toyrrent-dashboard-'))
    daemons.push(await startDaemonProcess(join(root, 'n0'), ['--repair-interval', '2']))
    for (let i = 1; i < NODES; i++) {
      daemons.push(await startDaemonProcess(join(root, `n${i}`), ['--bootstrap', daemons[0].multiaddrs[0], '--repair-interval', '2']))
    }
    const client = new ToyrrentClient(daemons[0].api)
    await waitFor('node 0 to have the 4 others in its table', async () => (await client.stats()).peers === NODES - 1, 60_000)
    // a lookup on node 0 and a few samples of it in node 0's history, all before the page exists
    await client.put(new TextEncoder().encode(`before the page ${Date.now()}`))
    await waitFor('node 0\'s history to hold the put\'s lookup and a few samples', async () => {
      beforeOpen = await (await fetch(`http://${daemons[0].api}/v1/stats/history`)).json() as StatsHistoryResponse
      const { samples } = beforeOpen
      return samples.length >= 4 && samples[samples.length - 1].lookups > samples[0].lookups
    }, 60_000)
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] })
    page = await browser.newPage({ viewport: { width: 1280, height: 1100 } })
    page.on('console', msg => { if (msg.type() === 'error') consoleErrors.push(msg.text()) })
    page.on('pageerror', err => { consoleErrors.push(`page error: ${err.message}`) })
    await page.goto(`http://${daemons[0].api}/`)
  })

  after(async () => {
    await browser?.close()
    await Promise.all(daemons.map(async d => await d.stop('SIGKILL')))
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('shows who the node is and the peer count of its routing table', async () => {
    await page.waitForFunction(() => Number((globalThis as any).document.body.dataset.polls ?? 0) >= 2, undefined, { timeout: 30_000 })
    assert.equal(await page.textContent('#peer-id'), daemons[0].peerId)
    assert.equal(await page.textContent('#peer-count'), String(NODES - 1))
    const addresses = await page.$$eval('#addresses code', els => els.map(e => e.textContent))
    assert.deepEqual(addresses.sort(), [...daemons[0].multiaddrs].sort())
    assert.equal(await page.locator('#peers tr').count(), NODES - 1)
    assert.match(await page.textContent('#size-estimate') ?? '', /^~\d+$/)
    assert.match(await page.textContent('#size-detail') ?? '', /likely \d+ to \d+ nodes, from the distances to the 4 nearest peers/)
  })

  it('draws one bar per distance band, with the counts the API reports', async () => {
    const table = await (await fetch(`http://${daemons[0].api}/v1/table`)).json() as TableResponse
    await page.waitForFunction(() => Number((globalThis as any).document.body.dataset.polls ?? 0) >= 3)
    const bars = await page.$$eval('#bands rect[data-count]:not([data-count="0"])', els => els.map(e => [Number(e.getAttribute('data-band')), Number(e.getAttribute('data-count'))]))
    assert.deepEqual(bars.sort((a, b) => b[0] - a[0]), table.bands.map(b => [b.band, b.peers.length]))
    assert.equal(bars.reduce((n, [, count]) => n + count, 0), NODES - 1)
  })

  it('puts text through the page; the CLI reads it from another node', async () => {
    const value = `from the dashboard ${Date.now()}`
    await page.fill('#put-value', value)
    await page.click('#put-form button')
    await page.waitForSelector('#put-result[data-cid]')
    const cid = await page.getAttribute('#put-result', 'data-cid')
    assert.match(cid ?? '', /^bafkrei/)
    const got = await toyrrent(['get', cid ?? '', '--api', daemons[3].api])
    assert.equal(got.code, 0, got.stderr)
    assert.equal(got.stdout.toString(), value)

    await page.fill('#get-key', cid ?? '')
    await page.click('#get-form button')
    await page.waitForFunction(expected => (globalThis as any).document.getElementById('get-result')?.textContent === expected, value)
  })

  it('shows a refused get as an error on the page, not a crash', async () => {
    await page.fill('#get-key', 'not-a-key')
    await page.click('#get-form button')
    await page.waitForSelector('#get-result.error')
    assert.match(await page.textContent('#get-result') ?? '', /key|CID|hex/i)
  })

  it('adds a file through the page (files feature detected); the CLI cats it and the page downloads it', async () => {
    assert.equal(await page.isVisible('#files-card'), true, 'this daemon serves /v1/files')
    const content = Buffer.from(`a file from the dashboard ${Date.now()}\n`.repeat(200))
    await page.setInputFiles('#file-input', { name: 'notes.txt', mimeType: 'text/plain', buffer: content })
    await page.waitForFunction(() => /^\S+ {2}notes\.txt, \d+ bytes/.test((globalThis as any).document.getElementById('file-result')?.textContent ?? ''), undefined, { timeout: 30_000 })
    const cid = (await page.textContent('#file-result'))?.split(' ')[0] ?? ''
    const cat = await toyrrent(['cat', cid, '--api', daemons[2].api])
    assert.equal(cat.code, 0, cat.stderr)
    assert.ok(cat.stdout.equals(content), 'the CLI reads the same bytes')
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-form button')])
    const saved = join(root, 'downloaded')
    await download.saveAs(saved)
    assert.ok((await readFile(saved)).equals(content), 'the page downloads the same bytes')
  })

  it('charts reach back to before the page was opened, from the daemon\'s history, and go on live', async () => {
    const first = beforeOpen.samples[0]
    const last = beforeOpen.samples[beforeOpen.samples.length - 1]
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#chart-rate path.line[data-first-t]') != null, undefined, { timeout: 30_000 })
    // the rate's first point is the step from the oldest sample to the next, taken before the page was opened
    assert.equal(Number(await page.getAttribute('#chart-rate path.line', 'data-first-t')), beforeOpen.samples[1].t)
    assert.ok(beforeOpen.samples[1].t < beforeOpen.now)
    // the put's lookup, finished before the page was opened, is a latency point from then
    const latencyFirst = Number(await page.getAttribute('#chart-latency path.line', 'data-first-t'))
    assert.ok(latencyFirst > first.t && latencyFirst <= last.t, `latency point at ${latencyFirst}, history ${first.t}..${last.t}`)
    // and the charts go on with samples taken after the page was opened
    await page.waitForFunction(t => Number((globalThis as any).document.querySelector('#chart-rate path.line')?.getAttribute('data-last-t')) > t, beforeOpen.now, { timeout: 30_000 })
  })

  it('charts request rates from /metrics, and logged no console errors; screenshot saved', async () => {
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#chart-rate path.line') != null, undefined, { timeout: 30_000 })
    await mkdir(ARTIFACTS, { recursive: true })
    const file = new URL('dashboard.png', ARTIFACTS)
    await page.screenshot({ path: file.pathname, fullPage: true })
    assert.ok(existsSync(file))
    // a failed get answers 400, which chromium logs as a failed resource load: the only error allowed
    const unexpected = consoleErrors.filter(e => !/status of 400/.test(e))
    assert.deepEqual(unexpected, [])
  })
})
