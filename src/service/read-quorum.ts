/**
 * When a resolve may stop asking: once a read quorum (R − W + 1 answers, our
 * own copy counted when we are one of the R nearest) agree on the same
 * record (same seq and same bytes: two records at one seq are a conflict, not
 * agreement) and none of them named a peer nearer to the id than the
 * replicas asked, no W-acknowledged write can be missing. Until then the
 * lookup stays narrow while the answers agree, and widens to the whole
 * replica set as soon as one is missing, older than another or different.
 *
 * `pick` decides between answers once the lookup is over: the highest seq;
 * at that seq, two different records are settled by how many of the replica
 * set hold each (W or more wins: it may have been acknowledged), then by the
 * smaller signature, so every reader that hears the same replicas returns the
 * same record.
 */
import { compareDistance } from '../keyspace.ts'
import type { FoundPeer } from './types.ts'
import type { PublishRecord } from '../records/publish-record.ts'
import { compareBytes, hexKey } from '../bytes.ts'

/** The identity of a record among answers: its seq and its signature (which covers its bytes). */
export function recordKey (record: PublishRecord | undefined): string | undefined {
  return record == null ? undefined : `${record.seq}:${hexKey(record.signature)}`
}

/**
 * The record a resolve returns from the replicas' answers (`holders` says, for
 * each answer, whether it came from a member of the replica set): the highest
 * seq; two different records at that seq go to the one held by the most
 * replica-set members (W or more means it may have been acknowledged), ties
 * to the smaller signature.
 */
export function pick (answers: Array<{ record?: PublishRecord, inReplicaSet: boolean }>): PublishRecord | undefined {
  let top: bigint | undefined
  for (const { record } of answers) if (record != null && (top == null || record.seq > top)) top = record.seq
  if (top == null) return undefined
  const counts = new Map<string, { record: PublishRecord, holders: number }>()
  for (const { record, inReplicaSet } of answers) {
    if (record == null || record.seq !== top) continue
    const key = recordKey(record)!
    const entry = counts.get(key) ?? { record, holders: 0 }
    if (inReplicaSet) entry.holders++
    counts.set(key, entry)
  }
  return [...counts.values()].sort((a, b) => b.holders - a.holders || compareBytes(a.record.signature, b.record.signature))[0].record
}

export class ReadQuorum {
  private readonly id: Uint8Array
  private readonly size: number
  private readonly seqs: Array<string | undefined> = []
  private readonly asked: FoundPeer[] = []
  private readonly named = new Map<string, FoundPeer>()
  private readonly selfKey: string

  /**
   * `replica` is our own copy when we are one of the R nearest (held or not),
   * undefined otherwise; other kinds of record give their `identity` instead.
   */
  constructor (id: Uint8Array, size: number, selfKey: string, replica?: { record?: PublishRecord, identity?: string }) {
    this.id = id
    this.size = size
    this.selfKey = selfKey
    if (replica != null) this.seqs.push(replica.identity ?? recordKey(replica.record))
  }

  /** Record one replica's answer; say whether the lookup may stop or should stay narrow. */
  answer (peer: FoundPeer, record: PublishRecord | undefined, closer: FoundPeer[]): { stop: boolean, staysNarrow: boolean } {
    return this.answerIdentity(peer, recordKey(record), closer)
  }

  /** `answer` for any kind of record: `identity` is the same string for the same record, undefined for none. */
  answerIdentity (peer: FoundPeer, identity: string | undefined, closer: FoundPeer[]): { stop: boolean, staysNarrow: boolean } {
    this.seqs.push(identity)
    this.asked.push(peer)
    for (const p of closer) if (p.peerId.toString() !== this.selfKey) this.named.set(p.peerId.toString(), p)
    const agree = this.seqs.every(seq => seq != null && seq === this.seqs[0])
    return { stop: agree && this.seqs.length >= this.size && !this.nearerNamed(), staysNarrow: agree }
  }

  /** Did an answer name a peer, not asked, nearer to the id than the farthest one asked? */
  private nearerNamed (): boolean {
    const farthest = this.asked.reduce((far, p) => compareDistance(this.id, p.position, far.position) > 0 ? p : far)
    const asked = new Set(this.asked.map(p => p.peerId.toString()))
    for (const [key, p] of this.named) {
      if (!asked.has(key) && compareDistance(this.id, p.position, farthest.position) < 0) return true
    }
    return false
  }
}
