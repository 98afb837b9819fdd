/**
 * The chaos test's checker (scripts/lib/chaos/checker.ts) on hand-made
 * histories: a clean one passes, and each broken promise is flagged by its
 * own check and by no other.
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { check } from '../../../scripts/lib/chaos/checker.ts'
import type { CheckName } from '../../../scripts/lib/chaos/checker.ts'
import type { History, Op } from '../../../scripts/lib/chaos/history.ts'

const R = 3
const ID = 'aa'.repeat(32)
const OTHER = 'bb'.repeat(32)
const VALUE = Buffer.from('hello chaos').toString('hex')
const KEY = createHash('sha256').update(Buffer.from(VALUE, 'hex')).digest('hex')

/** A tiny history builder: ops in order, times given by hand. */
function history (...ops: Array<Omit<Op, 'index' | 'client' | 'node' | 'phase'> & Partial<Op>>): History {
  return { ops: ops.map((op, index) => ({ client: 'c0', node: 'n0', phase: 'run', ...op, index } as Op)), faults: [] }
}

/** An acknowledged put with its final read and holders observation: a healthy hash item. */
const healthyItem = [
  { kind: 'put', start: 0, end: 5, outcome: 'ok', key: KEY, value: VALUE },
  { kind: 'get', start: 10, end: 12, outcome: 'ok', key: KEY, value: VALUE },
  { kind: 'holders', phase: 'final', start: 100, end: 101, outcome: 'ok', key: KEY, holders: { holding: 3, replicas: 3 } },
  { kind: 'get', phase: 'final', start: 102, end: 103, outcome: 'ok', key: KEY, value: VALUE }
] as const

/** A publish of seq 1 and a CAS from 1 to 2 acknowledged, read back. */
const healthyRecord = [
  { kind: 'publish', start: 0, end: 5, outcome: 'ok', id: ID, seq: '1', text: 'w1' },
  { kind: 'cas', start: 10, end: 15, outcome: 'ok', id: ID, seq: '2', cas: '1', text: 'w2' },
  { kind: 'resolve', start: 20, end: 22, outcome: 'ok', id: ID, read: { seq: '2', text: 'w2' } }
] as const

/** A final-phase resolve of ID reading `text` at `seq`. */
const finalResolve = (seq: string, text: string) => ({ kind: 'resolve', phase: 'final', start: 110, end: 111, outcome: 'ok', id: ID, read: { seq, text } }) as const

function flagged (h: History): CheckName[] {
  return check(h, { replicas: R }).violations.map(v => v.check)
}

describe('chaos checker', () => {
  it('passes a healthy history and counts what it checked', () => {
    const result = check(history(...healthyItem, ...healthyRecord, finalResolve('2', 'w2')), { replicas: R })
    expect(result.violations).to.deep.equal([])
    expect(result.checked['hash-lost']).to.equal(1)
    expect(result.checked['cas-double-ack']).to.equal(1)
    expect(result.checked['stale-resolve']).to.equal(2)
  })

  it('flags a CAS acknowledged twice for one (id, expected seq)', () => {
    const h = history(...healthyRecord,
      { kind: 'cas', client: 'c1', node: 'n1', start: 30, end: 34, outcome: 'ok', id: ID, seq: '3', cas: '2', text: 'w3a' },
      { kind: 'cas', client: 'c2', node: 'n2', start: 31, end: 35, outcome: 'ok', id: ID, seq: '3', cas: '2', text: 'w3b' },
      finalResolve('3', 'w3b'))
    expect(flagged(h)).to.deep.equal(['cas-double-ack'])
  })

  it('allows one winner among racing CAS writers, whatever the others were told', () => {
    const h = history(...healthyRecord,
      { kind: 'cas', client: 'c1', start: 30, end: 34, outcome: 'ok', id: ID, seq: '3', cas: '2', text: 'w3a' },
      { kind: 'cas', client: 'c2', start: 31, end: 35, outcome: 'fail', error: 'cas-mismatch', id: ID, seq: '3', cas: '2', text: 'w3b' },
      { kind: 'cas', client: 'c3', start: 31, end: 60, outcome: 'unknown', error: 'outcome-unknown', id: ID, seq: '3', cas: '2', text: 'w3c' },
      { kind: 'resolve', start: 70, end: 71, outcome: 'ok', id: ID, read: { seq: '3', text: 'w3a' } },
      finalResolve('3', 'w3a'))
    expect(flagged(h)).to.deep.equal([])
  })

  it('flags a write refused with cas-mismatch that a later resolve returns', () => {
    const h = history(...healthyRecord,
      { kind: 'cas', client: 'c1', start: 30, end: 34, outcome: 'fail', error: 'cas-mismatch', id: ID, seq: '3', cas: '2', text: 'w3' },
      { kind: 'resolve', start: 214, end: 216, outcome: 'ok', id: ID, read: { seq: '3', text: 'w3' } },
      finalResolve('2', 'w2'))
    expect(flagged(h)).to.deep.equal(['refused-visible'])
  })

  it('flags a CAS acknowledged on top of a seq only a refused write had', () => {
    const h = history(...healthyRecord,
      { kind: 'cas', client: 'c1', start: 30, end: 34, outcome: 'fail', error: 'cas-mismatch', id: ID, seq: '3', cas: '2', text: 'w3' },
      { kind: 'cas', client: 'c2', start: 40, end: 44, outcome: 'ok', id: ID, seq: '4', cas: '3', text: 'w4' },
      finalResolve('4', 'w4'))
    expect(flagged(h)).to.deep.equal(['cas-without-basis'])
    // the same on top of a write whose outcome is unknown is fine
    const unknown = history(...h.ops.map(op => op.text === 'w3' ? { ...op, outcome: 'unknown' as const, error: 'outcome-unknown' } : op))
    expect(flagged(unknown)).to.deep.equal([])
  })

  it('lets a write with an unknown outcome be visible, or not', () => {
    const h = history(...healthyRecord,
      { kind: 'cas', client: 'c1', start: 30, end: 34, outcome: 'unknown', error: 'outcome-unknown', id: ID, seq: '3', cas: '2', text: 'w3' },
      { kind: 'resolve', start: 40, end: 41, outcome: 'ok', id: ID, read: { seq: '2', text: 'w2' } },
      { kind: 'resolve', start: 50, end: 51, outcome: 'ok', id: ID, read: { seq: '3', text: 'w3' } },
      finalResolve('3', 'w3'))
    expect(flagged(h)).to.deep.equal([])
  })

  it('flags a resolve that started after seq 2 was acknowledged and returned seq 1', () => {
    const h = history(...healthyRecord,
      { kind: 'resolve', client: 'c4', node: 'n4', start: 41, end: 42, outcome: 'ok', id: ID, read: { seq: '1', text: 'w1' } },
      finalResolve('2', 'w2'))
    expect(flagged(h)).to.deep.equal(['stale-resolve'])
  })

  it('flags a not-found resolve after an acknowledged publish, not one concurrent with it', () => {
    const concurrent = history(
      { kind: 'publish', start: 0, end: 50, outcome: 'ok', id: ID, seq: '1', text: 'w1' },
      { kind: 'resolve', start: 10, end: 12, outcome: 'fail', error: 'not-found', id: ID },
      { kind: 'resolve', phase: 'final', start: 110, end: 111, outcome: 'ok', id: ID, read: { seq: '1', text: 'w1' } })
    expect(flagged(concurrent)).to.deep.equal([])
    const after = history(...concurrent.ops,
      { kind: 'resolve', start: 60, end: 62, outcome: 'fail', error: 'not-found', id: ID })
    expect(flagged(after)).to.deep.equal(['stale-resolve'])
  })

  it('flags a read of a value nobody wrote', () => {
    const h = history(...healthyRecord,
      { kind: 'resolve', start: 41, end: 42, outcome: 'ok', id: ID, read: { seq: '7', text: 'forged' } },
      finalResolve('2', 'w2'))
    expect(flagged(h)).to.deep.equal(['phantom-read'])
  })

  it('flags two different publishes acknowledged at one seq', () => {
    const h = history(...healthyRecord,
      { kind: 'publish', client: 'c1', start: 30, end: 34, outcome: 'ok', id: ID, seq: '5', text: 'w5a' },
      { kind: 'publish', client: 'c2', start: 31, end: 35, outcome: 'ok', id: ID, seq: '5', text: 'w5b' },
      finalResolve('5', 'w5a'))
    expect(flagged(h)).to.deep.equal(['seq-conflict-ack'])
  })

  it('flags an id with acknowledged writes that no final resolve could read', () => {
    const h = history(
      { kind: 'publish', start: 0, end: 5, outcome: 'ok', id: OTHER, seq: '1', text: 'x1' },
      { kind: 'resolve', phase: 'final', start: 110, end: 111, outcome: 'fail', error: 'timeout', id: OTHER })
    expect(flagged(h)).to.deep.equal(['publish-unreadable'])
  })

  it('flags an acknowledged hash item that the final reads do not find', () => {
    const h = history(
      { kind: 'put', start: 0, end: 5, outcome: 'ok', key: KEY, value: VALUE },
      { kind: 'holders', phase: 'final', start: 100, end: 101, outcome: 'ok', key: KEY, holders: { holding: 3, replicas: 3 } },
      { kind: 'get', phase: 'final', start: 102, end: 103, outcome: 'fail', error: 'not-found', key: KEY },
      { kind: 'get', phase: 'final', start: 104, end: 105, outcome: 'fail', error: 'not-found', key: KEY })
    expect(flagged(h)).to.deep.equal(['hash-lost'])
  })

  it('does not require an unacknowledged put to survive', () => {
    const h = history(
      { kind: 'put', start: 0, end: 5, outcome: 'unknown', error: 'client-timeout', key: KEY, value: VALUE },
      { kind: 'get', phase: 'final', start: 102, end: 103, outcome: 'fail', error: 'not-found', key: KEY })
    expect(flagged(h)).to.deep.equal([])
  })

  it('flags wrong bytes for a key', () => {
    const h = history(...healthyItem,
      { kind: 'get', start: 20, end: 21, outcome: 'ok', key: KEY, value: Buffer.from('hello chaoz').toString('hex') })
    expect(flagged(h)).to.deep.equal(['hash-wrong-bytes'])
  })

  it('flags not-found for a hash item acknowledged before the get started', () => {
    const h = history(...healthyItem,
      { kind: 'get', start: 20, end: 21, outcome: 'fail', error: 'not-found', key: KEY })
    expect(flagged(h)).to.deep.equal(['hash-not-found-after-ack'])
  })

  it('flags an item on fewer than R nodes by its last holders observation only', () => {
    const early = { kind: 'holders', phase: 'final', start: 90, end: 91, outcome: 'ok', key: KEY, holders: { holding: 2, replicas: 3 } } as const
    expect(flagged(history(early, ...healthyItem))).to.deep.equal([])
    const late = { ...early, start: 200, end: 201 }
    expect(flagged(history(...healthyItem, late))).to.deep.equal(['hash-under-replicated'])
  })
})
