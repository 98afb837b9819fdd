/** Route matching and the error → status table of the HTTP API. */
import assert from 'node:assert/strict'
import { errorReply, MethodNotAllowedError, UnknownRouteError } from '../../../src/api/errors.ts'
import { matchRoute } from '../../../src/api/router.ts'
import { InsufficientPeersError, InvalidInputError, NotFoundError, TimeoutError, TooLargeError } from '../../../src/errors.ts'
import type { Route } from '../../../src/api/router.ts'

const handler = async (): Promise<never> => { throw new Error('not called') }
const routes: Route[] = [
  { method: 'POST', path: '/v1/items', handler },
  { method: 'GET', path: '/v1/items/:key', handler },
  { method: 'DELETE', path: '/v1/items/:key', handler }
]

describe('api router', () => {
  it('matches literal segments and decodes parameters', () => {
    const match = matchRoute(routes, 'GET', '/v1/items/a%20b')
    assert.equal(match.route.path, '/v1/items/:key')
    assert.deepEqual(match.params, { key: 'a b' })
  })

  it('a path with other methods is 405 listing them; an unknown path is 404', () => {
    assert.throws(() => matchRoute(routes, 'PUT', '/v1/items/x'), (err: MethodNotAllowedError) => {
      assert.deepEqual(err.allow, ['GET', 'DELETE'])
      return true
    })
    for (const path of ['/v1/items/', '/v1/items/x/y', '/v1', '/']) {
      assert.throws(() => matchRoute(routes, 'GET', path), UnknownRouteError, path)
    }
  })

  it('maps error codes to statuses', () => {
    const cases: Array<[unknown, number, string]> = [
      [new InvalidInputError('x'), 400, 'bad-input'],
      [new NotFoundError('x'), 404, 'not-found'],
      [new UnknownRouteError('x'), 404, 'unknown-route'],
      [new MethodNotAllowedError('PUT', '/v1/id', ['GET']), 405, 'method-not-allowed'],
      [new TooLargeError('x'), 413, 'too-large'],
      [new InsufficientPeersError('x'), 503, 'insufficient-peers'],
      [new TimeoutError('x'), 504, 'timeout'],
      [new DOMException('gone', 'TimeoutError'), 504, 'timeout'],
      [new Error('boom'), 500, 'internal']
    ]
    for (const [err, status, code] of cases) {
      const reply = errorReply(err)
      assert.equal(reply.status, status, code)
      assert.equal(reply.body.error.code, code)
    }
    assert.equal(errorReply(new MethodNotAllowedError('PUT', '/v1/id', ['GET'])).headers.Allow, 'GET')
  })
})
