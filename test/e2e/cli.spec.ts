/**
 * The `toyrrent` binary end to end: two real daemon processes on loopback, the
 * client commands against them, exit codes and messages, shutdown and restart.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { keyToCid, hashItemKey } from '../../src/records/hash-item.ts'
import { freePort, startDaemonPair, startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

describe('toyrrent CLI', function () {
  this.timeout(60_000)
  let root: string
  let a: DaemonProcess
  let b: DaemonProcess

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-cli-'))
    ;[a, b] = await startDaemonPair(root)
  })

  after(async () => {
    await a?.stop('SIGKILL')
    await b?.stop('SIGKILL')
    await rm(root, { recursive: true, force: true })
  })

  describe('daemon', () => {
    it('prints its peer id, listen addresses and API address, and writes the api file', () => {
      assert.match(a.peerId, /^12D3Koo|^Qm/)
      assert.ok(a.multiaddrs.length > 0)
      for (const ma of a.multiaddrs) assert.ok(ma.endsWith(`/p2p/${a.peerId}`), ma)
      assert.match(a.api, /^127\.0\.0\.1:\d+$/)
      assert.equal(readFileSync(join(a.dataDir, 'api'), 'utf8').trim(), a.api)
      assert.match(a.output(), /toyrrent put/)
    })

    it('refuses a second daemon on the same data dir', async () => {
      const res = await toyrrent(['daemon', '--data-dir', a.dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0'])
      assert.equal(res.code, 1)
      assert.match(res.stderr, /already using/)
      assert.equal(res.stderr.trim().split('\n').length, 1)
      assert.equal(readFileSync(join(a.dataDir, 'api'), 'utf8').trim(), a.api, 'the running daemon keeps its api file')
    })

    it('rejects a malformed --bootstrap with exit 2 and the reason', async () => {
      const res = await toyrrent(['daemon', '--data-dir', join(root, 'never'), '--bootstrap', 'garbage'])
      assert.equal(res.code, 2)
      assert.match(res.stderr, /--bootstrap "garbage" is not a multiaddr/)
      assert.match(res.stderr, /usage: toyrrent daemon/)
      assert.equal(existsSync(join(root, 'never')), false)
    })
  })

  describe('put and get', () => {
    it('puts a value on one node and gets the exact bytes from the other', async () => {
      const put = await toyrrent(['put', 'hello toyrrent', '--api', a.api])
      assert.equal(put.code, 0, put.stderr)
      const cid = put.stdout.toString()
      assert.equal(cid, `${keyToCid(hashItemKey(Buffer.from('hello toyrrent')))}\n`)
      const got = await toyrrent(['get', cid.trim(), '--api', b.api])
      assert.equal(got.code, 0, got.stderr)
      assert.equal(got.stdout.toString(), 'hello toyrrent')
    })

    it('puts binary from stdin and finds the daemon through --data-dir', async () => {
      const value = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(5000)])
      const put = await toyrrent(['put', '--data-dir', b.dataDir], { input: value })
      assert.equal(put.code, 0, put.stderr)
      const got = await toyrrent(['get', put.stdout.toString().trim(), '--data-dir', a.dataDir])
      assert.equal(got.code, 0, got.stderr)
      assert.ok(got.stdout.equals(value), 'bytes differ')
    })

    it('accepts a 64-hex key and `-` for stdin', async () => {
      const value = randomBytes(100)
      const put = await toyrrent(['put', '-', '--api', a.api], { input: value })
      assert.equal(put.code, 0, put.stderr)
      const hex = Buffer.from(hashItemKey(value)).toString('hex')
      const got = await toyrrent(['get', hex, '--api', b.api])
      assert.ok(got.stdout.equals(value))
    })

    it('put --json gives key, cid and the peers that stored it', async () => {
      const put = await toyrrent(['put', 'json please', '--json', '--api', a.api])
      assert.equal(put.code, 0, put.stderr)
      const body = JSON.parse(put.stdout.toString())
      assert.equal(body.key, keyToCid(hashItemKey(Buffer.from('json please'))))
      assert.equal(body.cid, body.key)
      assert.ok(Array.isArray(body.stored) && body.stored.length > 0)
    })

    it('a key nobody holds exits 1 with a one-line reason', async () => {
      const missing = keyToCid(hashItemKey(randomBytes(32)))
      const res = await toyrrent(['get', missing, '--api', a.api])
      assert.equal(res.code, 1)
      assert.equal(res.stdout.length, 0)
      assert.match(res.stderr, /^toyrrent: .+\n$/)
    })

    it('a malformed key exits 2 and says what a key looks like', async () => {
      const res = await toyrrent(['get', 'not-a-key', '--api', a.api])
      assert.equal(res.code, 2)
      assert.match(res.stderr, /not a valid key: "not-a-key"/)
    })

    it('a value over 64 KiB is refused naming the 65,536-byte limit, from stdin or an argument', async () => {
      const big = Buffer.alloc(65_537, 'x')
      for (const res of [
        await toyrrent(['put', '--api', a.api], { input: big }),
        await toyrrent(['put', big.toString(), '--api', a.api])
      ]) {
        assert.equal(res.code, 1)
        assert.match(res.stderr, /65,?536 bytes/)
        assert.equal(res.stdout.length, 0)
      }
      const exact = Buffer.alloc(65_536, 'y')
      const ok = await toyrrent(['put', '--api', a.api], { input: exact })
      assert.equal(ok.code, 0, ok.stderr)
    })
  })

  describe('id, peers, find-before-n', () => {
    it('id --json has the peer id and multiaddrs the daemon printed', async () => {
      const res = await toyrrent(['id', '--json', '--data-dir', a.dataDir])
      assert.equal(res.code, 0, res.stderr)
      const body = JSON.parse(res.stdout.toString())
      assert.equal(body.peerId, a.peerId)
      assert.deepEqual([...body.multiaddrs].sort(), [...a.multiaddrs].sort())
      const text = await toyrrent(['id', '--api', a.api])
      assert.match(text.stdout.toString(), new RegExp(`^peer id: ${a.peerId}$`, 'm'))
    })

    it('peers --json lists the connected peer', async () => {
      const res = await toyrrent(['peers', '--json', '--api', b.api])
      assert.equal(res.code, 0, res.stderr)
      const peers = JSON.parse(res.stdout.toString())
      const peer = peers.find((p: { peerId: string }) => p.peerId === a.peerId)
      assert.ok(peer != null, res.stdout.toString())
      assert.ok(peer.multiaddrs.length > 0)
    })

    it('find-before-n lists the nearest peers, nearest first', async () => {
      const cid = keyToCid(hashItemKey(Buffer.from('somewhere')))
      const res = await toyrrent(['find-before-n', cid, '2', '--api', a.api])
      assert.equal(res.code, 0, res.stderr)
      const lines = res.stdout.toString().trim().split('\n').map(line => line.split(' '))
      assert.deepEqual(lines.map(([peerId]) => peerId).sort(), [a.peerId, b.peerId].sort())
      assert.ok(lines[0][1] <= lines[1][1], 'sorted by distance')
      const json = await toyrrent(['find-before-n', cid, '--json', '--api', b.api])
      const peers = JSON.parse(json.stdout.toString())
      assert.ok(Array.isArray(peers) && peers.length >= 2)
      assert.match(peers[0].distance, /^[0-9a-f]{64}$/)
    })

    it('find-before-n refuses N out of range with exit 2', async () => {
      const res = await toyrrent(['find-before-n', '00'.repeat(32), '0', '--api', a.api])
      assert.equal(res.code, 2)
      assert.match(res.stderr, /N must be an integer/)
    })
  })

  describe('usage and failures', () => {
    it('help prints usage on stdout, exit 0', async () => {
      for (const args of [['help'], ['--help'], ['put', '--help']]) {
        const res = await toyrrent(args)
        assert.equal(res.code, 0)
        assert.match(res.stdout.toString(), /usage: toyrrent/)
      }
    })

    it('an unknown command, a bad flag or an extra argument exits 2 with usage', async () => {
      for (const args of [['frobnicate'], ['peers', '--bogus'], ['id', 'extra'], ['get'], []]) {
        const res = await toyrrent(args)
        assert.equal(res.code, 2, args.join(' '))
        assert.match(res.stderr, /usage: toyrrent/)
      }
    })

    it('no daemon running: a one-line message and exit 1', async () => {
      const port = await freePort()
      const res = await toyrrent(['id', '--api', `127.0.0.1:${port}`])
      assert.equal(res.code, 1)
      assert.equal(res.stderr, `toyrrent: no daemon is running at 127.0.0.1:${port} (start one with \`toyrrent daemon\`)\n`)
      const noApiFile = await toyrrent(['peers', '--data-dir', join(root, 'empty')])
      assert.equal(noApiFile.code, 1)
      assert.match(noApiFile.stderr, /^toyrrent: no daemon is running/)
    })
  })

  describe('shutdown and restart', () => {
    it('SIGTERM exits 0 and removes the api file; a restart keeps the peer id and the items', async () => {
      const dataDir = join(root, 'c')
      const c = await startDaemonProcess(dataDir, ['--bootstrap', a.multiaddrs[0]])
      const client = new ToyrrentClient(c.api)
      await waitFor('c to connect', async () => (await client.peers()).peers.length > 0)
      const put = await toyrrent(['put', 'survives restarts', '--api', c.api])
      assert.equal(put.code, 0, put.stderr)

      assert.equal(await c.stop('SIGTERM'), 0, c.output())
      assert.equal(existsSync(join(dataDir, 'api')), false)

      const again = await startDaemonProcess(dataDir, ['--bootstrap', a.multiaddrs[0]])
      try {
        assert.equal(again.peerId, c.peerId)
        const got = await toyrrent(['get', put.stdout.toString().trim(), '--api', again.api])
        assert.equal(got.code, 0, got.stderr)
        assert.equal(got.stdout.toString(), 'survives restarts')
      } finally {
        assert.equal(await again.stop('SIGINT'), 0)
      }
    })
  })
})
