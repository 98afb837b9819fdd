/**
 * The checker of a chaos history. Pure: a history in, the checks made and the
 * violations found out. What it holds the system to:
 *
 * Hash items
 * - `hash-wrong-bytes`: a get answered 200 with bytes other than the value put
 *   under that key (or that do not hash to it).
 * - `hash-not-found-after-ack`: a get that started after the put of its key
 *   was acknowledged answered `not-found` (the README: not-found is never the
 *   answer for an item that exists; insufficient-peers is).
 * - `hash-lost`: an acknowledged put none of whose final-phase gets (after the
 *   nemesis stopped and repair ran) returned its bytes.
 * - `hash-under-replicated`: an acknowledged put whose last final-phase
 *   `holders` observation shows fewer than R of its replica set holding it.
 *
 * Publish records (single-writer publishes and CAS writes)
 * - `cas-double-ack`: more than one CAS write acknowledged for one
 *   (id, expected seq).
 * - `cas-without-basis`: a CAS write acknowledged with expected seq s > 0
 *   although no write of seq s to that id can have happened (none was
 *   acknowledged or left unknown): the swap compared against a value that
 *   never existed, e.g. a refused one.
 * - `seq-conflict-ack`: two acknowledged writes of one (id, seq) with
 *   different values, at least one not a CAS (CAS pairs are cas-double-ack).
 * - `refused-visible`: a resolve returned the value of a write that was
 *   definitely refused (outcome `fail`, e.g. 409 cas-mismatch / stale-seq).
 * - `stale-resolve`: a resolve that started after a write of seq s to its id
 *   was acknowledged returned a seq below s, or not-found.
 * - `phantom-read`: a resolve returned a value no write of that id had been
 *   invoked with before the resolve completed, or at another seq.
 * - `publish-unreadable`: an id with an acknowledged write none of whose
 *   final-phase resolves succeeded.
 *
 * Operations with outcome `unknown` may or may not have taken effect: their
 * values may be read (no phantom), at any time after they were invoked, and
 * they never make a later read stale.
 */
import { createHash } from 'node:crypto'
import type { History, Op } from './history.ts'

export const CHECKS = [
  'hash-wrong-bytes', 'hash-not-found-after-ack', 'hash-lost', 'hash-under-replicated',
  'cas-double-ack', 'cas-without-basis', 'seq-conflict-ack', 'refused-visible', 'stale-resolve', 'phantom-read', 'publish-unreadable'
] as const
export type CheckName = typeof CHECKS[number]

export interface Violation {
  check: CheckName
  message: string
  /** Indexes of the operations involved. */
  ops: number[]
}

export interface CheckResult {
  /** How many things each check looked at. */
  checked: Record<CheckName, number>
  violations: Violation[]
  /** Violations per check (every check listed, 0 when none). */
  counts: Record<CheckName, number>
}

export interface CheckOptions {
  /** Replication factor: copies every item must be back on. */
  replicas: number
}

const sha256Hex = (hex: string): string => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex')

function zero (): Record<CheckName, number> {
  return Object.fromEntries(CHECKS.map(c => [c, 0])) as Record<CheckName, number>
}

function groupBy<K> (ops: Op[], key: (op: Op) => K | undefined): Map<K, Op[]> {
  const out = new Map<K, Op[]>()
  for (const op of ops) {
    const k = key(op)
    if (k === undefined) continue
    let list = out.get(k)
    if (list == null) out.set(k, list = [])
    list.push(op)
  }
  return out
}

const describe = (op: Op): string =>
  `#${op.index} ${op.client} ${op.kind}${op.seq != null ? ` seq ${op.seq}` : ''}${op.cas != null ? ` cas ${op.cas}` : ''} via ${op.node} [${op.start}–${op.end ?? '?'} ms] ${op.outcome ?? 'in flight'}${op.error != null ? ` (${op.error})` : ''}`

/** When a refusal came, relative to a read that saw the refused value. */
function refusedWhen (write: Op, read: Op): string {
  const gap = Math.round(read.start - (write.end ?? write.start))
  return gap >= 0 ? `${gap} ms before the resolve started` : `while the resolve ran (${-gap} ms after it started)`
}

export function check (history: History, options: CheckOptions): CheckResult {
  const checked = zero()
  const violations: Violation[] = []
  const flag = (check: CheckName, message: string, ops: Op[]): void => {
    violations.push({ check, message, ops: ops.map(op => op.index) })
  }
  const ops = history.ops

  // ---------------------------------------------------------------- hash items
  const puts = groupBy(ops.filter(op => op.kind === 'put' && op.key != null), op => op.key)
  const putValue = (key: string): string | undefined => puts.get(key)?.[0]?.value
  const firstAck = (list: Op[] | undefined): Op | undefined => list
    ?.filter(op => op.outcome === 'ok' && op.end != null)
    .sort((a, b) => (a.end as number) - (b.end as number))[0]

  for (const get of ops.filter(op => op.kind === 'get' && op.key != null)) {
    const key = get.key as string
    if (get.outcome === 'ok') {
      checked['hash-wrong-bytes']++
      const expected = putValue(key)
      if (get.value == null || sha256Hex(get.value) !== key || (expected != null && get.value !== expected)) {
        flag('hash-wrong-bytes', `get of ${key} returned ${(get.value?.length ?? 0) / 2} bytes that are not the value put: ${describe(get)}`, [get])
      }
    }
    if (get.phase === 'run') {
      const ack = firstAck(puts.get(key))
      if (ack != null && (ack.end as number) < get.start) {
        checked['hash-not-found-after-ack']++
        if (get.outcome === 'fail' && get.error === 'not-found') {
          flag('hash-not-found-after-ack', `get of ${key} answered not-found although its put was acknowledged ${Math.round(get.start - (ack.end as number))} ms before: ${describe(get)}; put ${describe(ack)}`, [get, ack])
        }
      }
    }
  }

  const finalGets = groupBy(ops.filter(op => op.kind === 'get' && op.phase === 'final'), op => op.key)
  const finalHolders = groupBy(ops.filter(op => op.kind === 'holders' && op.phase === 'final'), op => op.key)
  for (const [key, list] of puts) {
    const ack = firstAck(list)
    if (ack == null) continue
    checked['hash-lost']++
    const reads = finalGets.get(key) ?? []
    if (!reads.some(op => op.outcome === 'ok' && op.value === ack.value)) {
      flag('hash-lost', `acknowledged put of ${key} not readable after healing (${reads.length} final gets: ${reads.map(r => r.outcome === 'ok' ? 'ok' : r.error).join(', ') || 'none'}): put ${describe(ack)}`, [ack, ...reads])
    }
    checked['hash-under-replicated']++
    const observed = (finalHolders.get(key) ?? []).sort((a, b) => (a.end ?? a.start) - (b.end ?? b.start))
    const last = observed[observed.length - 1]
    if (last?.outcome !== 'ok' || last.holders == null || last.holders.holding < options.replicas) {
      const what = last == null ? 'never observed' : last.outcome === 'ok' ? `${last.holders?.holding} of ${last.holders?.replicas} replicas hold it` : `holders failed (${last.error})`
      flag('hash-under-replicated', `acknowledged put of ${key} not back on ${options.replicas} nodes after healing: ${what}`, last == null ? [ack] : [ack, last])
    }
  }

  // ----------------------------------------------------------- publish records
  const writes = ops.filter(op => (op.kind === 'publish' || op.kind === 'cas') && op.id != null)
  const writesById = groupBy(writes, op => op.id)
  const writeByText = new Map<string, Op>()
  for (const w of writes) if (w.text != null) writeByText.set(`${w.id}/${w.text}`, w)

  // at most one acknowledgement per (id, expected seq)
  for (const [, list] of groupBy(writes.filter(op => op.kind === 'cas' && op.cas != null), op => `${op.id}/${op.cas}`)) {
    checked['cas-double-ack']++
    const acked = list.filter(op => op.outcome === 'ok')
    if (acked.length > 1) {
      flag('cas-double-ack', `${acked.length} CAS writes acknowledged for id ${acked[0].id} with cas ${acked[0].cas}: ${acked.map(describe).join('; ')}`, acked)
    }
  }
  // a swap acknowledged on top of seq s needs a write of seq s that may have happened
  const mayHaveHappened = new Set(writes.filter(op => op.outcome !== 'fail').map(op => `${op.id}/${op.seq}`))
  for (const cas of writes.filter(op => op.kind === 'cas' && op.outcome === 'ok' && op.cas != null && op.cas !== '0')) {
    checked['cas-without-basis']++
    if (!mayHaveHappened.has(`${cas.id}/${cas.cas}`)) {
      const refused = writes.filter(op => op.id === cas.id && op.seq === cas.cas)
      flag('cas-without-basis', `CAS write acknowledged on top of seq ${cas.cas} of id ${cas.id}, which no write that may have happened had (${refused.length} refused): ${describe(cas)}`, [cas, ...refused])
    }
  }
  for (const [, list] of groupBy(writes, op => `${op.id}/${op.seq}`)) {
    const acked = list.filter(op => op.outcome === 'ok')
    if (acked.length < 2) continue
    checked['seq-conflict-ack']++
    const texts = new Set(acked.map(op => op.text))
    if (texts.size > 1 && acked.some(op => op.kind !== 'cas')) {
      flag('seq-conflict-ack', `${acked.length} different writes acknowledged for id ${acked[0].id} seq ${acked[0].seq}: ${acked.map(describe).join('; ')}`, acked)
    }
  }

  const resolves = ops.filter(op => op.kind === 'resolve' && op.id != null)
  for (const r of resolves) {
    const id = r.id as string
    const idWrites = writesById.get(id) ?? []
    if (r.outcome === 'ok' && r.read != null) {
      const source = writeByText.get(`${id}/${r.read.text}`)
      checked['refused-visible']++
      if (source?.outcome === 'fail') {
        flag('refused-visible', `resolve of ${id} returned seq ${r.read.seq}, the value of a write refused with ${source.error} ${refusedWhen(source, r)}: resolve ${describe(r)}; write ${describe(source)}`, [r, source])
      }
      checked['phantom-read']++
      if (source == null || source.seq !== r.read.seq || source.start > (r.end ?? Infinity)) {
        flag('phantom-read', `resolve of ${id} returned seq ${r.read.seq} "${r.read.text.slice(0, 40)}", which no write of that id had been invoked with: ${describe(r)}`, source == null ? [r] : [r, source])
      }
    }
    // monotonic after acknowledged writes
    const before = idWrites.filter(w => w.outcome === 'ok' && (w.end as number) < r.start)
    if (before.length === 0) continue
    if (r.outcome !== 'ok' && r.error !== 'not-found') continue // no answer: says nothing
    checked['stale-resolve']++
    const newest = before.reduce((a, b) => BigInt(b.seq as string) > BigInt(a.seq as string) ? b : a)
    const got = r.outcome === 'ok' && r.read != null ? BigInt(r.read.seq) : -1n
    if (got < BigInt(newest.seq as string)) {
      flag('stale-resolve', `resolve of ${id} returned ${got < 0n ? 'not-found' : `seq ${got}`} although seq ${newest.seq} was acknowledged ${Math.round(r.start - (newest.end as number))} ms before it started: resolve ${describe(r)}; write ${describe(newest)}`, [r, newest])
    }
  }

  const finalResolves = groupBy(resolves.filter(op => op.phase === 'final'), op => op.id)
  for (const [id, list] of writesById) {
    const ack = list.find(op => op.outcome === 'ok')
    if (ack == null) continue
    checked['publish-unreadable']++
    const reads = finalResolves.get(id) ?? []
    if (!reads.some(op => op.outcome === 'ok')) {
      flag('publish-unreadable', `id ${id} has acknowledged writes but no final resolve succeeded (${reads.map(r => r.error).join(', ') || 'none made'})`, [ack, ...reads])
    }
  }

  const counts = zero()
  for (const v of violations) counts[v.check]++
  return { checked, violations, counts }
}
