/**
 * The one place an item enters a store, from the network or from a local
 * user: verify it, then keep it. Returns a verdict with a refusal code
 * (src/refusals.ts) so the store handler can answer the writer with a typed
 * reason; a rejected item changes nothing.
 */
import { compareBytes, ownBytes } from '../bytes.ts'
import { base32 } from 'multiformats/bases/base32'
import { MAX_VALUE_BYTES } from '../constants.ts'
import { POSITION_BYTES } from '../keyspace.ts'
import { verifyHashItem } from '../records/hash-item.ts'
import { KeyedLock } from './keyed-lock.ts'
import { acceptorSetProblem } from '../records/acceptor-set.ts'
import { checkReplace, decodePublishRecord } from '../records/publish-record.ts'
import { VerifiedCache } from '../records/verified-cache.ts'
import type { PublishRecord } from '../records/publish-record.ts'
import { decodeRoutingRecord } from '../records/routing-record.ts'
import { RoutingNamespaces } from '../routing/namespaces.ts'
import type { PublishRejectReason } from '../errors.ts'
import { isExpired, kindNumber, kindOf } from './item-store.ts'
import type { ItemStore, StoredItem } from './item-store.ts'
import type { Item } from '../records/item.ts'
import type { AbortOptions } from '@libp2p/interface'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'

export interface AcceptOptions extends AbortOptions {
  /** Compare-and-swap: the seq the writer expects the store to hold (publish items). */
  expectedSeq?: bigint
  /** Put or published by this node's own user: never expires here, never refused for space. */
  pinned?: boolean
  /** A hash item whose key the caller has just computed from these very bytes (a local put): not hashed again. */
  keyOfBody?: boolean
}

export interface ItemAcceptorInit {
  /** Lifetime of an item whose writer gave none (Item.ttlSeconds = 0), in ms. */
  defaultTtl: number
  /** Bytes of items the store may hold; others' items beyond it are refused `full`. */
  maxStorageBytes: number
  /** Records this node already verified (shared with resolve and publish). */
  verified?: VerifiedCache
  /** Validators and selectors of routing records (`/ipns/` built in). */
  namespaces?: RoutingNamespaces
  /** Expiry and storage times read it (the virtual-time simulation injects its own). @default systemClock */
  clock?: Clock
}

/** Why a store refuses an item: the record's own reasons, a bad hash, or no room. */
export type StoreRefusal = PublishRejectReason | 'hash-mismatch' | 'full' | 'invalid-record' | 'unknown-namespace'

export interface AcceptResult {
  /** Absent when the item was kept. */
  refused?: StoreRefusal
  message?: string
  /** Publish items: the seq held after the call (0 when none). */
  storedSeq?: bigint
}

export class ItemAcceptor {
  private readonly store: ItemStore
  private readonly init: ItemAcceptorInit
  private readonly lock = new KeyedLock()
  private readonly verified: VerifiedCache
  private readonly namespaces: RoutingNamespaces

  constructor (store: ItemStore, init: ItemAcceptorInit) {
    this.store = store
    this.init = init
    this.verified = init.verified ?? new VerifiedCache()
    this.namespaces = init.namespaces ?? new RoutingNamespaces()
  }

  async accept (item: Item, options: AcceptOptions = {}): Promise<AcceptResult> {
    if (item.key.byteLength !== POSITION_BYTES) {
      return { refused: 'bad-request', message: `key must be ${POSITION_BYTES} bytes` }
    }
    const badSet = acceptorSetProblem(item.acceptors ?? [])
    if (badSet != null) return { refused: 'bad-request', message: badSet }
    return this.lock.run(base32.baseEncode(item.key), async () => {
      switch (item.kind) {
        case 'hash': return this.acceptHashItem(item, options)
        case 'publish': return this.acceptPublishItem(item, options)
        case 'routing': return this.acceptRoutingItem(item, options)
        default: return { refused: 'bad-request', message: `unsupported item kind ${String(item.kind)}` }
      }
    })
  }

  private async acceptHashItem (item: Item, options: AcceptOptions): Promise<AcceptResult> {
    if (item.body.byteLength > MAX_VALUE_BYTES) {
      return { refused: 'too-large', message: `value is ${item.body.byteLength} bytes; the limit is ${MAX_VALUE_BYTES}` }
    }
    if (options.keyOfBody !== true && !verifyHashItem(item.key, item.body)) {
      return { refused: 'hash-mismatch', message: 'value does not hash to key' }
    }
    // held pinned already (a put whose own node is among the R nearest): keeping it again changes nothing
    const held = this.store.meta(item.key)
    if (held?.pinned === true && held.kind === 'hash') return {}
    const existing = await this.store.get(item.key, options)
    if (this.overQuota(existing, item, options)) return this.full()
    await this.store.put(item.key, this.merge(existing, item, options), options)
    return {}
  }

  /**
   * Publish items: the record must decode, match its id, carry a valid
   * signature and a seq newer than the one held (or be byte-identical), and
   * pass compare-and-swap when the writer asked for it.
   */
  private async acceptPublishItem (item: Item, options: AcceptOptions): Promise<AcceptResult> {
    let incoming: PublishRecord
    try {
      incoming = decodePublishRecord(item.body)
    } catch (err: any) {
      return { refused: err.code ?? 'bad-request', message: err.message }
    }
    const verdict = await this.verified.verify(item.key, item.body, incoming)
    if (verdict !== 'ok') return { refused: verdict, message: `record refused: ${verdict}` }
    const existing = await this.store.get(item.key, options)
    const stored = existing == null ? undefined : decodePublishRecord(existing.body)
    const replace = checkReplace(stored, incoming, options.expectedSeq)
    if (replace === 'stale-seq') return { refused: replace, message: `seq ${incoming.seq} is not newer than the stored seq ${stored?.seq}`, storedSeq: stored?.seq ?? 0n }
    if (replace === 'cas-mismatch') return { refused: replace, message: `expected seq ${options.expectedSeq} but the stored seq is ${stored?.seq ?? 0n}`, storedSeq: stored?.seq ?? 0n }
    if (this.overQuota(existing, item, options)) return this.full()
    await this.store.put(item.key, this.merge(existing, item, options, incoming.seq), options)
    return { storedSeq: incoming.seq }
  }

  /**
   * Routing records (protocols/routing-record.md): the routing key must hash
   * to the item key, its namespace's validator accept the value, and the
   * selector prefer it over a valid record held (a tie keeps what is held;
   * the same bytes again only renew the lifetime).
   */
  private async acceptRoutingItem (item: Item, options: AcceptOptions): Promise<AcceptResult> {
    let key: Uint8Array
    let value: Uint8Array
    try {
      ({ key, value } = decodeRoutingRecord(item.body, item.key))
      await this.namespaces.validate(key, value)
    } catch (err: any) {
      const code = err.code === 'bad-input' || err.code == null ? 'bad-request' : err.code
      return { refused: code, message: err.message }
    }
    const existing = await this.store.get(item.key, options)
    if (existing != null && kindOf(existing.kind) !== 'routing') return { refused: 'bad-request', message: 'the key holds another kind of item' }
    if (existing != null && !isExpired(existing, this.now())) {
      const held = decodeRoutingRecord(existing.body).value
      const heldValid = await this.namespaces.validate(key, held).then(() => true, () => false)
      if (heldValid && compareBytes(held, value) !== 0 && !this.namespaces.prefers(key, held, value)) {
        return { refused: 'stale-seq', message: 'the record held is newer (its namespace\'s selector prefers it)' }
      }
    }
    if (this.overQuota(existing, item, options)) return this.full()
    await this.store.put(item.key, this.merge(existing, item, options, this.namespaces.version(key, value)), options)
    return {}
  }

  /**
   * Our user no longer wants this item kept (`pin rm`): it stays as an
   * ordinary item that expires after the default lifetime, like others'.
   * False when it is not held here pinned.
   */
  async unpin (key: Uint8Array, options: AbortOptions = {}): Promise<boolean> {
    return this.lock.run(base32.baseEncode(key), async () => {
      const existing = await this.store.get(key, options)
      if (existing?.pinned !== true) return false
      await this.store.put(key, { ...existing, pinned: false, expiresAt: BigInt(Math.floor(this.now()) + this.init.defaultTtl) }, options)
      return true
    })
  }

  /** A new item from someone else that would take the store past its quota. Updates of held items always fit. */
  private overQuota (existing: StoredItem | undefined, item: Item, options: AcceptOptions): boolean {
    if (options.pinned === true || existing != null) return false
    return this.store.bytes + item.body.byteLength > this.init.maxStorageBytes
  }

  private now (): number {
    return (this.init.clock ?? systemClock).now()
  }

  private full (): AcceptResult {
    return { refused: 'full', message: `storage quota of ${this.init.maxStorageBytes} bytes reached` }
  }

  /**
   * The stored form: a re-stored item keeps its pin, the later expiry and,
   * when its bytes are the same, its body's place in the value log; pinned
   * items never expire here (their owner republishes them).
   */
  private merge (existing: StoredItem | undefined, item: Item, options: AcceptOptions, seq = 0n): StoredItem {
    const pinned = (existing?.pinned ?? false) || (options.pinned ?? false)
    const ttl = item.ttlSeconds > 0 ? item.ttlSeconds * 1000 : this.init.defaultTtl
    const now = Math.floor(this.now())
    const expiresAt = pinned ? 0n : BigInt(now + ttl)
    return {
      kind: kindNumber(item.kind),
      body: ownBytes(item.body),
      pinned,
      expiresAt: existing == null || pinned ? expiresAt : laterExpiry(existing.expiresAt, expiresAt),
      storedAt: existing?.storedAt ?? BigInt(now),
      seq,
      acceptors: item.kind === 'publish' ? keptAcceptors(existing, item) : [],
      republishedAt: existing?.republishedAt ?? 0n,
      // the same bytes again (a repair's or a second writer's store) stay where they are: no second copy in the value log
      ...(existing?.bodyAt != null && compareBytes(existing.body, item.body) === 0 ? { bodyAt: existing.bodyAt } : {})
    }
  }
}

/**
 * A publish item's acceptor set (protocols/cas.md): the same record again
 * keeps the set it has (one slot chooses one value, so a record chosen by
 * CAS has one set; a copy that comes without it, from a plain publish or an
 * old peer, takes nothing away); otherwise the incoming record's set, or
 * none (a plain publish of a newer record resets the chain).
 */
function keptAcceptors (existing: StoredItem | undefined, item: Item): Array<Uint8Array<ArrayBuffer>> {
  const incoming = item.acceptors ?? []
  if (existing != null && existing.acceptors.length > 0 && compareBytes(existing.body, item.body) === 0) return existing.acceptors
  return incoming.map(ownBytes)
}

/** 0 means never expires, so it wins. */
function laterExpiry (a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n
  return a > b ? a : b
}
