/**
 * A byte of an item's body flipped on disk under running daemons (the value
 * log, `<data-dir>/values/*.log`): the node drops the item instead of failing
 * every read of it, reads are served by the other replicas, repair puts a good
 * copy back on the replica, and the writer's own pinned copy is fetched again
 * and kept pinned; `toyrrent stats` says so.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

/** The segment file under `dataDir` whose bytes hold `bytes`, and where. */
async function segmentWith (dataDir: string, bytes: Uint8Array): Promise<{ path: string, at: number } | undefined> {
  const dir = join(dataDir, 'values')
  for (const name of (await readdir(dir)).filter(n => n.endsWith('.log'))) {
    const at = (await readFile(join(dir, name))).indexOf(Buffer.from(bytes))
    if (at >= 0) return { path: join(dir, name), at }
  }
  return undefined
}

/**
 * Flip one byte inside `value` in every copy a daemon's value log keeps of it
 * (a compaction's move leaves the old copy until its segment goes); throws
 * when it is in none.
 */
async function garble (dataDir: string, value: Uint8Array): Promise<void> {
  const window = value.subarray(100, 164)
  if (await segmentWith(dataDir, window) == null) throw new Error(`the value is in no segment under ${dataDir}`)
  for (let found = await segmentWith(dataDir, window); found != null; found = await segmentWith(dataDir, window)) {
    const fh = await open(found.path, 'r+')
    try {
      const byte = new Uint8Array(1)
      await fh.read(byte, 0, 1, found.at + 10)
      byte[0] ^= 0xff
      await fh.write(byte, 0, 1, found.at + 10)
    } finally {
      await fh.close()
    }
  }
}

describe('e2e: an item garbled on disk', function () {
  this.timeout(90_000)
  let root: string
  const daemons: DaemonProcess[] = []

  before(async () => { root = await mkdtemp(join(tmpdir(), 'toyrrent-unreadable-')) })
  after(async () => {
    await Promise.allSettled(daemons.map(async d => d.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  it('is dropped, read from the other replicas, put back by repair, and a pinned one fetched again', async () => {
    const flags = ['--repair-interval', '1']
    const a = await startDaemonProcess(join(root, 'a'), flags)
    daemons.push(a)
    for (const name of ['b', 'c']) daemons.push(await startDaemonProcess(join(root, name), [...flags, '--bootstrap', a.multiaddrs[0]]))
    const [, b] = daemons
    const clients = daemons.map(d => new ToyrrentClient(d.api))
    await waitFor('three peers each', async () => (await Promise.all(clients.map(async c => (await c.stats()).peers))).every(n => n === 2), 20_000)

    // with three nodes and R = 3 every node holds every item; a's copy is pinned (its own put)
    const value = new Uint8Array(randomBytes(4000))
    const { key } = await clients[0].put(value)
    await waitFor('b holds its replica', async () => (await clients[1].stats()).items >= 1, 20_000)

    await garble(b.dataDir, value)
    expect(Buffer.from(await clients[1].get(key)).equals(value), 'b reads the value').to.equal(true)
    expect((await clients[1].stats()).unreadable.dropped).to.equal(1)
    const stats = await toyrrent(['stats', '--api', b.api])
    expect(stats.stdout).to.match(/unreadable on disk: 1 item\(s\) dropped since start; pinned ones fetched again: 0, not: 0/)
    // a repair round (every second here) stores a good copy back on b, which reads it from disk again
    await waitFor('b holds a good copy again', async () => (await clients[1].stats()).items >= 1 && await segmentWith(b.dataDir, value) != null, 30_000)

    await garble(a.dataDir, value)
    expect(Buffer.from(await clients[0].get(key)).equals(value), 'a reads the value').to.equal(true)
    await waitFor('a fetched its pinned item again', async () => (await clients[0].stats()).unreadable.restored === 1, 20_000)
    expect((await clients[0].stats()).unreadable).to.deep.equal({ dropped: 1, restored: 1, failed: 0 })
    expect((await clients[0].stats()).pinned).to.equal(1)
  })
})
