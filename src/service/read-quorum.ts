/**
 * When a resolve may stop asking: once a read quorum (R − W + 1 answers, our
 * own copy counted when we are one of the R nearest) agree on the same
 * sequence number and none of them named a peer nearer to the id than the
 * replicas asked, no W-acknowledged write can be missing. Until then the
 * lookup stays narrow while the answers agree, and widens to the whole
 * replica set as soon as one is missing or older than another.
 */
import { compareDistance } from '../keyspace.ts'
import type { FoundPeer } from './types.ts'
import type { PublishRecord } from '../records/publish-record.ts'

export class ReadQuorum {
  private readonly id: Uint8Array
  private readonly size: number
  private readonly seqs: Array<bigint | undefined> = []
  private readonly asked: FoundPeer[] = []
  private readonly named = new Map<string, FoundPeer>()
  private readonly selfKey: string

  /** `replica` is our own copy when we are one of the R nearest (held or not), undefined otherwise. */
  constructor (id: Uint8Array, size: number, selfKey: string, replica?: { record?: PublishRecord }) {
    this.id = id
    this.size = size
    this.selfKey = selfKey
    if (replica != null) this.seqs.push(replica.record?.seq)
  }

  /** Record one replica's answer; say whether the lookup may stop or should stay narrow. */
  answer (peer: FoundPeer, record: PublishRecord | undefined, closer: FoundPeer[]): { stop: boolean, staysNarrow: boolean } {
    this.seqs.push(record?.seq)
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
