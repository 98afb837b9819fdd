/**
 * A graceful leave is announced (LEAVE, protocols/rpc.md), with real daemon
 * processes on loopback: SIGTERM of one makes the others drop it from their
 * routing tables (`GET /v1/table`) by the time it has exited, with no
 * request to it failing first; and when it comes back with the same key, a
 * fresh connection, they learn it again at once (the leave is not held
 * against it). Over a raw stream: LEAVE is answered OK and drops exactly
 * the sender; without its body it is BAD_REQUEST and changes nothing; the
 * still-open connection does not bring the leaver back, a new one does.
 */
import assert from 'node:assert/strict'
import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDaemonProcess, waitFor } from '../helpers/cli.ts'
import { createToyrrentNode } from '../../src/node.ts'
import { Frame, Status } from '../../src/rpc/pb/rpc.ts'
import { RawRpc } from '../helpers/raw-rpc.ts'
import { dialAddr } from '../helpers/testnet.ts'
import type { DaemonProcess } from '../helpers/cli.ts'
import type { ToyrrentNode } from '../../src/node.ts'

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
    // a minute to start: other suites may load the machine
    const a = await startDaemonProcess(join(root, 'a'), quiet, 60_000)
    daemons.push(a)
    for (const name of ['b', 'c', 'd']) daemons.push(await startDaemonProcess(join(root, name), [...quiet, '--bootstrap', a.multiaddrs[0]], 60_000))
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
    const back = await startDaemonProcess(leaver.dataDir, [...quiet, '--bootstrap', a.multiaddrs[0]], 60_000)
    daemons.push(back)
    assert.equal(back.peerId, leaver.peerId)
    await waitFor('the others to learn the restarted node again', async () => {
      for (const d of others) if (!(await tablePeers(d)).includes(back.peerId)) return false
      return true
    }, 30_000)
  })
})

describe('LEAVE over a raw stream (protocols/rpc.md, "LEAVE")', function () {
  this.timeout(60_000)
  let target: ToyrrentNode
  let leaver: ToyrrentNode
  let rpc: RawRpc | undefined

  const inTable = (node: ToyrrentNode, peer: ToyrrentNode): boolean =>
    [...node.toyrrent.tableBands().values()].flat().some(p => p.peerId.equals(peer.libp2p.peerId))
  const ask = async (frame: Partial<Frame>): Promise<Frame> => {
    await rpc!.sendFrame(Frame.encode(frame))
    const outcome = await rpc!.next()
    if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`)
    return outcome.frame
  }

  before(async () => {
    target = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], leaveTimeout: 0, repairInterval: 0, refreshInterval: 0 })
    leaver = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [dialAddr(target)], leaveTimeout: 0, repairInterval: 0, refreshInterval: 0 })
    await waitFor('the target to hold the leaver in its table', () => inTable(target, leaver))
    rpc = await RawRpc.open(leaver, target)
  })

  after(async () => {
    rpc?.abort()
    await leaver?.stop()
    await target?.stop()
  })

  it('without its body: BAD_REQUEST, nothing changed', async () => {
    const answer = await ask({ id: 1n, type: Frame.Type.LEAVE })
    expect(answer.status).to.equal(Status.BAD_REQUEST)
    expect(inTable(target, leaver)).to.equal(true)
  })

  it('answered OK; the sender leaves the table, and requests on the open connection do not bring it back', async () => {
    const answer = await ask({ id: 2n, type: Frame.Type.LEAVE, leaveRequest: {} })
    expect(answer.status).to.equal(Status.OK)
    expect(answer.leaveResponse).to.not.equal(undefined)
    expect(inTable(target, leaver)).to.equal(false)
    // a DIGEST learns a live server near us again (heardFrom), but not one that announced its leave
    const digest = await ask({ id: 3n, type: Frame.Type.DIGEST, digestRequest: { count: 0, hash: new Uint8Array(16) } })
    expect(digest.status).to.equal(Status.OK)
    const find = await ask({ id: 4n, type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: new Uint8Array(32), n: 4 } })
    expect(find.status).to.equal(Status.OK)
    expect(inTable(target, leaver)).to.equal(false)
  })

  it('a new connection from it (it came back) has it learned again', async () => {
    rpc?.abort()
    rpc = undefined
    await leaver.libp2p.hangUp(target.libp2p.peerId)
    await waitFor('the connection to close', () => target.libp2p.getConnections(leaver.libp2p.peerId).length === 0)
    await leaver.libp2p.dial(target.libp2p.peerId)
    await waitFor('the target to learn the leaver again', () => inTable(target, leaver))
  })
})
