/**
 * errorReply against the one table of refusals (src/refusals.ts): every code
 * the table lists gets its HTTP status, the retry-later ones a Retry-After,
 * anything else is a 500 internal error.
 */
import assert from 'node:assert/strict'
import { errorReply, MethodNotAllowedError, UnknownRouteError } from '../../../src/api/errors.ts'
import { UsageError } from '../../../src/cli/args.ts'
import { InsufficientPeersError, InvalidInputError, NotFoundError, ProtocolError, PublishRejectedError, RemoteRejectedError, TimeoutError, TooLargeError, ToyrrentError } from '../../../src/errors.ts'
import { isFinal, REFUSALS, refusal } from '../../../src/refusals.ts'

describe('API errors from the refusal table', () => {
  it('a peer\'s refusals: hash-mismatch 422, full 507, busy 503, error 502, the record\'s own 400/409', () => {
    const cases: Array<[string, number]> = [
      ['hash-mismatch', 422],
      ['full', 507],
      ['busy', 503],
      ['error', 502],
      ['unknown-type', 502],
      ['bad-request', 400],
      ['bad-signature', 400],
      ['id-mismatch', 400],
      ['too-large', 413],
      ['stale-seq', 409],
      ['cas-mismatch', 409],
      ['not-found', 404]
    ]
    for (const [code, status] of cases) {
      const reply = errorReply(new RemoteRejectedError(`peer: ${code}`, code))
      assert.equal(reply.status, status, code)
      assert.deepEqual(reply.body, { error: { code, message: `peer: ${code}` } })
    }
  })

  it('the statuses the API always had stay', () => {
    const cases: Array<[unknown, number, string]> = [
      [new InvalidInputError('x'), 400, 'bad-input'],
      [new PublishRejectedError('stale-seq', 'x'), 409, 'stale-seq'],
      [new PublishRejectedError('bad-signature', 'x'), 400, 'bad-signature'],
      [new NotFoundError('x'), 404, 'not-found'],
      [new UnknownRouteError('x'), 404, 'unknown-route'],
      [new MethodNotAllowedError('PUT', '/v1/id', ['GET']), 405, 'method-not-allowed'],
      [new TooLargeError('x'), 413, 'too-large'],
      [Object.assign(new ToyrrentError('x'), { code: 'unsupported-media-type' }), 415, 'unsupported-media-type'],
      [new InsufficientPeersError('x'), 503, 'insufficient-peers'],
      [new TimeoutError('x'), 504, 'timeout'],
      [new DOMException('gone', 'TimeoutError'), 504, 'timeout'],
      [new DOMException('gone', 'AbortError'), 504, 'timeout']
    ]
    for (const [err, status, code] of cases) {
      const reply = errorReply(err)
      assert.equal(reply.status, status, code)
      assert.equal(reply.body.error.code, code)
    }
  })

  it('busy and insufficient-peers say Retry-After: 1; nothing else does', () => {
    assert.equal(errorReply(new RemoteRejectedError('x', 'busy')).headers['Retry-After'], '1')
    assert.equal(errorReply(new InsufficientPeersError('x')).headers['Retry-After'], '1')
    for (const code of Object.keys(REFUSALS).filter(c => c !== 'busy' && c !== 'insufficient-peers')) {
      assert.equal(errorReply(new RemoteRejectedError('x', code)).headers['Retry-After'], undefined, code)
    }
    assert.deepEqual(errorReply(new MethodNotAllowedError('PUT', '/v1/id', ['GET', 'HEAD'])).headers, { Allow: 'GET, HEAD' })
  })

  it('every code the table lists gets its own HTTP status', () => {
    for (const [code, entry] of Object.entries(REFUSALS)) {
      const reply = errorReply(new RemoteRejectedError('x', code))
      assert.equal(reply.status, entry.http, code)
      assert.equal(reply.body.error.code, code)
    }
  })

  it('a bug, a plain ToyrrentError, a protocol break or an unlisted code: 500 internal or 502', () => {
    for (const err of [new Error('boom'), new ToyrrentError('x'), new RemoteRejectedError('x', 'no-such-code'), 'a string']) {
      const reply = errorReply(err)
      assert.equal(reply.status, 500, String(err))
      assert.equal(reply.body.error.code, 'internal')
    }
    assert.equal(new ToyrrentError('x').code, 'internal')
    assert.equal(errorReply(new ProtocolError('x')).status, 502)
  })

  it('the CLI reads the same table: usage exits 2, an unknown outcome 3, everything else 1', () => {
    assert.equal(refusal(new UsageError('x').code).exit, 2)
    assert.equal(refusal('outcome-unknown').exit, 3)
    for (const code of Object.keys(REFUSALS).filter(c => c !== 'usage' && c !== 'outcome-unknown')) assert.equal(refusal(code).exit, 1, code)
    assert.equal(refusal('no-such-code').exit, 1)
  })

  it('final refusals: the record\'s own, plus hash-mismatch and not-found; never a peer\'s or the moment\'s', () => {
    for (const code of ['stale-seq', 'cas-mismatch', 'bad-signature', 'id-mismatch', 'bad-request', 'too-large', 'hash-mismatch', 'not-found']) {
      assert.equal(isFinal(code), true, code)
    }
    for (const code of ['full', 'busy', 'error', 'unknown-type', 'protocol-error', 'insufficient-peers', 'timeout', 'internal', 'no-such-code']) {
      assert.equal(isFinal(code), false, code)
    }
  })
})
