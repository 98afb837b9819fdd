/**
 * The paused-acceptor rule (protocols/cas.md) on a real daemon process: a
 * daemon stopped with SIGSTOP for longer than half the request deadline
 * notices it when resumed (SIGCONT), acts as no compare-and-swap acceptor,
 * rejoins (self lookup and handoff pull), and then acts as one again. The
 * interleaving that made this rule necessary is driven by hand in
 * test/unit/service/cas-paused.spec.ts; here the point is that a real
 * SIGSTOP is seen as a pause.
 */
import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

describe('daemons: a compare-and-swap acceptor paused with SIGSTOP', function () {
  this.timeout(120_000)
  let root: string
  const daemons: DaemonProcess[] = []
  const debugBefore = process.env.DEBUG

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-cas-paused-'))
    // the acceptor's log lines (toyrrent:cas) on stderr
    process.env.DEBUG = 'toyrrent:cas'
    try {
      const first = await startDaemonProcess(join(root, 'd0'))
      daemons.push(first)
      for (let i = 1; i < 3; i++) daemons.push(await startDaemonProcess(join(root, `d${i}`), ['--bootstrap', first.multiaddrs[0]]))
    } finally {
      if (debugBefore == null) delete process.env.DEBUG
      else process.env.DEBUG = debugBefore
    }
    await waitFor('every daemon knows the other two', async () => {
      const peers = await Promise.all(daemons.map(async d => (await new ToyrrentClient(d.api).stats()).peers))
      return peers.every(p => p >= 2)
    }, 30_000)
  })
  after(async () => {
    await Promise.allSettled(daemons.map(async d => d.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  it('notices the pause on SIGCONT, stops acting as an acceptor, rejoins, and acts again', async () => {
    const paused = daemons[2]
    // only what it says after the pause counts (a stall under load before it may have been noticed too)
    const from = paused.output().length
    const since = (): string => paused.output().slice(from)
    paused.child.kill('SIGSTOP')
    // longer than half the 5 s request deadline (the pause threshold), shorter than one deadline plus
    await new Promise(resolve => setTimeout(resolve, 4_000))
    paused.child.kill('SIGCONT')
    await waitFor('the daemon to notice its pause', () => /silent for \d+ ms \(paused\?\): acting as no compare-and-swap acceptor until rejoined/.test(since()), 15_000)
    const gap = Number(/silent for (\d+) ms/.exec(since())?.[1])
    expect(gap).to.be.within(2_500, 60_000)
    await waitFor('the daemon to rejoin', () => /rejoined after a pause: acting as an acceptor again/.test(since()), 30_000)
    // a compare-and-swap through the resumed daemon goes through (it counts itself and its peers again)
    const keyFile = join(root, 'owner.key')
    const keygen = await toyrrent(['keygen', '--out', keyFile])
    expect(keygen.code, keygen.stderr.toString()).to.equal(0)
    const first = await toyrrent(['publish', '--key', keyFile, '--cas', '0', '--api', paused.api, 'v1'])
    expect(first.code, first.stderr.toString()).to.equal(0)
    const second = await toyrrent(['publish', '--key', keyFile, '--cas', '1', '--api', daemons[0].api, 'v2'])
    expect(second.code, second.stderr.toString()).to.equal(0)
  })
})
