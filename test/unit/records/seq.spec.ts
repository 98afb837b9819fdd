/** The seq helpers the API and the CLI share (src/records/seq.ts). */
import assert from 'node:assert/strict'
import { NotFoundError, RemoteRejectedError } from '../../../src/errors.ts'
import { ApiError } from '../../../src/api/client.ts'
import { MAX_SEQ } from '../../../src/records/publish-record.ts'
import { nextSeq, parseSeq } from '../../../src/records/seq.ts'

describe('publish record seqs', () => {
  it('parseSeq takes decimal integers from min to max and names the field otherwise', () => {
    assert.equal(parseSeq('0', 'cas', 0n, MAX_SEQ), 0n)
    assert.equal(parseSeq(MAX_SEQ.toString(), 'cas', 0n, MAX_SEQ), MAX_SEQ)
    assert.equal(parseSeq('007', '--seq', 1n, MAX_SEQ), 7n)
    for (const text of ['', '-1', '1.5', 'abc', ' 1', '0x10', (MAX_SEQ + 1n).toString(), '1'.repeat(21)]) {
      assert.throws(() => parseSeq(text, 'cas', 0n, MAX_SEQ), {
        name: 'InvalidInputError',
        message: `cas must be an integer from 0 to ${MAX_SEQ}, got "${text}"`
      })
    }
    assert.throws(() => parseSeq('0', '--seq', 1n, MAX_SEQ), { message: `--seq must be an integer from 1 to ${MAX_SEQ}, got "0"` })
  })

  it('nextSeq: one more than the newest, 1 when nothing is published, other failures passed on', async () => {
    assert.equal(await nextSeq(async () => 41n), 42n)
    assert.equal(await nextSeq(async () => { throw new NotFoundError('none') }), 1n)
    assert.equal(await nextSeq(async () => { throw new ApiError('none', 'not-found', 404) }), 1n)
    await assert.rejects(nextSeq(async () => { throw new RemoteRejectedError('busy', 'busy') }), { name: 'RemoteRejectedError' })
    await assert.rejects(nextSeq(async () => { throw new ApiError('down', 'insufficient-peers', 503) }), { name: 'ApiError' })
  })
})
