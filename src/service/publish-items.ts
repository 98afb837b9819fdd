/**
 * Publish items: signed records under SHA-256(public key ‖ salt). publish
 * signs here (or relays a record signed elsewhere) and writes it to the R
 * nearest with an optional compare-and-swap; resolve reads a quorum of the
 * replica set, returns the newest valid record and repairs replicas that
 * answered with an older one.
 */
import { assertAccepted, createPublishRecord, decodePublishRecord, encodePublishRecord, isDeleted, publishId } from '../records/publish-record.ts'
import { InsufficientPeersError, InvalidInputError, PublishRejectedError, RemoteRejectedError, WrongKindError } from '../errors.ts'
import { verifyHashItem } from '../records/hash-item.ts'
import { nextSeq } from '../records/seq.ts'
import { isExpired, kindOf } from '../store/item-store.ts'
import { compareBytes, hexKey } from '../bytes.ts'
import { deadlineSignal } from '../signals.ts'
import { ReadQuorum, pick } from './read-quorum.ts'
import { nearestPositioned } from '../keyspace.ts'
import { uniquePeers } from '../found-peer.ts'
import type { Lookups } from './lookups.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { Writer } from './writer.ts'
import type { CompareAndSwap } from './cas.ts'
import type { ForwardedReads } from './forwarded-read.ts'
import type { ForwardAnswer, ForwardHints } from '../rpc/peer-rpc.ts'
import type { Settings } from './options.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { VerifiedCache } from '../records/verified-cache.ts'
import type { PublishRecord } from '../records/publish-record.ts'
import type { Item, ItemKind } from '../records/item.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { PublishOptions, PublishResult, ResolveResult } from './types.ts'
import type { Logger, PrivateKey } from '@libp2p/interface'

export interface PublishItemsInit {
  settings: Settings
  store: ItemStore
  acceptor: ItemAcceptor
  verified: VerifiedCache
  writer: Writer
  lookups: Lookups
  requests: PeerRequests
  neighbourhood: Neighbourhood
  log: Logger
  /** Aborts background work (read repair) when the service stops. */
  shutdown(): AbortSignal
  /** Compare-and-swap (cas.ts): publishes with an expected seq go through it. */
  cas: CompareAndSwap
  /** Reads through a peer we are connected to when too few replicas are (forwarded-read.ts); absent: always direct. */
  forwarded?: ForwardedReads
  /** Our own record was just stored on its replica set (the repairer's republish clock starts here). */
  published?: (key: Uint8Array) => void
}

export class PublishItems {
  private readonly init: PublishItemsInit

  constructor (init: PublishItemsInit) {
    this.init = init
  }

  /**
   * Sign here and publish. The seq is `options.seq`, else one more than the
   * newest the network holds (1 when nothing is published).
   */
  async sign (privateKey: PrivateKey, value: Uint8Array, deleted: boolean, options: PublishOptions, signal: () => AbortSignal): Promise<PublishResult> {
    const salt = options.salt ?? new Uint8Array(0)
    const id = publishId(privateKey.publicKey.raw, salt)
    // compare-and-swap takes the seq after the expected one unless told otherwise
    const seq = options.seq ?? (options.expectedSeq != null ? options.expectedSeq + 1n : await nextSeq(async () => (await this.resolve(id, signal())).seq))
    const record = await createPublishRecord({ privateKey, salt, seq, value, deleted })
    // signed here a moment ago: valid by construction, so not checked again on
    // the way into our own store (every replica still checks it)
    this.init.verified.add(id, encodePublishRecord(record))
    return this.publish(record, options, signal)
  }

  /** Publish a record signed elsewhere; refused here, before anything is sent, when it is not valid. */
  async publish (record: PublishRecord, options: PublishOptions, signal: () => AbortSignal): Promise<PublishResult> {
    const id = publishId(record.publicKey, record.salt)
    const item: Item = { kind: 'publish', key: id, body: encodePublishRecord(record), ttlSeconds: 0 }
    assertAccepted(await this.init.verified.verify(id, item.body, record))
    if (options.expectedSeq != null && record.seq <= options.expectedSeq) {
      // can never be stored: stale where the id holds the expected seq, a mismatch elsewhere (publish-record.md's order)
      const held = await this.resolve(id, signal()).then(r => r.seq, (err: { code?: string }) => { if (err.code === 'not-found') return 0n; throw err })
      if (held === options.expectedSeq) throw new PublishRejectedError('stale-seq', `seq ${record.seq} is not newer than the stored seq ${held}`)
      throw new RemoteRejectedError(`expected seq ${options.expectedSeq} but the id holds seq ${held}`, 'cas-mismatch')
    }
    // a compare-and-swap is decided by a majority of the replica set (cas.ts); a plain
    // publish needs W acknowledgements from the replica set itself, fallbacks not counted
    // a swap's record is kept with the acceptor set it was chosen with (protocols/cas.md)
    const { stored, item: kept } = options.expectedSeq != null
      ? await this.init.cas.swap(item, record.seq, options.expectedSeq, signal())
      : { stored: await this.init.writer.replicate(item, signal(), { countFallbacks: false }), item }
    // our own users' records are kept here too, pinned; a newer one already here wins
    await this.init.acceptor.accept(kept, { pinned: true })
    this.init.published?.(id)
    return { id, seq: record.seq, stored }
  }

  /**
   * The newest record under `id`, from a read quorum of its replica set: at
   * least R − W + 1 of the R nearest (by everything this resolve met, those
   * that failed included) must have answered, our own copy counting only
   * when we are one of them; otherwise `insufficient-peers`. Never the local
   * copy alone. Two different records at the top seq are settled by `pick`.
   */
  async resolve (id: Uint8Array, signal: AbortSignal, options: { hedgeMs?: number } = {}): Promise<ResolveResult> {
    // fewer than a read quorum of the replica set among our open connections: through the connected peer nearest the id
    const { forwarded } = this.init
    if (forwarded == null) return await this.resolveDirect(id, signal)
    // a view that looks right is read directly, but forwarded rather than dialled once it names a peer we are not connected to
    const route = await forwarded.route(id, this.init.settings.readQuorum, signal, async (s, mayAsk) => this.resolveDirect(id, s, mayAsk))
    if ('done' in route) return route.done
    if (route.forwarders.length === 0) return await this.resolveDirect(id, signal)
    // what every forwarder asked so far brought (checked): a second one's answers count toward the same quorum
    const pool: ForwardPool = { closer: [], answers: [], pending: new Set(), repaired: false, heard: this.init.neighbourhood.among(id, this.init.settings.replicas) ? 1 : 0 }
    return await forwarded.hedged(route.forwarders, options.hedgeMs, signal, async (f, s, early) => this.resolveForwarded(id, f, s, pool, early), async s => this.resolveDirect(id, s))
  }

  /**
   * A resolve through `forwarder` (protocols/rpc.md, "Forwarded reads"): it
   * returns what each replica it reached answered, each record still signed;
   * the answers of every forwarder of the same resolve (`pool`) count too.
   * The replica set is the R nearest to the id of the peers the forwarders
   * name, our own table's and us; a read quorum of that set must have
   * answered (our own copy counting when we are one of them), and `pick`
   * chooses as a direct resolve does. Every record is checked (signature,
   * id): one that does not check is a lie, the forwarder is not asked again
   * for a while, and the resolve goes the direct way. Undefined (the direct
   * path decides) also when too few answered, when none holds a record
   * (not-found is never taken from a forwarder), or when a replica serves a
   * hash item under the id. Read repair as on the direct path, in the
   * background and only to replicas that answered (older or none): those
   * the forwarder could not reach are not known to lack it.
   *
   * Quorum hints ("Quorum hints"): the forwarder answers once the answers we
   * still need agree; the first forwarder (`early` given) answers at once
   * when it cannot reach that many, and then the next forwarder starts
   * (`early`) while this one is asked again without the hint for the
   * replicas it does reach: their answers join the same quorum, one round
   * trip later than a forwarder that reaches enough, instead of two.
   */
  private async resolveForwarded (id: Uint8Array, forwarder: FoundPeer, signal: AbortSignal, pool: ForwardPool, early?: () => void): Promise<ResolveResult | undefined> {
    const { settings } = this.init
    // what we still need (as of the last count: the next forwarder is asked at once, without waiting on our store)
    const enough = Math.max(1, settings.readQuorum - pool.heard)
    const first = await this.askForwarder(id, forwarder, signal, pool, { enough, shortAtOnce: early != null })
    if (first == null) return undefined
    if (first.tooFewOpen === true) {
      early?.()
      // the replicas it does reach, beside the next forwarder
      if ((first.reachable ?? 0) > first.answers && await this.askForwarder(id, forwarder, signal, pool, { enough }) == null) return undefined
    }
    let tally = await this.tally(id, pool)
    if (tally.heard < settings.readQuorum && pool.pending.size > 0) {
      // another forwarder of this resolve is still asking: its answers may complete the quorum
      await Promise.allSettled([...pool.pending])
      tally = await this.tally(id, pool)
    }
    if (tally.heard < settings.readQuorum) return undefined
    const best = pick(tally.answers)
    if (best == null) return undefined
    const { held, localRecord, local, answered } = tally
    if (!pool.repaired) {
      pool.repaired = true
      this.readRepair(id, best, answered, held, localRecord, acceptorsOf(best, [{ record: localRecord, acceptors: local?.acceptors }, ...held.values()]), forwarder)
    }
    return { id, record: best, seq: best.seq, value: best.value, deleted: isDeleted(best) }
  }

  /**
   * One FORWARD of a resolve: its answers, each checked, join `pool`.
   * Undefined when it served a record that does not check (the forwarder is
   * distrusted) or a hash item under the id; otherwise how many it answered,
   * and whether it said at once that it reaches too few.
   */
  private async askForwarder (id: Uint8Array, forwarder: FoundPeer, signal: AbortSignal, pool: ForwardPool, hints: ForwardHints): Promise<{ answers: number, tooFewOpen?: boolean, reachable?: number } | undefined> {
    const forwarded = this.init.forwarded!
    const asking = forwarded.ask(forwarder, id, 'replica-set', signal, hints)
    pool.pending.add(asking)
    let answer: ForwardAnswer
    try {
      answer = await asking
    } finally {
      pool.pending.delete(asking)
    }
    // this forwarder's answers, each checked, before any joins the pool
    const mine: ForwardPool['answers'] = []
    for (const { peer, item } of answer.answers) {
      if (item?.kind === 'hash') return undefined
      let record: PublishRecord | undefined
      if (item != null) {
        try {
          record = await this.verifiedRecord(id, item.kind, item.body, peer)
        } catch (err: any) {
          forwarded.distrust(forwarder, `a record for ${hexKey(id)} that does not check (${err.message})`)
          return undefined
        }
      }
      mine.push({ peer, record, acceptors: item?.acceptors })
    }
    pool.closer.push(...answer.closer)
    pool.answers.push(...mine)
    return { answers: mine.length, ...(answer.tooFewOpen === true ? { tooFewOpen: true, reachable: answer.reachable } : {}) }
  }

  /** What the forwarders of a resolve brought so far, against the replica set as far as we can tell: how many of it answered, us included when we are one. */
  private async tally (id: Uint8Array, pool: ForwardPool): Promise<ForwardTally> {
    const { settings, neighbourhood } = this.init
    const local = await this.init.store.get(id)
    const localRecord = local == null || isExpired(local) ? undefined : await this.verifiedRecord(id, kindOf(local.kind), local.body)
    const self = neighbourhood.selfPeer()
    const selfKey = self.peerId.toString()
    // an answer names its replica by id alone: the addresses a `closer` entry gave are kept (read repair dials with them, not after a lookup)
    const known = uniquePeers([...pool.closer, ...pool.answers.map(a => a.peer), ...neighbourhood.shareNearest(id, settings.replicas), self])
    const replicaSet = nearestPositioned(id, known, settings.replicas)
    const inSet = new Set(replicaSet.map(p => p.peerId.toString()))
    const answers: ForwardTally['answers'] = [{ record: localRecord, inReplicaSet: inSet.has(selfKey) }]
    const held: ForwardTally['held'] = new Map()
    let heard = inSet.has(selfKey) ? 1 : 0
    for (const { peer, record, acceptors } of pool.answers) {
      const key = peer.peerId.toString()
      if (key === selfKey || held.has(key)) continue
      if (inSet.has(key)) heard++
      answers.push({ record, inReplicaSet: inSet.has(key) })
      held.set(key, { peer, record, acceptors })
    }
    const answered = replicaSet.filter(p => p.peerId.toString() === selfKey || held.has(p.peerId.toString()))
    pool.heard = heard
    return { heard, answers, held, answered, local, localRecord }
  }

  /** The lookup over the replica set itself (dials where no connection is open; `mayAsk` false: the query fails unasked), with read repair. */
  private async resolveDirect (id: Uint8Array, signal: AbortSignal, mayAsk?: (peer: FoundPeer) => boolean): Promise<ResolveResult> {
    const { settings, lookups, requests, neighbourhood } = this.init
    const local = await this.init.store.get(id)
    const localRecord = local == null || isExpired(local) ? undefined : await this.verifiedRecord(id, kindOf(local.kind), local.body)
    const held = new Map<string, { peer: FoundPeer, record?: PublishRecord, acceptors?: Uint8Array[] }>()
    const failed = new Map<string, FoundPeer>()
    // a replica that serves a hash item whose bytes hash to the id: the caller has the wrong kind of key
    let hashItemHere = local != null && !isExpired(local) && kindOf(local.kind) === 'hash' && verifyHashItem(id, local.body)
    const self = neighbourhood.selfPeer()
    const selfKey = self.peerId.toString()
    const replica = neighbourhood.among(id, settings.replicas)
    const quorum = new ReadQuorum(id, settings.readQuorum, selfKey, replica ? { record: localRecord } : undefined)
    const result = await lookups.run(id, lookups.readShape(), signal, async (peer, querySignal) => {
      if (mayAsk?.(peer) === false) throw new Error(`not asking ${peer.peerId}: no open connection`)
      try {
        const answer = await requests.ask(peer, { signal: querySignal }, async (rpc, options) => rpc.fetch(peer, id, settings.replicas, options))
        if (answer.item?.kind === 'hash' && verifyHashItem(id, answer.item.body)) {
          hashItemHere = true
          held.set(peer.peerId.toString(), { peer })
          return { closer: answer.closer, ...quorum.answer(peer, undefined, answer.closer) }
        }
        // a replica serving a forged or foreign record is skipped like an unreachable one
        const record = answer.item == null ? undefined : await this.verifiedRecord(id, answer.item.kind, answer.item.body, peer)
        held.set(peer.peerId.toString(), { peer, record, acceptors: answer.item?.acceptors })
        return { closer: answer.closer, ...quorum.answer(peer, record, answer.closer) }
      } catch (err) {
        if (!querySignal.aborted || signal.aborted) failed.set(peer.peerId.toString(), peer)
        throw err
      }
    })
    // the replica set as far as this resolve can tell: the R nearest of every peer it met and us
    const met = [...held.values()].map(h => h.peer).concat([...failed.values()].filter(p => !held.has(p.peerId.toString())), [self])
    if (hashItemHere && ![...held.values()].some(h => h.record != null)) {
      throw new WrongKindError(`that is a hash item key; use get (${hexKey(id)} names an immutable value, not a signed record)`)
    }
    const replicaSet = nearestPositioned(id, met, settings.replicas)
    const inSet = new Set(replicaSet.map(p => p.peerId.toString()))
    const heard = replicaSet.filter(p => p.peerId.toString() === selfKey || held.has(p.peerId.toString())).length
    if (heard < settings.readQuorum) {
      throw new InsufficientPeersError(`only ${heard} of the ${settings.readQuorum} replicas a read of id ${hexKey(id)} needs answered (${failed.size} failed)`)
    }
    const best = pick([
      { record: localRecord, inReplicaSet: inSet.has(selfKey) },
      ...[...held].map(([key, h]) => ({ record: h.record, inReplicaSet: inSet.has(key) }))
    ])
    if (best == null) throw lookups.missingError(`id ${hexKey(id)}`, result)
    this.readRepair(id, best, replicaSet, held, localRecord, acceptorsOf(best, [{ record: localRecord, acceptors: local?.acceptors }, ...held.values()]))
    return { id, record: best, seq: best.seq, value: best.value, deleted: isDeleted(best) }
  }

  private async verifiedRecord (id: Uint8Array, kind: ItemKind, body: Uint8Array, from?: FoundPeer): Promise<PublishRecord | undefined> {
    try {
      if (kind !== 'publish') throw new InvalidInputError('not a publish item')
      const record = decodePublishRecord(body)
      assertAccepted(await this.init.verified.verify(id, body, record))
      return record
    } catch (err: any) {
      this.init.log('%s holds an invalid record for %s: %s', from?.peerId.toString() ?? 'our store', hexKey(id), err.message)
      if (from != null) throw err
      return undefined
    }
  }

  /** Push the newest record to replicas that answered with an older one or none; in the background; `via`: the forwarder that reached them. */
  private readRepair (id: Uint8Array, best: PublishRecord, replicaSet: FoundPeer[], held: Map<string, { record?: PublishRecord }>, localRecord: PublishRecord | undefined, acceptors: Uint8Array[] | undefined, via?: FoundPeer): void {
    // the record goes with the acceptor set a copy of it carries (protocols/cas.md)
    const item: Item = { kind: 'publish', key: id, body: encodePublishRecord(best), ttlSeconds: 0, ...(acceptors != null ? { acceptors } : {}) }
    const self = this.init.neighbourhood.selfId
    const stale = replicaSet.filter(peer => {
      const record = peer.peerId.equals(self) ? localRecord : held.get(peer.peerId.toString())?.record
      return record == null || record.seq < best.seq
    })
    if (stale.length === 0) return
    // the stale replicas a forwarder reached for us get their copy through it too, not over a new connection of ours
    this.init.writer.repairCopies(stale, item, deadlineSignal([this.init.shutdown()], this.init.settings.requestTimeout, this.init.settings.clock), via).then(took => {
      this.init.log('read repair: %d of %d stale replicas now hold seq %s of %s', took.length, stale.length, best.seq, hexKey(id))
    }, (err: Error) => {
      this.init.log('read repair of %s failed: %s', hexKey(id), err.message)
    })
  }
}

/** The checked answers of the forwarders a resolve asked so far, and the peers they named (a second forwarder's count toward the same quorum). */
interface ForwardPool {
  closer: FoundPeer[]
  answers: Array<{ peer: FoundPeer, record?: PublishRecord, acceptors?: Uint8Array[] }>
  /** FORWARDs of this resolve still under way: a forwarder that falls short waits for them before it gives up. */
  pending: Set<Promise<unknown>>
  /** Read repair went out already (two forwarders may each complete the quorum). */
  repaired: boolean
  /** Replica-set members heard so far (us included when we are one), as of the last tally. */
  heard: number
}

/** ForwardPool against the replica set (PublishItems.tally). */
interface ForwardTally {
  heard: number
  answers: Array<{ record?: PublishRecord, inReplicaSet: boolean }>
  held: Map<string, { peer: FoundPeer, record?: PublishRecord, acceptors?: Uint8Array[] }>
  /** The replica-set members that answered, us included when we are one. */
  answered: FoundPeer[]
  local: Awaited<ReturnType<ItemStore['get']>>
  localRecord: PublishRecord | undefined
}

/** The acceptor set a copy of `best` carries, if any copy that answered has one. */
function acceptorsOf (best: PublishRecord, copies: Array<{ record?: PublishRecord, acceptors?: Uint8Array[] }>): Uint8Array[] | undefined {
  const body = encodePublishRecord(best)
  for (const c of copies) {
    if (c.record != null && c.acceptors != null && c.acceptors.length > 0 && compareBytes(encodePublishRecord(c.record), body) === 0) return c.acceptors
  }
  return undefined
}
