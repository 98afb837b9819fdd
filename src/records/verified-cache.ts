/**
 * Records this node has already verified, by the SHA-256 of their bytes and
 * the id they were checked against: a resolve that gets the same record from
 * three replicas, a record published here and then kept here, or the same
 * record again a second later, checks the signature once (an Ed25519 check
 * costs about 0.1 ms, a hash of the bytes a few µs). Bounded; the oldest
 * entries go first.
 */
import { sha256 } from '../keyspace.ts'
import { hexKey } from '../bytes.ts'
import { verifyPublishRecord } from './publish-record.ts'
import type { PublishRecord, PublishVerdict } from './publish-record.ts'

export class VerifiedCache {
  private readonly entries = new Set<string>()
  private readonly max: number

  constructor (max = 4096) {
    this.max = max
  }

  /** verifyPublishRecord, once per (id, bytes): `body` must be the encoding `record` was decoded from or encoded to. */
  async verify (id: Uint8Array, body: Uint8Array, record: PublishRecord): Promise<PublishVerdict> {
    if (this.has(id, body)) return 'ok'
    const verdict = await verifyPublishRecord(id, record)
    if (verdict === 'ok') this.add(id, body)
    return verdict
  }

  has (id: Uint8Array, body: Uint8Array): boolean {
    return this.entries.has(cacheKey(id, body))
  }

  add (id: Uint8Array, body: Uint8Array): void {
    const key = cacheKey(id, body)
    if (this.entries.has(key)) return
    if (this.entries.size >= this.max) this.entries.delete(this.entries.values().next().value as string)
    this.entries.add(key)
  }
}

function cacheKey (id: Uint8Array, body: Uint8Array): string {
  return hexKey(sha256(id, body))
}
