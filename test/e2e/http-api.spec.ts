/**
 * The HTTP API against real in-process nodes on loopback: routes, status codes,
 * JSON errors, body limits. A stub node covers deadlines and disconnects.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { MAX_VALUE_BYTES } from '../../src/constants.ts'
import { hashItemKey, keyToCid } from '../../src/records/hash-item.ts'
import { assertError, http, open, readResponse } from '../helpers/http.ts'
import { startApiPair } from '../helpers/api.ts'
import { internals } from '../../src/service/toyrrent.ts'
import type { ApiPair } from '../helpers/api.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { IncomingMessage } from 'node:http'

describe('HTTP API', function () {
  this.timeout(30_000)
  let pair: ApiPair
  let nodes: ToyrrentNode[]
  let api: string

  before(async () => {
    pair = await startApiPair()
    ;({ nodes, api } = pair)
  })

  after(async () => { await pair?.stop() })

  describe('items', () => {
    it('POST /v1/items stores raw bytes: 201 with key, cid and stored', async () => {
      const value = randomBytes(1000)
      const res = await http(api, 'POST', '/v1/items', value, { 'Content-Type': 'application/octet-stream' })
      assert.equal(res.status, 201, res.body.toString())
      const cid = keyToCid(hashItemKey(value))
      assert.equal(res.json.key, cid)
      assert.equal(res.json.cid, cid)
      assert.equal(res.json.hex, Buffer.from(hashItemKey(value)).toString('hex'))
      assert.ok(res.json.stored.length > 0)
      assert.equal(res.headers.location, `/v1/items/${cid}`)

      const got = await http(api, 'GET', `/v1/items/${cid}`)
      assert.equal(got.status, 200)
      assert.equal(got.headers['content-type'], 'application/octet-stream')
      assert.ok(got.body.equals(value))
    })

    it('POST /v1/items takes { "value": base64 } as JSON too', async () => {
      const value = randomBytes(64)
      const res = await http(api, 'POST', '/v1/items', JSON.stringify({ value: value.toString('base64') }), { 'Content-Type': 'application/json' })
      assert.equal(res.status, 201, res.body.toString())
      assert.equal(res.json.key, keyToCid(hashItemKey(value)))
    })

    it('bad JSON, or JSON without a value, is 400 bad-input', async () => {
      assertError(await http(api, 'POST', '/v1/items', '{"value": ', { 'Content-Type': 'application/json' }), 400, 'bad-input')
      assertError(await http(api, 'POST', '/v1/items', '{"other": 1}', { 'Content-Type': 'application/json' }), 400, 'bad-input')
      assertError(await http(api, 'POST', '/v1/items', '{"value": "not base64!"}', { 'Content-Type': 'application/json' }), 400, 'bad-input')
    })

    it('a malformed key is 400 bad-input, a missing one 404 not-found', async () => {
      assertError(await http(api, 'GET', '/v1/items/not-a-key'), 400, 'bad-input')
      assertError(await http(api, 'GET', `/v1/items/${keyToCid(hashItemKey(randomBytes(8)))}`), 404, 'not-found')
    })

    it('a value of exactly 65,536 bytes is accepted', async () => {
      const res = await http(api, 'POST', '/v1/items', randomBytes(MAX_VALUE_BYTES))
      assert.equal(res.status, 201, res.body.toString())
    })

    it('a declared body over the limit is 413 before any of it is read', async () => {
      const req = open(api, 'POST', '/v1/items', { 'Content-Length': 10_000_000 })
      req.on('error', () => {})
      req.flushHeaders()
      const res = await readResponse(await new Promise<IncomingMessage>(resolve => req.once('response', resolve)))
      req.destroy()
      assertError(res, 413, 'too-large')
      assert.match(res.json.error.message, /65536 bytes/)
    })

    it('a streamed (chunked) body is refused with 413 once it passes the limit, without waiting for the rest', async () => {
      const req = open(api, 'POST', '/v1/items', { 'Transfer-Encoding': 'chunked' })
      req.on('error', () => {})
      const response = new Promise<IncomingMessage>(resolve => req.once('response', resolve))
      // 80 KiB written, the body never ended: the reply must come anyway
      req.write(randomBytes(40_000))
      req.write(randomBytes(40_000))
      const res = await readResponse(await response)
      req.destroy()
      assertError(res, 413, 'too-large')
      assert.equal(res.headers.connection, 'close')
    })
  })

  describe('node info', () => {
    it('GET /v1/id, /v1/peers, /v1/health', async () => {
      const id = await http(api, 'GET', '/v1/id')
      assert.equal(id.status, 200)
      assert.equal(id.json.peerId, nodes[0].libp2p.peerId.toString())
      assert.match(id.json.position, /^[0-9a-f]{64}$/)
      assert.ok(id.json.multiaddrs.length > 0)

      const peers = await http(api, 'GET', '/v1/peers')
      assert.equal(peers.status, 200)
      assert.ok(peers.json.peers.some((p: { peerId: string }) => p.peerId === nodes[1].libp2p.peerId.toString()))

      const health = await http(api, 'GET', '/v1/health')
      assert.equal(health.status, 200)
      assert.equal(health.json.ok, true)
    })

    it('GET /v1/find-before-n/:id returns peers nearest first', async () => {
      const res = await http(api, 'GET', `/v1/find-before-n/${'ab'.repeat(32)}?n=2`)
      assert.equal(res.status, 200, res.body.toString())
      assert.equal(res.json.target, 'ab'.repeat(32))
      assert.equal(res.json.peers.length, 2)
      assert.ok(res.json.peers[0].distance <= res.json.peers[1].distance)
    })

    it('find-before-n with a bad n or id is 400', async () => {
      for (const n of ['0', 'abc', '1000', '-1']) {
        assertError(await http(api, 'GET', `/v1/find-before-n/${'ab'.repeat(32)}?n=${n}`), 400, 'bad-input')
      }
      assertError(await http(api, 'GET', '/v1/find-before-n/xyz'), 400, 'bad-input')
    })
  })

  describe('routing', () => {
    it('a known path with the wrong method is 405 with Allow', async () => {
      const res = await http(api, 'DELETE', `/v1/items/${keyToCid(hashItemKey(randomBytes(8)))}`)
      assertError(res, 405, 'method-not-allowed')
      assert.equal(res.headers.allow, 'GET')
      const put = await http(api, 'PUT', '/v1/items', 'x')
      assertError(put, 405, 'method-not-allowed')
      assert.equal(put.headers.allow, 'POST')
    })

    it('an unknown route is 404 unknown-route', async () => {
      for (const path of ['/v1', '/v1/nope', '/v2/items', '/v1/items/a/b']) {
        assertError(await http(api, 'GET', path), 404, 'unknown-route')
      }
    })
  })

  describe('web pages other than the dashboard', () => {
    const port = (): string => api.slice(api.lastIndexOf(':') + 1)

    it('a write from another origin is 403 forbidden and stores nothing; the dashboard\'s own origin and programs (no Origin) may write', async () => {
      const value = randomBytes(100)
      const key = hashItemKey(value)
      for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${Number(port()) + 1}`]) {
        assertError(await http(api, 'POST', '/v1/items', value, { 'content-type': 'application/octet-stream', origin }), 403, 'forbidden')
      }
      assert.ok(nodes.every(n => !n.toyrrent[internals].store.has(key)), 'a refused write stored nothing')
      const own = await http(api, 'POST', '/v1/items', value, { 'content-type': 'application/octet-stream', origin: `http://${api}` })
      assert.equal(own.status, 201, own.body.toString())
      const program = await http(api, 'POST', '/v1/items', randomBytes(100), { 'content-type': 'application/octet-stream' })
      assert.equal(program.status, 201, program.body.toString())
    })

    it('a Host that is not loopback (DNS rebinding) is 403 forbidden, for reads too; localhost is fine', async () => {
      assertError(await http(api, 'GET', '/v1/id', undefined, { host: `rebind.example:${port()}` }), 403, 'forbidden')
      assertError(await http(api, 'GET', '/v1/id', undefined, { host: `10.0.0.1:${port()}` }), 403, 'forbidden')
      assert.equal((await http(api, 'GET', '/v1/id', undefined, { host: `localhost:${port()}` })).status, 200)
    })
  })
})

describe('HTTP API refusals end to end', function () {
  this.timeout(30_000)
  let pair: ApiPair | undefined

  afterEach(async () => {
    await pair?.stop()
    pair = undefined
  })

  it('a write the only other replica refuses as full is 503 insufficient-peers with Retry-After, naming the quota', async () => {
    // the API's node keeps its own users' items (pinned, outside the quota);
    // the other node has no room, and W = 2 of R = 3 needs it
    pair = await startApiPair({ second: { maxStorageBytes: 0 } })
    const res = await http(pair.api, 'POST', '/v1/items', randomBytes(100), { 'Content-Type': 'application/octet-stream' })
    assertError(res, 503, 'insufficient-peers')
    assert.equal(res.headers['retry-after'], '1')
    assert.match(res.json.error.message, /storage quota of 0 bytes reached/)
  })
})
