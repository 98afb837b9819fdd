/** Command-line parsing helpers: what is a usage error and what is not. */
import assert from 'node:assert/strict'
import { asUsage, parseCommandArgs, parseHostPort, parseInteger, UsageError } from '../../../src/cli/args.ts'
import { parseKey } from '../../../src/records/hash-item.ts'

describe('cli args', () => {
  it('parseHostPort takes HOST:PORT and [v6]:PORT, port 0 included', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:5454'), { host: '127.0.0.1', port: 5454 })
    assert.deepEqual(parseHostPort('localhost:0'), { host: 'localhost', port: 0 })
    assert.deepEqual(parseHostPort('[::1]:80'), { host: '::1', port: 80 })
    for (const bad of ['127.0.0.1', ':80', '1.2.3.4:70000', '::1:80', 'host:port', '']) {
      assert.throws(() => parseHostPort(bad), UsageError, bad)
    }
  })

  it('parseInteger keeps to its range', () => {
    assert.equal(parseInteger('3', 'R', 1, 20), 3)
    for (const bad of ['0', '21', '-1', '1.5', 'x', '']) assert.throws(() => parseInteger(bad, 'R', 1, 20), UsageError)
  })

  it('parseCommandArgs turns unknown flags and wrong argument counts into usage errors', () => {
    const options = { json: { type: 'boolean' as const } }
    assert.deepEqual(parseCommandArgs(['a', '--json'], options, { min: 1, max: 1 }).positionals, ['a'])
    assert.throws(() => parseCommandArgs(['--nope'], options, { min: 0, max: 1 }), /Unknown option '--nope'$/)
    assert.throws(() => parseCommandArgs([], options, { min: 1, max: 1 }), /missing argument/)
    assert.throws(() => parseCommandArgs(['a', 'b'], options, { min: 0, max: 1 }), /unexpected argument "b"/)
  })

  it('asUsage turns an InvalidInputError into a UsageError', () => {
    assert.throws(() => asUsage(() => parseKey('zzz')), UsageError)
    assert.throws(() => asUsage(() => { throw new RangeError('x') }), RangeError)
  })
})
