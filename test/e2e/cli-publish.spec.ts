/**
 * Publishing your own data with the `toyrrent` binary: keygen, publish,
 * resolve, del against two real daemon processes on loopback. The CLI signs;
 * the daemons only relay what it signed.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readKeyFile } from '../../src/key-file.ts'
import { createPublishRecord, encodePublishRecord, publishId } from '../../src/records/publish-record.ts'
import { freePort, startDaemonPair, toyrrent } from '../helpers/cli.ts'
import { http } from '../helpers/http.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

const ID_SEQ = /^([0-9a-f]{64}) (\d+)\n$/

describe('toyrrent CLI: publish, resolve, del', function () {
  this.timeout(60_000)
  let root: string
  let a: DaemonProcess
  let b: DaemonProcess
  let keys = 0

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-cli-publish-'))
    ;[a, b] = await startDaemonPair(root)
  })

  after(async () => {
    await a?.stop('SIGKILL')
    await b?.stop('SIGKILL')
    await rm(root, { recursive: true, force: true })
  })

  /** A new key file; returns its path and the id it publishes under with no salt. */
  async function keygen (): Promise<{ file: string, id: string }> {
    const file = join(root, `key-${keys++}.json`)
    const res = await toyrrent(['keygen', '--out', file])
    assert.equal(res.code, 0, res.stderr)
    return { file, id: res.stdout.toString().trim() }
  }

  async function publish (args: string[], input?: Uint8Array): Promise<{ id: string, seq: number }> {
    const res = await toyrrent(['publish', ...args], { input })
    assert.equal(res.code, 0, res.stderr)
    const match = ID_SEQ.exec(res.stdout.toString())
    assert.ok(match != null, res.stdout.toString())
    return { id: match[1], seq: Number(match[2]) }
  }

  describe('keygen', () => {
    it('writes a 0600 key file and prints the id for the empty salt; --json adds the public key', async () => {
      const { file, id } = await keygen()
      assert.equal(statSync(file).mode & 0o777, 0o600)
      const key = await readKeyFile(file)
      assert.equal(id, Buffer.from(publishId(key.publicKey.raw)).toString('hex'))

      const other = join(root, 'json-key.json')
      const res = await toyrrent(['keygen', '--out', other, '--json'])
      const body = JSON.parse(res.stdout.toString())
      const otherKey = await readKeyFile(other)
      assert.equal(body.publicKey, Buffer.from(otherKey.publicKey.raw).toString('hex'))
      assert.equal(body.id, Buffer.from(publishId(otherKey.publicKey.raw)).toString('hex'))
    })

    it('refuses to overwrite an existing file (exit 1, file unchanged); no --out is exit 2', async () => {
      const { file } = await keygen()
      const before = readFileSync(file, 'utf8')
      const res = await toyrrent(['keygen', '--out', file])
      assert.equal(res.code, 1)
      assert.match(res.stderr, /^toyrrent: key file .* already exists; refusing to overwrite it\n$/)
      assert.equal(readFileSync(file, 'utf8'), before)
      assert.equal((await toyrrent(['keygen'])).code, 2)
    })
  })

  describe('publish and resolve', () => {
    it('publishes on one daemon and resolves the exact bytes from the other', async () => {
      const { file, id } = await keygen()
      const value = randomBytes(3000)
      const published = await publish(['--key', file, '--api', a.api], value)
      assert.deepEqual(published, { id, seq: 1 })
      const res = await toyrrent(['resolve', id, '--api', b.api])
      assert.equal(res.code, 0, res.stderr)
      assert.ok(res.stdout.equals(value), 'bytes differ')
    })

    it('an update bumps seq; resolve --json has the whole record', async () => {
      const { file, id } = await keygen()
      assert.equal((await publish(['--key', file, '--api', a.api, 'one'])).seq, 1)
      assert.equal((await publish(['--key', file, '--api', b.api, 'two'])).seq, 2)
      const res = await toyrrent(['resolve', id, '--json', '--api', a.api])
      assert.equal(res.code, 0, res.stderr)
      const record = JSON.parse(res.stdout.toString())
      const key = await readKeyFile(file)
      assert.deepEqual(record, {
        ...record,
        id,
        seq: '2',
        value: Buffer.from('two').toString('base64'),
        deleted: false,
        publicKey: Buffer.from(key.publicKey.raw).toString('hex'),
        salt: ''
      })
      assert.match(record.signature, /^[0-9a-f]{128}$/)
      assert.equal((await toyrrent(['resolve', id, '--api', b.api])).stdout.toString(), 'two')
    })

    it('a salt gives the same key another id', async () => {
      const { file, id } = await keygen()
      const key = await readKeyFile(file)
      const salted = await publish(['--key', file, '--salt', 'profile', '--api', a.api, 'salted'])
      assert.notEqual(salted.id, id)
      assert.equal(salted.id, Buffer.from(publishId(key.publicKey.raw, Buffer.from('profile'))).toString('hex'))
      assert.equal((await toyrrent(['resolve', salted.id, '--api', b.api])).stdout.toString(), 'salted')
    })

    it('--cas: the right seq replaces (seq = SEQ + 1), a wrong one exits 1 with cas-mismatch', async () => {
      const { file, id } = await keygen()
      assert.equal((await publish(['--key', file, '--cas', '0', '--api', a.api, 'first'])).seq, 1)
      const wrong = await toyrrent(['publish', '--key', file, '--cas', '0', '--api', a.api, 'again'])
      assert.equal(wrong.code, 1)
      assert.match(wrong.stderr, /^toyrrent: .*cas-mismatch.*\n$/)
      assert.equal((await publish(['--key', file, '--cas', '1', '--api', b.api, 'second'])).seq, 2)
      assert.equal((await toyrrent(['resolve', id, '--api', a.api])).stdout.toString(), 'second')
    })

    it('an id nobody published exits 1; a malformed id exits 2', async () => {
      const missing = await toyrrent(['resolve', randomBytes(32).toString('hex'), '--api', a.api])
      assert.equal(missing.code, 1)
      assert.match(missing.stderr, /^toyrrent: .*not found.*\n$/)
      assert.equal((await toyrrent(['resolve', 'xyz', '--api', a.api])).code, 2)
    })
  })

  describe('del', () => {
    it('publishes a tombstone: resolve says deleted (exit 1), --json shows it (exit 0), an older value is refused', async () => {
      const { file, id } = await keygen()
      await publish(['--key', file, '--api', a.api, 'v1'])
      await publish(['--key', file, '--api', a.api, 'v2'])
      const del = await toyrrent(['del', '--key', file, '--api', b.api])
      assert.equal(del.code, 0, del.stderr)
      assert.equal(del.stdout.toString(), `${id} 3\n`)

      const res = await toyrrent(['resolve', id, '--api', a.api])
      assert.equal(res.code, 1)
      assert.equal(res.stdout.length, 0)
      assert.equal(res.stderr, `${id}: deleted (seq 3)\n`)
      const json = await toyrrent(['resolve', id, '--json', '--api', b.api])
      assert.equal(json.code, 0)
      assert.equal(JSON.parse(json.stdout.toString()).deleted, true)

      // an older value, signed by the real key, replayed through the API
      const key = await readKeyFile(file)
      const old = encodePublishRecord(await createPublishRecord({ privateKey: key, seq: 2n, value: Buffer.from('v2') }))
      const replay = await http(a.api, 'POST', '/v1/records', old, { 'Content-Type': 'application/octet-stream' })
      assert.equal(replay.status, 409)
      assert.equal(replay.json.error.code, 'stale-seq')
      const explicit = await toyrrent(['publish', '--key', file, '--seq', '3', '--api', a.api, 'v3?'])
      assert.equal(explicit.code, 1)
      assert.match(explicit.stderr, /^toyrrent: .*stale-seq.*\n$/)

      // the writer may publish again above the tombstone
      assert.equal((await publish(['--key', file, '--api', b.api, 'back'])).seq, 4)
      assert.equal((await toyrrent(['resolve', id, '--api', a.api])).stdout.toString(), 'back')
    })
  })

  describe('what the daemon refuses', () => {
    it('a forged record POSTed to the API is 400 bad-signature and resolve still returns the old value', async () => {
      const { file, id } = await keygen()
      await publish(['--key', file, '--api', a.api, 'genuine'])
      const key = await readKeyFile(file)
      const forged = encodePublishRecord(await createPublishRecord({ privateKey: key, seq: 2n, value: Buffer.from('forged') }))
      forged[forged.byteLength - 10] ^= 0xff // inside the signature, the last field
      const res = await http(b.api, 'POST', '/v1/records', forged, { 'Content-Type': 'application/octet-stream' })
      assert.equal(res.status, 400)
      assert.equal(res.json.error.code, 'bad-signature')
      const got = await toyrrent(['resolve', id, '--api', b.api])
      assert.equal(got.stdout.toString(), 'genuine')
    })
  })

  describe('local checks, before anything is sent', () => {
    // a port nothing listens on: an error naming the problem proves the CLI never tried to send
    let nowhere: string
    before(async () => { nowhere = `127.0.0.1:${await freePort()}` })

    it('a malformed or missing key file exits 1 naming the file; no --key exits 2', async () => {
      const bad = join(root, 'bad-key.json')
      writeFileSync(bad, '{"type":"Ed25519","privateKey":"AAAA"}')
      const malformed = await toyrrent(['publish', '--key', bad, '--api', nowhere, 'x'])
      assert.equal(malformed.code, 1)
      assert.match(malformed.stderr, /^toyrrent: .*bad-key\.json holds a malformed private key.*\n$/)
      writeFileSync(bad, 'not json')
      assert.match((await toyrrent(['del', '--key', bad, '--api', nowhere])).stderr, /bad-key\.json is not a key file: not JSON/)
      const missing = await toyrrent(['publish', '--key', join(root, 'nope.json'), '--api', nowhere, 'x'])
      assert.equal(missing.code, 1)
      assert.match(missing.stderr, /^toyrrent: cannot read key file .*nope\.json: no such file\n$/)
      const noKey = await toyrrent(['publish', '--api', nowhere, 'x'])
      assert.equal(noKey.code, 2)
      assert.match(noKey.stderr, /--key FILE is required/)
    })

    it('an oversize value or salt exits 1 naming the limit', async () => {
      const { file } = await keygen()
      const value = await toyrrent(['publish', '--key', file, '--api', nowhere], { input: Buffer.alloc(65_537) })
      assert.equal(value.code, 1)
      assert.match(value.stderr, /the limit is 65536 bytes/)
      const salt = await toyrrent(['publish', '--key', file, '--salt', 's'.repeat(65), '--api', nowhere, 'x'])
      assert.equal(salt.code, 1)
      assert.match(salt.stderr, /salt is 65 bytes; the limit is 64 bytes/)
    })

    it('a bad --cas or --seq is a usage error', async () => {
      const { file } = await keygen()
      for (const flags of [['--cas', '-1'], ['--cas', 'x'], ['--seq', '0'], ['--seq', '18446744073709551616']]) {
        const res = await toyrrent(['publish', '--key', file, ...flags, '--api', nowhere, 'x'])
        assert.equal(res.code, 2, flags.join(' '))
        assert.match(res.stderr, /usage: toyrrent publish/)
      }
    })
  })
})
