/**
 * Hash items: put stores an immutable value under its SHA-256 on the R
 * nearest nodes (and here, pinned); get returns the first copy that hashes
 * right, asking the nearest replica first and widening on a miss.
 *
 * A get of a publish id is answered by a replica with a signed record: that
 * answer ends the get with WrongKindError ("that is a publish id; use
 * resolve"). Like every answer it is a sign of life: the replica stays in
 * the routing table (PeerRequests' rule).
 */
import { RemoteRejectedError, WrongKindError } from '../errors.ts'
import { checkValueSize, hashItemKey, keyToCid, verifyHashItem } from '../records/hash-item.ts'
import { decodePublishRecord, publishId } from '../records/publish-record.ts'
import { decodeRoutingRecord } from '../records/routing-record.ts'
import { compareBytes, hexKey } from '../bytes.ts'
import { isExpired, kindOf } from '../store/item-store.ts'
import { takeDigest } from './known-digests.ts'
import type { Lookups } from './lookups.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { Writer } from './writer.ts'
import type { ForwardedReads } from './forwarded-read.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { Item } from '../records/item.ts'
import type { PutResult } from './types.ts'
import type { Logger } from '@libp2p/interface'

export interface HashItemsInit {
  store: ItemStore
  acceptor: ItemAcceptor
  writer: Writer
  lookups: Lookups
  requests: PeerRequests
  log: Logger
  /** Reads through a peer we are connected to when no replica is (forwarded-read.ts); absent: always direct. */
  forwarded?: ForwardedReads
  /** Our own item was just stored on its replica set (the repairer's republish clock starts here). */
  published?: (key: Uint8Array) => void
}

export class HashItems {
  private readonly init: HashItemsInit

  constructor (init: HashItemsInit) {
    this.init = init
  }

  /** Keep the value here (pinned: our own users' data), then on the R nearest. */
  async put (value: Uint8Array, signal: () => AbortSignal, options: { hedgeMs?: number } = {}): Promise<PutResult> {
    checkValueSize(value)
    // the digest the caller in this process just computed of these bytes (known-digests.ts), else hashed here
    const key = takeDigest(value) ?? hashItemKey(value)
    const item: Item = { kind: 'hash', key, body: value, ttlSeconds: 0 }
    await this.init.acceptor.accept(item, { pinned: true, keyOfBody: true })
    const stored = await this.init.writer.replicate(item, signal(), options)
    this.init.published?.(key)
    return { key, cid: keyToCid(key), stored }
  }

  /**
   * The local copy when it verifies, else the first verified copy a replica
   * serves. A publish id (held here, or a record a replica serves under the
   * key) is WrongKindError.
   */
  async get (key: Uint8Array, signal: () => AbortSignal, options: { hedgeMs?: number } = {}): Promise<Uint8Array> {
    const local = await this.init.store.get(key)
    if (local != null && !isExpired(local)) {
      if (kindOf(local.kind) === 'publish') throw wrongKind(key)
      if (kindOf(local.kind) === 'routing') throw routingKind(key)
      if (verifyHashItem(key, local.body)) return local.body
    }
    // no replica among our open connections: through the connected peer nearest the key, the lookup as fallback
    const { forwarded } = this.init
    if (forwarded == null) return await this.fetchDirect(key, signal(), options)
    // a view that looks right is read directly, but forwarded rather than dialled once it names a peer we are not connected to
    const route = await forwarded.route(key, 1, signal(), async (s, mayAsk) => this.fetchDirect(key, s, options, mayAsk))
    if ('done' in route) return route.done
    if (route.forwarders.length === 0) return await this.fetchDirect(key, signal(), options)
    return await forwarded.hedged(route.forwarders, options.hedgeMs, signal(), async (f, s) => this.fetchForwarded(key, f, s), async s => this.fetchDirect(key, s, options))
  }

  /**
   * The first copy a forwarded read brings back that hashes to `key`;
   * undefined when none does (the caller falls back to the direct path,
   * which also tells a publish id or a missing item apart). An item that
   * is neither the value nor a record under the key is a lie: the
   * forwarder is not asked again for a while.
   */
  private async fetchForwarded (key: Uint8Array, forwarder: FoundPeer, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const forwarded = this.init.forwarded!
    const answer = await forwarded.ask(forwarder, key, 'first-copy', signal)
    let lie = false
    for (const { item } of answer.answers) {
      if (item == null) continue
      if (item.kind === 'hash' && verifyHashItem(key, item.body)) return item.body
      if ((item.kind === 'publish' && isRecordUnder(key, item.body)) || (item.kind === 'routing' && isRoutingRecordUnder(key, item.body))) continue
      lie = true
    }
    if (lie) forwarded.distrust(forwarder, `a value that does not hash to ${keyToCid(key)}`)
    return undefined
  }

  /** The lookup: the nearest replica first, widening on a miss (dials where no connection is open; `mayAsk` false: the query fails unasked). */
  private async fetchDirect (key: Uint8Array, signal: AbortSignal, options: { hedgeMs?: number }, mayAsk?: (peer: FoundPeer) => boolean): Promise<Uint8Array> {
    const { lookups, requests } = this.init
    let found: Uint8Array | undefined
    let publishRecord = false
    let routingRecord = false
    const result = await lookups.run(key, lookups.firstCopyShape(options.hedgeMs), signal, async (peer, querySignal) => {
      if (mayAsk?.(peer) === false) throw new Error(`not asking ${peer.peerId}: no open connection`)
      // the peer answered once ask() returns: whatever follows, it stays in the table
      const answer = await requests.ask(peer, { signal: querySignal }, async (rpc, options) => rpc.fetch(peer, key, 0, options))
      if (answer.item == null) return { closer: answer.closer }
      if (answer.item.kind === 'publish' && isRecordUnder(key, answer.item.body)) {
        // a signed record whose id is the key: the key is a publish id, asking on will not change that
        publishRecord = true
        return { closer: [], stop: true }
      }
      if (answer.item.kind === 'routing' && isRoutingRecordUnder(key, answer.item.body)) {
        // a routing record whose routing key hashes to the key (protocols/routing-record.md): the same, for /ipns/ and its kin
        routingRecord = true
        return { closer: [], stop: true }
      }
      if (answer.item.kind !== 'hash' || !verifyHashItem(key, answer.item.body)) {
        // a lying or broken replica: its answer is no use, the lookup goes on to the others
        this.init.log('%p served a value that does not hash to %s', peer.peerId, keyToCid(key))
        throw new RemoteRejectedError(`${peer.peerId} served wrong bytes`, 'hash-mismatch')
      }
      found ??= answer.item.body
      return { closer: [], stop: true }
    })
    if (found != null) return found
    if (publishRecord) throw wrongKind(key)
    if (routingRecord) throw routingKind(key)
    throw lookups.missingError(keyToCid(key), result)
  }
}

function wrongKind (key: Uint8Array): WrongKindError {
  return new WrongKindError(`that is a publish id; use resolve (${hexKey(key)} names a signed record, not a hash item)`)
}

function routingKind (key: Uint8Array): WrongKindError {
  return new WrongKindError(`that is a routing record key (SHA-256 of a routing key such as /ipns/...); read it with libp2p content routing get (${hexKey(key)} is not a hash item)`)
}

/** Does `body` decode as a routing record whose routing key hashes to `key`? (As above: not fakeable for a hash item's key.) */
function isRoutingRecordUnder (key: Uint8Array, body: Uint8Array): boolean {
  try {
    decodeRoutingRecord(body, key)
    return true
  } catch {
    return false
  }
}

/**
 * Does `body` decode as a publish record whose id (SHA-256 of its public key
 * and salt) is `key`? Then `key` is a publish id: finding a second preimage of
 * SHA-256 is out of reach, so no replica can fake this for a hash item's key.
 */
function isRecordUnder (key: Uint8Array, body: Uint8Array): boolean {
  try {
    const record = decodePublishRecord(body)
    return compareBytes(publishId(record.publicKey, record.salt), key) === 0
  } catch {
    return false
  }
}
