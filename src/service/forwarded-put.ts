/**
 * Forwarded puts (protocols/rpc.md, "Forwarded puts"; issue 13's cold put).
 * A put whose replica set we have open connections to fewer than W of would
 * pay a new connection (4–6 round trips over TCP) before its STORE. Instead
 * we hand the hash item to the peer nearest the key among those we are
 * connected to (FORWARD_STORE): it stores it on the replicas it reaches over
 * its own open connections and brings back their signed acknowledgements
 * (records/store-ack.ts), two round trips in all. Beside it we store on the
 * replicas we do reach ourselves. The forwarder's `closer` names, besides its
 * own nearest, the nearer peers its replicas' answers named: a forwarder far
 * from the key whose table misses the neighbourhood cannot make us count
 * peers outside it.
 *
 * Nothing the forwarder says is trusted. An ack counts only when its
 * signature checks for this item under our fresh nonce, by the key inside the
 * signer's peer id, and the signer is among the key's R nearest in the union
 * of our own view, the forwarder's `closer` and the signers. A forwarder can
 * withhold acks (we fall back to the direct path, with dials, keeping the
 * acks that did count) but not forge them; one that returns an ack that does
 * not check (it checks them itself before passing them on) is not asked again
 * for a while. Hash items and plain publishes (a record's replica acks the
 * seq it keeps); a compare-and-swap keeps its own rules (cas.ts).
 */
import { randomBytes } from 'node:crypto'
import { nearestPositioned, peerPosition } from '../keyspace.ts'
import { ACK_NONCE_BYTES, ackedItem, signStoreAck, verifyStoreAck } from '../records/store-ack.ts'
import { RemoteRejectedError } from '../errors.ts'
import { uniquePeers } from '../found-peer.ts'
import { hedged, nextHopToward } from './forwarded-read.ts'
import type { ForwardedReads, OpenConnections } from './forwarded-read.ts'
import type { PeerRtt } from './peer-rtt.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { PeerTable } from './peer-table.ts'
import type { Settings } from './options.ts'
import type { PeerRpc } from '../rpc/peer-rpc.ts'
import type { AckSigner, ForwardStorer } from '../rpc/handlers/index.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Item } from '../records/item.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { Logger, PeerId, PrivateKey } from '@libp2p/interface'

export interface ForwardedPutsInit {
  settings: Pick<Settings, 'replicas' | 'writeQuorum' | 'requestTimeout' | 'clock' | 'forwardHops'>
  rpc: PeerRpc
  table: PeerTable
  neighbourhood: Neighbourhood
  connections: OpenConnections
  /** The forwarded reads' forwarder choice, distrust list and hedge, shared with puts. */
  reads: ForwardedReads
  rtt: PeerRtt
  log: Logger
  metrics?: ToyrrentMetrics
}

/** Store `item` on `peer` (ourselves included) over our own connection; resolves once it acknowledged. */
export type DirectStore = (peer: FoundPeer, signal: AbortSignal) => Promise<void>

export class ForwardedPuts {
  private readonly init: ForwardedPutsInit

  constructor (init: ForwardedPutsInit) {
    this.init = init
  }

  /**
   * The peer to forward a put of `key` through: when fewer than W of its R
   * nearest by our table (ourselves counted when we are one) have an open
   * connection, or our table's view of the key's neighbourhood is doubtful
   * (Neighbourhood.mayMiss), the connected table peer nearest the key
   * (forwarded-read.ts's choice, lying forwarders excluded). Undefined: put
   * directly.
   */
  forwarderFor (key: Uint8Array): FoundPeer | undefined {
    return this.init.reads.forwardersFor(key, this.init.settings.writeQuorum, 1)[0]
  }

  /** The connected peer nearest `key` (liars excluded) to place copies through, whatever we reach ourselves; undefined: none. */
  placerFor (key: Uint8Array): FoundPeer | undefined {
    return this.init.reads.forwardersFor(key, Number.POSITIVE_INFINITY, 1)[0]
  }

  /**
   * The copies a direct put would dial for, placed through `forwarder`
   * instead (the put's quorum is within reach over open connections, so this
   * is off its critical path): one FORWARD_STORE, answered once every peer
   * the forwarder reaches answered. Resolves with the signers whose acks
   * check (keyed by peer id) and the peers the forwarder named.
   */
  async place (item: Item, forwarder: FoundPeer, signal: AbortSignal): Promise<{ signers: Set<string>, closer: FoundPeer[] }> {
    const { rpc, settings } = this.init
    const nonce = new Uint8Array(randomBytes(ACK_NONCE_BYTES))
    this.init.metrics?.count('forwarded_placements')
    const answer = await rpc.forwardStore(forwarder, item, nonce, Math.floor(settings.requestTimeout / 2), 0, { signal, timeout: settings.requestTimeout, noDial: true }, settings.forwardHops)
    const signers = await this.checkedSigners(item, forwarder, nonce, answer.acks)
    return { signers: new Set(signers.map(p => p.peerId.toString())), closer: answer.closer }
  }

  /** The signers of `acks` whose acknowledgement of this write checks; a forwarder that passed on one that does not is distrusted. */
  private async checkedSigners (item: Item, forwarder: FoundPeer, nonce: Uint8Array, acks: Array<{ peer: FoundPeer, signature: Uint8Array }>): Promise<FoundPeer[]> {
    const signers: FoundPeer[] = []
    const acked = ackedItem(item)
    let lie = false
    for (const { peer, signature } of acks) {
      if (await verifyStoreAck(peer.peerId, nonce, acked, signature)) signers.push(peer)
      else lie = true
    }
    // a forwarder checks acks before passing them on: one that does not check is its own
    if (lie) this.init.reads.distrust(forwarder, 'a store acknowledgement that does not check')
    return signers
  }

  /**
   * A forwarded put through `forwarder`, with `direct` (the writer's path,
   * given the peers that already acknowledged so it does not ask them again)
   * as fallback: at once when fewer than W acks count, beside it after the
   * forwarder's hedge. Resolves with the peers that acknowledged.
   */
  async put (item: Item, forwarder: FoundPeer, signal: AbortSignal, hedgeMs: number | undefined, store: DirectStore, direct: (signal: AbortSignal, acked: Map<string, FoundPeer>, known?: FoundPeer[]) => Promise<PeerId[]>): Promise<PeerId[]> {
    const acked = new Map<string, FoundPeer>()
    const { reads, rtt, settings } = this.init
    // the hedge spends from the read hedge budget (peer-rtt.ts), which puts fill as reads do: an overloaded node does not dial for every put either
    rtt.readStarted()
    return await hedged(settings.clock, hedgeMs ?? reads.hedgeMs(forwarder), () => rtt.takeHedge(), () => { this.fellBack() }, signal,
      async s => await this.forwarded(item, forwarder, s, store, acked, [], signal, (closer, storing) => {
        // acknowledged: the direct path still runs in the background, skipping the peers that acknowledged and
        // those the forwarder said it was still storing on (their copies are on the way; repair mends a lie),
        // its view with the peers the forwarder named (without them our view's nearer peers heard of, which
        // the replicas' answers would rule out, are dialled)
        const placed = new Map(acked)
        for (const peerId of storing) placed.set(peerId.toString(), { peerId, position: peerPosition(peerId), multiaddrs: [] })
        void direct(signal, placed, closer).catch(() => {})
      }),
      async s => await direct(s, acked))
  }

  /** The direct path started: the forwarded put fell short of W counted acks, failed, or took longer than the hedge. */
  fellBack (): void {
    this.init.metrics?.count('forwarded_put_fallbacks')
  }

  /**
   * A correction round through a forwarder (writer.ts): the stores on the
   * replica set our table knew named `nearer` peers we have no open
   * connection to. Rather than dial them, we hand the item to `forwarder`
   * (one that just answered us, nearest the key: its neighbourhood is theirs)
   * and count its signed acks with `acked`, the acknowledgements we have,
   * by the same rule. W counted → the peers; else undefined, within the
   * forwarder's hedge (the caller then dials, as before). `known`: the view
   * the round had, the nearer peers included.
   */
  async correct (item: Item, forwarder: FoundPeer, known: FoundPeer[], acked: Map<string, FoundPeer>, signal: AbortSignal): Promise<PeerId[] | undefined> {
    const { clock } = this.init.settings
    const stop = AbortSignal.any([signal, clock.timeoutSignal(Math.ceil(this.init.reads.hedgeMs(forwarder)))])
    try {
      return await this.forwarded(item, forwarder, stop, undefined, acked, known)
    } catch (err) {
      if (signal.aborted) throw err
      return undefined
    } finally {
      this.init.metrics?.count('forwarded_puts')
    }
  }

  /**
   * The forwarded attempt: W counted acks → the peers; fewer → undefined (the
   * fallback starts, keeping in `acked` those that counted). With `store`,
   * the replicas of our view we reach ourselves are stored on beside it.
   */
  private async forwarded (item: Item, forwarder: FoundPeer, signal: AbortSignal, store: DirectStore | undefined, acked: Map<string, FoundPeer>, known: FoundPeer[] = [], outer = signal, done?: (closer: FoundPeer[], storing: PeerId[]) => void): Promise<PeerId[] | undefined> {
    const { settings, rpc, neighbourhood, table, connections } = this.init
    const { replicas, writeQuorum, requestTimeout } = settings
    if (store != null) this.init.metrics?.count('forwarded_puts')
    const nonce = new Uint8Array(randomBytes(ACK_NONCE_BYTES))
    const view = nearestPositioned(item.key, uniquePeers([...neighbourhood.nearestPeers(item.key, replicas), ...table.closest(item.key, replicas), ...known, ...acked.values()]), replicas)
    const selfKey = neighbourhood.selfId.toString()
    // beside the forward: the replicas of our view we reach ourselves (ourselves too), no dial
    const direct = store == null ? [] : view.filter(p => !acked.has(p.peerId.toString()) && (p.peerId.toString() === selfKey || connections.isOpen(p.peerId)))
    const directDone = new Map<string, FoundPeer>()
    const directStores = direct.map(async p => {
      try {
        await store!(p, signal)
        directDone.set(p.peerId.toString(), p)
      } catch {}
    })
    let answer
    try {
      // the forwarder gets half our deadline: its answer must still reach us within ours; `outer`: a hedge that fired does not stop it
      answer = await rpc.forwardStore(forwarder, item, nonce, Math.floor(requestTimeout / 2), writeQuorum, { signal: outer, timeout: requestTimeout, noDial: true }, settings.forwardHops)
    } catch (err) {
      // a refusal of the item itself (too large, does not hash) is final: the direct path would be refused the same
      if (err instanceof RemoteRejectedError && (err.code === 'hash-mismatch' || err.code === 'too-large')) throw err
      this.init.log('forwarded put of %s through %p failed: %s', item.key, forwarder.peerId, (err as Error).message)
      answer = { acks: [], closer: [], storing: [] }
    }
    await Promise.all(directStores)
    const counted = await this.count(item, forwarder, nonce, answer, view, direct, directDone, acked)
    // the direct path's stores (its correction rounds, dials where a copy is missing) go on in the background:
    // the forward shortens the put, it does not replace the placement
    // (the forwarder's view can miss a replica that our stores' answers would name: the 1,000-node simulation)
    if (counted != null) done?.(answer.closer, answer.storing)
    return counted
  }

  /** The forward's answer: its acks that check, by members of the replica set (as the file comment says), with our own; W → the peers. */
  private async count (item: Item, forwarder: FoundPeer, nonce: Uint8Array, answer: { acks: Array<{ peer: FoundPeer, signature: Uint8Array }>, closer: FoundPeer[] }, view: FoundPeer[], direct: FoundPeer[], directDone: Map<string, FoundPeer>, acked: Map<string, FoundPeer>): Promise<PeerId[] | undefined> {
    const { replicas, writeQuorum } = this.init.settings
    const signers = await this.checkedSigners(item, forwarder, nonce, answer.acks)
    // the replica set: the R nearest to the key of everything we know of it now
    const replicaSet = nearestPositioned(item.key, uniquePeers([...view, ...answer.closer, ...signers, ...direct]), replicas)
    const members = new Set(replicaSet.map(p => p.peerId.toString()))
    // only members are kept for the fallback too: a signer we know of from the forwarder alone counts nowhere else
    for (const p of [...directDone.values(), ...signers]) if (members.has(p.peerId.toString())) acked.set(p.peerId.toString(), p)
    const counted = [...acked.values()].filter(p => members.has(p.peerId.toString()))
    if (counted.length >= writeQuorum) return counted.map(p => p.peerId)
    this.init.log('forwarded put of %s through %p: %d of %d acks counted', item.key, forwarder.peerId, counted.length, writeQuorum)
    return undefined
  }
}

/** What serving FORWARD_STORE needs (rpc/handlers/forward-store.ts): STORE over open connections only, our own store and key. */
export function forwardStorer (selfId: PeerId, privateKey: PrivateKey | undefined, s: Settings, rpc: PeerRpc, acceptor: ItemAcceptor, table: PeerTable, connections: OpenConnections | undefined, metrics: ToyrrentMetrics, onStored?: (key: Uint8Array) => void): ForwardStorer | undefined {
  if (connections == null || privateKey == null) return undefined
  return {
    selfId,
    replicas: s.replicas,
    maxTimeoutMs: Math.floor(s.requestTimeout / 2),
    isOpen: peer => connections.isOpen(peer),
    store: async (peer, item, nonce, signal, timeout) => {
      const answer = await rpc.store(peer, item, { ackNonce: nonce, closerCount: s.replicas }, { signal, timeout, noDial: true })
      return { ...(answer.ack != null ? { ack: answer.ack } : {}), closer: answer.closer }
    },
    keep: async (item, nonce, signal) => {
      const result = await acceptor.accept(item, { signal })
      if (result.refused != null) throw new RemoteRejectedError(`local store refused: ${result.message ?? ''}`, result.refused)
      // as a STORE from a peer: repair hears of the item (rpc-serving.ts onStored)
      onStored?.(item.key)
      return await signStoreAck(privateKey, nonce, ackedItem(item))
    },
    served: () => { metrics.count('forwarded_puts_served') },
    nextHop: nextHopToward(selfId, table, connections),
    forwardStore: async (peer, item, nonce, enough, timeout, signal) => {
      metrics.count('forwarded_puts_passed_on')
      // half of what is left to the next hop: its answer must still reach us, and ours the origin
      return await rpc.forwardStore(peer, item, nonce, Math.floor(timeout / 2), enough, { signal, timeout, noDial: true })
    }
  }
}

/** The RPC server's part (rpc-serving.ts): STORE signs acks with our key, and FORWARD_STORE is served, when we have the key and know our connections. */
export function ackServing (components: { peerId: PeerId, privateKey?: PrivateKey }, s: Settings, rpc: PeerRpc, acceptor: ItemAcceptor, table: PeerTable, connections: OpenConnections | undefined, metrics: ToyrrentMetrics, onStored?: (key: Uint8Array) => void): { signAck?: AckSigner, forwardStore?: ForwardStorer } {
  const key = components.privateKey
  if (key == null) return {}
  const forwardStore = forwardStorer(components.peerId, key, s, rpc, acceptor, table, connections, metrics, onStored)
  return { signAck: async (nonce, item) => signStoreAck(key, nonce, item), ...(forwardStore != null ? { forwardStore } : {}) }
}
