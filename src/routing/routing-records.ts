/**
 * Routing records over toyrrent: `put` checks a record with its namespace's
 * validator and writes it to the R nearest of SHA-256(routing key), W of
 * them acknowledging; `get` reads a quorum of that replica set as a resolve
 * of a publish item does (read-quorum.ts), keeps only answers the validator
 * accepts, returns the one the namespace's selector prefers, and pushes it
 * to replicas that answered with something else.
 */
import { InsufficientPeersError, ProtocolError } from '../errors.ts'
import { checkRoutingKey, checkRoutingRecord, decodeRoutingRecord, encodeRoutingRecord, routingItemKey } from '../records/routing-record.ts'
import { isExpired, kindOf } from '../store/item-store.ts'
import { compareBytes, hexKey } from '../bytes.ts'
import { nearestPositioned, sha256 } from '../keyspace.ts'
import { deadlineSignal } from '../signals.ts'
import { ReadQuorum } from '../service/read-quorum.ts'
import type { RoutingNamespaces } from './namespaces.ts'
import type { Lookups } from '../service/lookups.ts'
import type { Neighbourhood } from '../service/neighbourhood.ts'
import type { PeerRequests } from '../service/peer-requests.ts'
import type { Writer } from '../service/writer.ts'
import type { Settings } from '../service/options.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { Item } from '../records/item.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Logger, PeerId } from '@libp2p/interface'

export interface RoutingRecordsInit {
  settings: Settings
  store: ItemStore
  namespaces: RoutingNamespaces
  writer: Writer
  lookups: Lookups
  requests: PeerRequests
  neighbourhood: Neighbourhood
  log: Logger
  /** Aborts background work (read repair) when the service stops. */
  shutdown(): AbortSignal
}

export class RoutingRecords {
  private readonly init: RoutingRecordsInit

  constructor (init: RoutingRecordsInit) {
    this.init = init
  }

  /**
   * Store `value` under the routing key `key` on the R nearest of
   * SHA-256(key). Refused here, before anything is sent, when the namespace
   * is unknown or the validator refuses it; resolves with the peers that
   * acknowledged once W of the replica set did (InsufficientPeersError
   * otherwise, and a replica holding a record its selector prefers refuses
   * with `stale-seq`).
   */
  async put (key: Uint8Array, value: Uint8Array, signal: AbortSignal): Promise<PeerId[]> {
    checkRoutingRecord({ key, value })
    await this.init.namespaces.validate(key, value)
    const item: Item = { kind: 'routing', key: routingItemKey(key), body: encodeRoutingRecord({ key, value }), ttlSeconds: 0 }
    // like a publish: W acknowledgements from the replica set itself, fallbacks not counted
    return this.init.writer.replicate(item, signal, { countFallbacks: false })
  }

  /**
   * The value under `key` that the namespace's selector prefers among the
   * valid ones a read quorum of the replica set (R − W + 1 of the R nearest,
   * our own copy counting when we are one of them) holds. NotFoundError when
   * that quorum answered and none holds a valid one; InsufficientPeersError
   * when too few answered to tell.
   */
  async get (key: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    checkRoutingKey(key)
    this.init.namespaces.of(key)
    const { settings, lookups, requests, neighbourhood } = this.init
    const id = routingItemKey(key)
    const localValue = await this.localValue(id, key)
    const held = new Map<string, { peer: FoundPeer, value?: Uint8Array }>()
    const failed = new Map<string, FoundPeer>()
    const self = neighbourhood.selfPeer()
    const selfKey = self.peerId.toString()
    const replica = neighbourhood.among(id, settings.replicas)
    const quorum = new ReadQuorum(id, settings.readQuorum, selfKey, replica ? { identity: identity(localValue) } : undefined)
    const result = await lookups.run(id, lookups.readShape(), signal, async (peer, querySignal) => {
      try {
        const answer = await requests.ask(peer, { signal: querySignal }, async (rpc, options) => rpc.fetch(peer, id, settings.replicas, options))
        // a malformed or misplaced answer is skipped like an unreachable peer; a record the
        // validator refuses (an IPNS record that expired while held) is no record
        const value = answer.item == null ? undefined : await this.validValue(id, key, answer.item, peer)
        held.set(peer.peerId.toString(), { peer, value })
        return { closer: answer.closer, ...quorum.answerIdentity(peer, identity(value), answer.closer) }
      } catch (err) {
        if (!querySignal.aborted || signal.aborted) failed.set(peer.peerId.toString(), peer)
        throw err
      }
    })
    // the replica set as far as this read can tell: the R nearest of every peer it met and us
    const met = [...held.values()].map(h => h.peer).concat([...failed.values()].filter(p => !held.has(p.peerId.toString())), [self])
    const replicaSet = nearestPositioned(id, met, settings.replicas)
    const heard = replicaSet.filter(p => p.peerId.toString() === selfKey || held.has(p.peerId.toString())).length
    if (heard < settings.readQuorum) {
      throw new InsufficientPeersError(`only ${heard} of the ${settings.readQuorum} replicas a read of routing key ${describe(key)} needs answered (${failed.size} failed)`)
    }
    const values = [...held.values()].map(h => h.value).concat(localValue).filter((v): v is Uint8Array => v != null)
    const best = this.init.namespaces.best(key, values)
    if (best == null) throw lookups.missingError(`routing key ${describe(key)}`, result)
    this.readRepair(id, key, best, replicaSet, held, localValue)
    return best
  }

  /** Our own copy, when it is live and still valid (an IPNS record may have expired since). */
  private async localValue (id: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    const local = await this.init.store.get(id)
    if (local == null || isExpired(local) || kindOf(local.kind) !== 'routing') return undefined
    try {
      return await this.validValue(id, key, { kind: 'routing', body: local.body })
    } catch (err: any) {
      this.init.log('our copy of %s is unreadable: %s', describe(key), err.message)
      return undefined
    }
  }

  /**
   * The value of a routing record under `key` when its namespace's validator
   * accepts it, undefined when it does not; throws when the answer is not a
   * routing record under `key` at all.
   */
  private async validValue (id: Uint8Array, key: Uint8Array, item: Pick<Item, 'kind' | 'body'>, from?: FoundPeer): Promise<Uint8Array | undefined> {
    const who = from?.peerId.toString() ?? 'our store'
    if (item.kind !== 'routing') throw new ProtocolError(`${who} served a ${item.kind} item under routing key ${describe(key)}`)
    const record = decodeRoutingRecord(item.body, id)
    if (compareBytes(record.key, key) !== 0) throw new ProtocolError(`${who} served a record under another routing key`)
    try {
      await this.init.namespaces.validate(key, record.value)
      return record.value
    } catch (err: any) {
      this.init.log('%s holds a record for %s its validator refuses: %s', who, describe(key), err.message)
      return undefined
    }
  }

  /** Push the chosen record to replicas that answered with another or none; in the background. */
  private readRepair (id: Uint8Array, key: Uint8Array, best: Uint8Array, replicaSet: FoundPeer[], held: Map<string, { value?: Uint8Array }>, localValue?: Uint8Array): void {
    const item: Item = { kind: 'routing', key: id, body: encodeRoutingRecord({ key, value: best }), ttlSeconds: 0 }
    const self = this.init.neighbourhood.selfId
    const behind = replicaSet.filter(peer => {
      const value = peer.peerId.equals(self) ? localValue : held.get(peer.peerId.toString())?.value
      return value == null || compareBytes(value, best) !== 0
    })
    for (const peer of behind) {
      this.init.writer.storeOn(peer, item, deadlineSignal([this.init.shutdown()], this.init.settings.requestTimeout)).then(() => {
        this.init.log('read repair: %p now holds the preferred record of %s', peer.peerId, describe(key))
      }, (err: Error) => {
        // a replica whose selector prefers what it holds refuses: that is its answer, not a failure
        this.init.log('read repair of %p for %s: %s', peer.peerId, describe(key), err.message)
      })
    }
  }
}

/** The same string for the same value (the read quorum compares answers by it). */
function identity (value: Uint8Array | undefined): string | undefined {
  return value == null ? undefined : hexKey(sha256(value))
}

/** A routing key for messages: its namespace and the start of the rest. */
function describe (key: Uint8Array): string {
  const text = new TextDecoder().decode(key.subarray(0, 6))
  return `${text}${hexKey(key.subarray(6, 16))}…`
}
