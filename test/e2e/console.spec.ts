/**
 * `toyrrent daemon --console`: a real daemon process reading commands from its
 * stdin, one per line, next to a second daemon; answers are read from its
 * stdout with deadlines.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { ToyrrentClient } from '../../src/api/client.ts'
import { distanceBand, peerPosition } from '../../src/keyspace.ts'
import { hashItemKey, keyToCid } from '../../src/records/hash-item.ts'
import { readKeyFile } from '../../src/key-file.ts'
import { publishId } from '../../src/records/publish-record.ts'
import { startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

describe('toyrrent daemon --console', function () {
  this.timeout(60_000)
  let root: string
  let a: DaemonProcess
  let b: DaemonProcess
  /** How much of b's output earlier commands used up. */
  let seen = 0

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-console-'))
    a = await startDaemonProcess(join(root, 'a'))
    b = await startDaemonProcess(join(root, 'b'), ['--bootstrap', a.multiaddrs[0], '--console'], 20_000, { stdin: 'pipe' })
    await waitFor('the console prompt', () => b.output().includes('console: type a command, or help'))
    const client = new ToyrrentClient(b.api)
    await waitFor('b to connect to a', async () => (await client.peers()).peers.some(p => p.peerId === a.peerId))
    seen = b.output().length
  })

  after(async () => {
    await a?.stop('SIGKILL')
    await b?.stop('SIGKILL')
    await rm(root, { recursive: true, force: true })
  })

  /** Write one line to b's console and wait until its new output matches `answer`; returns that new output. */
  async function ask (line: string, answer: RegExp): Promise<string> {
    b.child.stdin?.write(`${line}\n`)
    let out = ''
    await waitFor(`an answer to "${line}" matching ${answer}`, () => {
      out = b.output().slice(seen)
      return answer.test(out)
    }, 20_000)
    seen = b.output().length
    return out
  }

  it('help lists every command', async () => {
    const out = await ask('help', /^ {2}help /m)
    for (const name of ['put', 'get', 'publish', 'resolve', 'peers', 'table', 'find-before-n', 'help']) {
      assert.match(out, new RegExp(`^ {2}${name}\\b`, 'm'))
    }
  })

  it('put prints the key; get prints the value as text, from this or the other node', async () => {
    const cid = keyToCid(hashItemKey(Buffer.from('hello console')))
    await ask('put hello console', new RegExp(`^${cid}$`, 'm'))
    await ask(`get ${cid}`, /^hello console$/m)
    const viaA = await toyrrent(['get', cid, '--api', a.api])
    assert.equal(viaA.stdout.toString(), 'hello console')
  })

  it('get shows a binary value as hex', async () => {
    const value = Buffer.from([0, 1, 2, 0xff, 0xfe])
    const put = await toyrrent(['put', '--api', a.api], { input: value })
    await ask(`get ${put.stdout.toString().trim()}`, /^hex: 000102fffe$/m)
  })

  it('publish signs with a key file; resolve reads it back; the CLI resolves it on the other node', async () => {
    const keyFile = join(root, 'key.json')
    assert.equal((await toyrrent(['keygen', '--out', keyFile])).code, 0)
    const key = await readKeyFile(keyFile)
    const id = Buffer.from(publishId(key.publicKey.raw, Buffer.from('notes'))).toString('hex')
    await ask(`publish ${keyFile} --salt notes first value`, new RegExp(`^${id} 1$`, 'm'))
    await ask(`publish ${keyFile} --salt notes second value`, new RegExp(`^${id} 2$`, 'm'))
    await ask(`resolve ${id}`, /^seq 2: second value$/m)
    const viaA = await toyrrent(['resolve', id, '--api', a.api])
    assert.equal(viaA.stdout.toString(), 'second value')

    assert.equal((await toyrrent(['del', '--key', keyFile, '--salt', 'notes', '--api', a.api])).code, 0)
    await ask(`resolve ${id}`, new RegExp(`^${id}: deleted \\(seq 3\\)$`, 'm'))
  })

  it('peers lists the other daemon', async () => {
    await ask('peers', new RegExp(`^${a.peerId} /ip4/127\\.0\\.0\\.1/tcp/\\d+`, 'm'))
  })

  it('table shows the peers by distance band', async () => {
    const band = distanceBand(peerPosition(peerIdFromString(b.peerId)), peerPosition(peerIdFromString(a.peerId)))
    const out = await ask('table', new RegExp(`^band ${band}: \\d+ peers\\n(?: {2}\\S+\\n)*? {2}${a.peerId}$`, 'm'))
    assert.match(out, /^table: \d+ peers in \d+ bands$/m)
    // bands are listed farthest first
    const bands = [...out.matchAll(/^band (\d+): (\d+) peers$/gm)].map(m => Number(m[1]))
    assert.deepEqual(bands, [...bands].sort((x, y) => y - x))
  })

  it('find-before-n lists the nearest nodes with their distance', async () => {
    const out = await ask(`find-before-n ${'00'.repeat(32)} 2`, /^(?:\S+ [0-9a-f]{64}\n){2}/m)
    const ids = [...out.matchAll(/^(\S+) [0-9a-f]{64}$/gm)].map(m => m[1])
    assert.deepEqual(ids.sort(), [a.peerId, b.peerId].sort())
  })

  it('an unknown command or a failing one is a one-line error, and the console goes on', async () => {
    await ask('frobnicate now', /^error: unknown command "frobnicate"; type help for the commands$/m)
    await ask('get not-a-key', /^error: not a valid key: "not-a-key".*$/m)
    await ask(`resolve ${'ab'.repeat(32)}`, /^error: .*not found.*$/m)
    await ask('put still here', new RegExp(`^${keyToCid(hashItemKey(Buffer.from('still here')))}$`, 'm'))
  })

  it('the end of stdin closes the console, not the daemon; SIGTERM still stops it cleanly', async () => {
    b.child.stdin?.end()
    await waitFor('the console to notice the end of input', () => b.output().includes('console: end of input; the daemon keeps running'))
    const id = await toyrrent(['id', '--api', b.api])
    assert.equal(id.code, 0, id.stderr)
    assert.equal(await b.stop('SIGTERM'), 0, b.output())
    assert.match(b.output(), /stopped\n$/)
  })

  it('SIGTERM stops a daemon whose console is still reading', async () => {
    const c = await startDaemonProcess(join(root, 'c'), ['--console'], 20_000, { stdin: 'pipe' })
    await waitFor('the console prompt', () => c.output().includes('console: type a command, or help'))
    const started = Date.now()
    assert.equal(await c.stop('SIGTERM'), 0, c.output())
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`)
  })
})
