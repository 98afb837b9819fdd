/**
 * The value log (src/store/value-log.ts) through a real daemon process on a
 * real data directory (LevelDB for the metadata, segment files for the
 * bodies): SIGKILL while item puts and a file POST are being written, then a
 * restart on the same directory serves every item the daemon acknowledged,
 * byte for byte. LevelDB holds metadata only (its directory stays a small
 * fraction of what was stored), and the restarted daemon writes a new segment.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDaemonProcess } from '../helpers/cli.ts'
import { http, open } from '../helpers/http.ts'
import { waitFor } from '../helpers/wait.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

async function bytesUnder (dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size
  return total
}

/** Streams random bytes into `POST /v1/files` until the connection breaks. */
async function endlessFilePost (api: string): Promise<void> {
  const req = open(api, 'POST', '/v1/files', { 'Content-Type': 'application/octet-stream' })
  const broken = new Promise<void>(resolve => { req.once('error', () => { resolve() }); req.once('response', () => { resolve() }) })
  let ended = false
  void broken.then(() => { ended = true })
  while (!ended) {
    if (!req.write(randomBytes(256 * 1024))) await Promise.race([new Promise(resolve => req.once('drain', resolve)), broken])
  }
}

describe('value log: a daemon killed with SIGKILL in the middle of writes', function () {
  this.timeout(180_000)
  let root: string
  let daemon: DaemonProcess | undefined

  before(async () => { root = await mkdtemp(join(tmpdir(), 'toyrrent-valuelog-')) })
  after(async () => {
    await daemon?.stop('SIGKILL')
    await rm(root, { recursive: true, force: true })
  })

  it('serves every item it acknowledged after a restart; LevelDB kept no bodies', async () => {
    const dataDir = join(root, 'd')
    daemon = await startDaemonProcess(dataDir, ['--replicas', '1'], 60_000)
    const api = daemon.api
    const acked = new Map<string, Buffer>()
    let dead = false
    const file = endlessFilePost(api)
    // 8 writers of distinct 64 KiB values; what a 201 acknowledged must survive
    const writers = Array.from({ length: 8 }, async () => {
      while (!dead) {
        const value = randomBytes(65_536)
        try {
          const res = await http(api, 'POST', '/v1/items', value, { 'Content-Type': 'application/octet-stream' })
          if (res.status === 201) acked.set(res.json.cid, value)
        } catch {
          return
        }
      }
    })
    await waitFor('300 acknowledged puts', () => acked.size >= 300, 120_000)
    // killed while puts and the file's blocks are in flight
    await daemon.stop('SIGKILL')
    dead = true
    await Promise.allSettled([...writers, file])
    const values = join(dataDir, 'values')
    const segmentsBefore = (await readdir(values)).filter(n => n.endsWith('.log'))
    assert.ok(segmentsBefore.length >= 1)
    // 300 × 64 KiB stored: LevelDB's directory holds their metadata only
    const levelBytes = await bytesUnder(join(dataDir, 'datastore'))
    assert.ok(levelBytes < acked.size * 65_536 / 10, `LevelDB holds ${levelBytes} bytes for ${acked.size} items`)

    daemon = await startDaemonProcess(dataDir, ['--replicas', '1'], 60_000)
    for (const [cid, value] of acked) {
      const res = await http(daemon.api, 'GET', `/v1/items/${cid}`)
      assert.equal(res.status, 200, `${cid}: ${res.body.toString()}`)
      assert.ok(res.body.equals(value), `${cid}: other bytes`)
    }
    // a new put after the restart goes to a segment of its own (the torn tail of the last one is never written after)
    const extra = randomBytes(1000)
    const put = await http(daemon.api, 'POST', '/v1/items', extra, { 'Content-Type': 'application/octet-stream' })
    assert.equal(put.status, 201)
    const newest = Math.max(...segmentsBefore.map(n => Number(n.slice(0, 6))))
    await waitFor('a segment newer than the killed run\'s', async () => (await readdir(values)).some(n => n.endsWith('.log') && Number(n.slice(0, 6)) > newest))
    const again = await http(daemon.api, 'GET', `/v1/items/${put.json.cid as string}`)
    assert.ok(again.body.equals(extra))
  })
})
