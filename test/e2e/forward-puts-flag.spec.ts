/**
 * `toyrrent daemon --forward-puts on|off` and the config file's
 * "forwardPuts" reach the node (forwarded puts are on by default); stats
 * says which, with W. Real daemon processes on loopback.
 */
import { expect } from 'chai'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { startDaemonProcess, toyrrent } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

describe('e2e: the daemon\'s --forward-puts', function () {
  this.timeout(60_000)
  let root: string
  const daemons: DaemonProcess[] = []

  before(async () => { root = await mkdtemp(join(tmpdir(), 'toyrrent-forward-flag-')) })
  after(async () => {
    await Promise.allSettled(daemons.map(async d => d.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  async function started (name: string, args: string[]): Promise<ToyrrentClient> {
    const d = await startDaemonProcess(join(root, name), args)
    daemons.push(d)
    return new ToyrrentClient(d.api)
  }

  it('a value other than on or off exits 2 and creates nothing', async () => {
    const res = await toyrrent(['daemon', '--data-dir', join(root, 'bad'), '--forward-puts', 'maybe'])
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/--forward-puts must be on or off, got "maybe"/)
    expect(existsSync(join(root, 'bad'))).to.equal(false)
  })

  it('on by default, off by the flag or the config file, and the flag wins over the file', async () => {
    const config = join(root, 'config.json')
    await writeFile(config, JSON.stringify({ forwardPuts: 'off' }))
    const byDefault = await started('default', [])
    const byFlag = await started('flag', ['--forward-puts', 'off'])
    const byFile = await started('file', ['--config', config])
    const flagOverFile = await started('both', ['--config', config, '--forward-puts', 'on'])
    const seen = await Promise.all([byDefault, byFlag, byFile, flagOverFile].map(async c => (await c.stats()).forwardPuts))
    expect(seen).to.deep.equal([true, false, false, true])
    expect((await byDefault.stats()).writeQuorum).to.equal(2)

    const text = await toyrrent(['stats', '--api', daemons[1].api])
    expect(text.code).to.equal(0, text.stderr)
    expect(text.stdout).to.match(/^write quorum \(W\): 2; forwarded puts: off$/m)
  })
})
