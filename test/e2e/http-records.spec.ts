/**
 * `/v1/records`: publish items through the HTTP API against real in-process
 * nodes on loopback. Records are signed here, as a client would; the API only
 * relays them. Status codes, headers, JSON shapes and body limits.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createPublishRecord, encodePublishRecord, MAX_PUBLISH_RECORD_BYTES, PublishRecord, publishId } from '../../src/records/publish-record.ts'
import { assertError, http, open, readResponse } from '../helpers/http.ts'
import { startApiPair } from '../helpers/api.ts'
import type { ApiPair } from '../helpers/api.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { IncomingMessage } from 'node:http'

const OCTETS = { 'Content-Type': 'application/octet-stream' }

describe('HTTP API: publish records', function () {
  this.timeout(30_000)
  let pair: ApiPair
  let nodes: ToyrrentNode[]
  let api: string

  before(async () => {
    pair = await startApiPair()
    ;({ nodes, api } = pair)
  })

  after(async () => { await pair?.stop() })

  async function signed (key: Ed25519PrivateKey, seq: bigint, value: string, deleted = false): Promise<Uint8Array> {
    return encodePublishRecord(await createPublishRecord({ privateKey: key, seq, value: deleted ? undefined : Buffer.from(value), deleted }))
  }

  async function fresh (): Promise<{ key: Ed25519PrivateKey, id: string }> {
    const key = await generateKeyPair('Ed25519')
    return { key, id: Buffer.from(publishId(key.publicKey.raw)).toString('hex') }
  }

  it('POST /v1/records relays a signed record: 201 with id, seq and stored; GET gives the raw value with seq headers', async () => {
    const { key, id } = await fresh()
    const res = await http(api, 'POST', '/v1/records', await signed(key, 1n, 'first'), OCTETS)
    assert.equal(res.status, 201, res.body.toString())
    assert.equal(res.json.id, id)
    assert.equal(res.json.seq, '1')
    assert.ok(res.json.stored.length > 0)
    assert.equal(res.headers.location, `/v1/records/${id}`)

    const got = await http(api, 'GET', `/v1/records/${id}`)
    assert.equal(got.status, 200)
    assert.equal(got.headers['content-type'], 'application/octet-stream')
    assert.equal(got.headers['x-toyrrent-seq'], '1')
    assert.equal(got.headers['x-toyrrent-deleted'], 'false')
    assert.equal(got.body.toString(), 'first')
  })

  it('?format=json or Accept: application/json gives the whole record', async () => {
    const { key, id } = await fresh()
    await http(api, 'POST', '/v1/records', await signed(key, 7n, 'as json'), OCTETS)
    for (const [path, headers] of [[`/v1/records/${id}?format=json`, {}], [`/v1/records/${id}`, { Accept: 'application/json' }]] as const) {
      const res = await http(api, 'GET', path, undefined, headers)
      assert.equal(res.status, 200)
      assert.deepEqual(Object.keys(res.json).sort(), ['deleted', 'id', 'publicKey', 'salt', 'seq', 'signature', 'value'])
      assert.equal(res.json.id, id)
      assert.equal(res.json.seq, '7')
      assert.equal(Buffer.from(res.json.value, 'base64').toString(), 'as json')
      assert.equal(res.json.deleted, false)
      assert.equal(res.json.publicKey, Buffer.from(key.publicKey.raw).toString('hex'))
      assert.equal(res.json.salt, '')
      assert.match(res.json.signature, /^[0-9a-f]{128}$/)
    }
    assertError(await http(api, 'GET', `/v1/records/${id}?format=xml`), 400, 'bad-input')
  })

  it('an older or equal seq is 409 stale-seq; a wrong ?cas is 409 cas-mismatch, the right one replaces', async () => {
    const { key, id } = await fresh()
    assert.equal((await http(api, 'POST', '/v1/records?cas=0', await signed(key, 5n, 'five'), OCTETS)).status, 201)
    assertError(await http(api, 'POST', '/v1/records', await signed(key, 4n, 'four'), OCTETS), 409, 'stale-seq')
    assertError(await http(api, 'POST', '/v1/records', await signed(key, 5n, 'other five'), OCTETS), 409, 'stale-seq')
    assertError(await http(api, 'POST', '/v1/records?cas=0', await signed(key, 6n, 'six'), OCTETS), 409, 'cas-mismatch')
    assertError(await http(api, 'POST', '/v1/records?cas=4', await signed(key, 6n, 'six'), OCTETS), 409, 'cas-mismatch')
    assert.equal((await http(api, 'POST', '/v1/records?cas=5', await signed(key, 6n, 'six'), OCTETS)).status, 201)
    assert.equal((await http(api, 'GET', `/v1/records/${id}`)).body.toString(), 'six')
    assertError(await http(api, 'POST', '/v1/records?cas=x', await signed(key, 9n, 'nine'), OCTETS), 400, 'bad-input')
  })

  it('a forged signature is 400 bad-signature and the stored value stays', async () => {
    const { key, id } = await fresh()
    await http(api, 'POST', '/v1/records', await signed(key, 1n, 'genuine'), OCTETS)
    const forged = await signed(key, 2n, 'forged')
    forged[forged.byteLength - 1] ^= 0x01 // the signature is the last field
    assertError(await http(api, 'POST', '/v1/records', forged, OCTETS), 400, 'bad-signature')
    const got = await http(api, 'GET', `/v1/records/${id}`)
    assert.equal(got.body.toString(), 'genuine')
    assert.equal(got.headers['x-toyrrent-seq'], '1')
  })

  it('bytes that are not a canonical record are 400 bad-request', async () => {
    assertError(await http(api, 'POST', '/v1/records', 'not a record', OCTETS), 400, 'bad-request')
    const { key } = await fresh()
    const record = await signed(key, 1n, 'x')
    assertError(await http(api, 'POST', '/v1/records', Buffer.concat([record, Buffer.from([0x38, 0x01])]), OCTETS), 400, 'bad-request')
  })

  it('a value over 65,536 bytes inside a record is 413; so is a body over the record limit, streamed or declared', async () => {
    const big = PublishRecord.encode({ publicKey: new Uint8Array(32), salt: new Uint8Array(0), seq: 1n, flags: 0, value: new Uint8Array(65_537), signature: new Uint8Array(64) })
    assertError(await http(api, 'POST', '/v1/records', big, OCTETS), 413, 'too-large')

    const declared = open(api, 'POST', '/v1/records', { 'Content-Length': 10_000_000 })
    declared.on('error', () => {})
    declared.flushHeaders()
    const res = await readResponse(await new Promise<IncomingMessage>(resolve => declared.once('response', resolve)))
    declared.destroy()
    assertError(res, 413, 'too-large')
    assert.match(res.json.error.message, new RegExp(`${MAX_PUBLISH_RECORD_BYTES} bytes`))

    const streamed = open(api, 'POST', '/v1/records', { 'Transfer-Encoding': 'chunked' })
    streamed.on('error', () => {})
    const response = new Promise<IncomingMessage>(resolve => streamed.once('response', resolve))
    streamed.write(randomBytes(40_000))
    streamed.write(randomBytes(40_000)) // never ended: the reply must come anyway
    const refused = await readResponse(await response)
    streamed.destroy()
    assertError(refused, 413, 'too-large')
  })

  it('a deleted id is 410 deleted with its seq; as JSON it is 200 with deleted: true', async () => {
    const { key, id } = await fresh()
    await http(api, 'POST', '/v1/records', await signed(key, 1n, 'soon gone'), OCTETS)
    assert.equal((await http(api, 'POST', '/v1/records', await signed(key, 2n, '', true), OCTETS)).status, 201)
    const gone = await http(api, 'GET', `/v1/records/${id}`)
    assertError(gone, 410, 'deleted')
    assert.equal(gone.json.seq, '2')
    assert.equal(gone.headers['x-toyrrent-deleted'], 'true')
    const json = await http(api, 'GET', `/v1/records/${id}?format=json`)
    assert.equal(json.status, 200)
    assert.equal(json.json.deleted, true)
    assert.equal(json.json.value, '')
    assertError(await http(api, 'POST', '/v1/records', await signed(key, 1n, 'soon gone'), OCTETS), 409, 'stale-seq')
  })

  it('an id nobody published is 404 not-found; a malformed one 400; other methods 405', async () => {
    assertError(await http(api, 'GET', `/v1/records/${randomBytes(32).toString('hex')}`), 404, 'not-found')
    assertError(await http(api, 'GET', '/v1/records/nope'), 400, 'bad-input')
    const res = await http(api, 'DELETE', `/v1/records/${'00'.repeat(32)}`)
    assertError(res, 405, 'method-not-allowed')
    assert.equal(res.headers.allow, 'GET')
  })
})
