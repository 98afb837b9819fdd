/**
 * A graceful leave is announced (LEAVE, protocols/rpc.md), with real daemon
 * processes on loopback: SIGTERM of one makes the others drop it from their
 * routing tables (`GET /v1/table`) by the time it has exited, with no
 * request to it failing first; and when it comes back with the same key, a
 * fresh connection, they learn it again at once (the leave is not held
 * against it).
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDaemonProcess, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

async function tablePeers (daemon: DaemonProcess): Promise<string[]> {
  const res = await fetch(`http://${daemon.api}/v1/table`, { signal: AbortSignal.timeout(5_000) })
  assert.equal(res.status, 200)
  const body = await res.json() as { peers: Array<{ peerId: string }> }
  return body.peers.map(p => p.peerId)
}

describe('graceful leave notice: SIGTERM of a daemon makes the others drop it at once', function () {
  this.timeout(180_000)
  let root: string
  const daemons: DaemonProcess[] = []

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-leave-notice-'))
  })

  after(async () => {
    await Promise.all(daemons.map(async d => await d.stop('SIGKILL')))
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('the others drop it before it exits, and learn it again when it comes back with the same key', async () => {
    // periodic repair and refresh off: nothing but the notice may take the leaver out of a table
    const quiet = ['--repair-interval', '0', '--refresh-interval', '0']
    const a = await startDaemonProcess(join(root, 'a'), quiet)
    daemons.push(a)
    for (const name of ['b', 'c', 'd']) daemons.push(await startDaemonProcess(join(root, name), [...quiet, '--bootstrap', a.multiaddrs[0]]))
    const [, b, c, leaver] = daemons
    const others = [a, b, c]
    await waitFor('every node to hold the three others in its table', async () => {
      for (const d of daemons) if ((await tablePeers(d)).length !== 3) return false
      return true
    }, 60_000)

    const started = Date.now()
    assert.equal(await leaver.stop('SIGTERM'), 0, leaver.output())
    const exitMs = Date.now() - started
    // the notice was answered before the leaver's connections closed: the tables are already clean,
    // far sooner than any failed request (none is sent: repair and refresh are off) would clean them
    await waitFor('the others to have dropped the leaver', async () => {
      for (const d of others) if ((await tablePeers(d)).includes(leaver.peerId)) return false
      return true
    }, 1_000)
    console.log(`      SIGTERM to exit: ${exitMs} ms (on a loaded machine)`)

    // back with the same key (same data dir): a new connection, so the leave no longer keeps it out
    const back = await startDaemonProcess(leaver.dataDir, [...quiet, '--bootstrap', a.multiaddrs[0]])
    daemons.push(back)
    assert.equal(back.peerId, leaver.peerId)
    await waitFor('the others to learn the restarted node again', async () => {
      for (const d of others) if (!(await tablePeers(d)).includes(back.peerId)) return false
      return true
    }, 30_000)
  })
})
