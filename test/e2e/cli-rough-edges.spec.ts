/**
 * The rough edges a new user hit (issue 15), end to end: the real `toyrrent`
 * binary against real daemon processes on loopback.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { sizeText } from '../../src/cli/commands/stats.ts'
import { hashItemKey, keyToCid } from '../../src/records/hash-item.ts'
import { MAIN, startDaemonPair, startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

const withoutPeerId = (ma: string): string => ma.replace(/\/p2p\/[^/]+$/, '')

describe('toyrrent CLI: the rough edges of issue 15', function () {
  this.timeout(90_000)
  let root: string
  let a: DaemonProcess
  let b: DaemonProcess
  const extra: DaemonProcess[] = []

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-rough-'))
    ;[a, b] = await startDaemonPair(root)
  })

  after(async () => {
    await Promise.all([a, b, ...extra].map(async d => await d?.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  it('item 3: piped console input runs every line, even when stdin ends while the first still runs', async () => {
    const c = await startDaemonProcess(join(root, 'console'), ['--console', '--bootstrap', a.multiaddrs[0]], 20_000, { stdin: 'pipe' })
    extra.push(c)
    c.child.stdin?.end('put one\nput two\n')
    await waitFor('the console to reach the end of its input', () => /end of input/.test(c.output()), 30_000)
    const out = c.output()
    for (const value of ['one', 'two']) assert.ok(out.includes(keyToCid(hashItemKey(Buffer.from(value)))), `${value} was put:\n${out}`)
    assert.doesNotMatch(out, /internal error|ERR_USE_AFTER_CLOSE/)
    assert.equal(c.child.exitCode, null, 'the daemon keeps running')
  })

  it('item 5: peers prints `ID ADDRESS` with the listen address; --json and find-before-n --json carry no /p2p', async () => {
    const text = await toyrrent(['peers', '--api', a.api])
    assert.equal(text.code, 0, text.stderr)
    const line = text.stdout.toString().split('\n').find(l => l.startsWith(b.peerId))
    assert.equal(line, `${b.peerId} ${withoutPeerId(b.multiaddrs[0])}`)
    const json = JSON.parse((await toyrrent(['peers', '--json', '--api', a.api])).stdout.toString()) as Array<{ peerId: string, multiaddrs: string[] }>
    const peer = json.find(p => p.peerId === b.peerId)
    assert.deepEqual(peer?.multiaddrs, b.multiaddrs.map(withoutPeerId))
    const found = JSON.parse((await toyrrent(['find-before-n', '--json', '0f'.repeat(32), '2', '--api', a.api])).stdout.toString()) as Array<{ multiaddrs: string[] }>
    assert.ok(found.length > 0)
    for (const p of found) for (const ma of p.multiaddrs) assert.doesNotMatch(ma, /\/p2p\//)
  })

  it('item 6: a busy --listen port is one plain line, exit 1', async () => {
    const res = await toyrrent(['daemon', '--data-dir', join(root, 'busy'), '--listen', withoutPeerId(a.multiaddrs[0]), '--api', '127.0.0.1:0'])
    assert.equal(res.code, 1)
    assert.match(res.stderr, /^toyrrent: cannot listen on \/ip4\/127\.0\.0\.1\/tcp\/\d+: the address is already in use/)
    assert.doesNotMatch(res.stderr, /faultTolerance|\n\s+at /)
    assert.equal(res.stderr.trim().split('\n').length, 1)
  })

  it('item 7: --write-quorum above R and --cas -1 exit 2; swarm-key and keygen onto an existing file both exit 1', async () => {
    const wq = await toyrrent(['daemon', '--data-dir', join(root, 'wq'), '--write-quorum', '5'])
    assert.equal(wq.code, 2)
    assert.match(wq.stderr, /--write-quorum 5 is more than the 3 replicas/)
    assert.equal(existsSync(join(root, 'wq')), false, 'nothing created')
    const cas = await toyrrent(['publish', '--key', join(root, 'none.key'), '--cas', '-1', 'v', '--api', a.api])
    assert.equal(cas.code, 2)
    assert.match(cas.stderr, /--cas must be an integer from 0 to/)
    const existing = join(root, 'existing')
    await writeFile(existing, 'x')
    const sk = await toyrrent(['swarm-key', '--out', existing])
    const kg = await toyrrent(['keygen', '--out', existing])
    assert.deepEqual([sk.code, kg.code], [1, 1], sk.stderr + kg.stderr)
  })

  it('item 8: the config file\'s writeQuorum reaches the daemon (checked against R like the flag)', async () => {
    const config = join(root, 'config.json')
    await writeFile(config, JSON.stringify({ replicas: 2, writeQuorum: 3, repairInterval: 30, itemTtl: 600, maxStorage: 1000000, leaveTimeout: 1 }))
    const res = await toyrrent(['daemon', '--config', config, '--data-dir', join(root, 'cfg')])
    assert.equal(res.code, 2)
    assert.match(res.stderr, /--write-quorum 3 is more than the 2 replicas/)
  })

  it('item 9: publish and del --json; --seq at the largest seq warns', async () => {
    const key = join(root, 'me.key')
    assert.equal((await toyrrent(['keygen', '--out', key])).code, 0)
    const pub = await toyrrent(['publish', '--json', '--key', key, 'v1', '--api', a.api])
    assert.equal(pub.code, 0, pub.stderr)
    const published = JSON.parse(pub.stdout.toString())
    assert.equal(published.seq, '1')
    assert.match(published.id, /^[0-9a-f]{64}$/)
    assert.ok(published.stored.length >= 1)
    const del = await toyrrent(['del', '--json', '--key', key, '--api', b.api])
    assert.equal(del.code, 0, del.stderr)
    assert.deepEqual(JSON.parse(del.stdout.toString()).seq, '2')
    const last = await toyrrent(['publish', '--key', key, '--salt', 'final', '--seq', '18446744073709551615', 'forever', '--api', a.api])
    assert.equal(last.code, 0, last.stderr)
    assert.match(last.stderr, /warning: --seq 18446744073709551615 is the largest seq there is/)
  })

  it('item 10: the CID of a hash item given as a publish id is a 400 naming it, and a usage error in the CLI', async () => {
    const cid = keyToCid(hashItemKey(Buffer.from('a hash item')))
    const res = await fetch(`http://${a.api}/v1/records/${cid}`)
    assert.equal(res.status, 400)
    const body = await res.json() as { error: { message: string } }
    assert.match(body.error.message, /is the CID of a hash item/)
    const cli = await toyrrent(['resolve', cid, '--api', a.api])
    assert.equal(cli.code, 2)
    assert.match(cli.stderr, /is the CID of a hash item/)
  })

  it('item 13: stats prints the size estimate with its range, from the same fields as --json', async () => {
    const json = JSON.parse((await toyrrent(['stats', '--json', '--api', a.api])).stdout.toString())
    const size = json.network.networkSize
    assert.ok(typeof size.low === 'number' && 'high' in size && 'plusMinus' in size, JSON.stringify(size))
    const text = (await toyrrent(['stats', '--api', a.api])).stdout.toString()
    const fresh = JSON.parse((await toyrrent(['stats', '--json', '--api', a.api])).stdout.toString()).network.networkSize
    assert.ok(text.includes(`network size: ${sizeText(size)}`) || text.includes(`network size: ${sizeText(fresh)}`), text)
  })

  it('item 11: the banner\'s command for another node works on the same machine, and a restart says it rejoined', async function () {
    // a restart dials remembered peers, some gone by now (each within its deadline), before it prints anything
    this.timeout(180_000)
    const line = /^ {2}(toyrrent daemon --data-dir .* --bootstrap \S+)$/m.exec(a.output())
    assert.ok(line != null, a.output())
    const args = line[1].split(' ').slice(1)
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, TOYRRENT_DATA_DIR: '/nonexistent/toyrrent-test' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
    try {
      await waitFor('the suggested second node to start', () => /^api: /m.test(out) || child.exitCode != null, 30_000)
      assert.match(out, /^bootstrap: reached 1 of 1$/m, out)
    } finally {
      child.kill('SIGKILL')
    }

    // b restarts with no flags: it finds a again through its remembered peers
    assert.equal(await b.stop('SIGTERM'), 0)
    b = await startDaemonProcess(b.dataDir, [], 90_000)
    assert.match(b.output(), /^rejoined: [1-9]\d* remembered peers$/m, b.output())
    const client = new ToyrrentClient(b.api)
    await waitFor('b to see a again', async () => (await client.peers()).peers.some(p => p.peerId === a.peerId))
  })
})
