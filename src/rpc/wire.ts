/**
 * Between the wire (protocols/rpc.proto) and the domain: items, peers and
 * statuses. The one place either side learns the other's shape.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { ItemKind, Status } from './pb/rpc.ts'
import { ownBytes } from '../bytes.ts'
import { peerPosition } from '../keyspace.ts'
import { PeerMemo } from './peer-memo.ts'
import { MAX_ADDRS_PER_PEER } from '../constants.ts'
import { codeOfWire, wireOf } from '../refusals.ts'
import type { Ballot as WireBallot, Item as WireItem, PeerInfo } from './pb/rpc.ts'
import type { Ballot } from '../store/paxos-state.ts'
import type { Item } from '../records/item.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { RefusalCode } from '../refusals.ts'

const WIRE_KINDS = { hash: ItemKind.HASH, publish: ItemKind.PUBLISH, routing: ItemKind.ROUTING } as const

export function itemToWire (item: Item): WireItem {
  return { kind: WIRE_KINDS[item.kind], key: ownBytes(item.key), body: ownBytes(item.body), ttlSeconds: item.ttlSeconds, acceptors: (item.acceptors ?? []).map(ownBytes) }
}

export function itemFromWire (item: WireItem): Item {
  const kind = item.kind === ItemKind.PUBLISH ? 'publish' : item.kind === ItemKind.ROUTING ? 'routing' : 'hash'
  return { kind, key: item.key, body: item.body, ttlSeconds: item.ttlSeconds, ...(item.acceptors.length > 0 ? { acceptors: item.acceptors } : {}) }
}

/** A peer as a wire PeerInfo, with at most MAX_ADDRS_PER_PEER of its addresses. */
export function peerToWire (peer: FoundPeer): PeerInfo {
  return { id: peer.peerId.toMultihash().bytes, addrs: peer.multiaddrs.slice(0, MAX_ADDRS_PER_PEER).map(a => a.bytes) }
}

/** Parse a wire PeerInfo; undefined when it is malformed (a bad peer is skipped, not fatal). */
export function peerFromWire (info: PeerInfo): FoundPeer | undefined {
  const addrs = info.addrs.slice(0, MAX_ADDRS_PER_PEER)
  return decoded.get(info.id, addrs, () => {
    try {
      const peerId = peerIdFromMultihash(Digest.decode(info.id))
      return { peerId, multiaddrs: addrs.map(bytes => multiaddr(bytes)), position: peerPosition(peerId) }
    } catch {
      return undefined
    }
  })
}

/** The same few peers come back in every answer: decoded once (peer-memo.ts). */
const decoded = new PeerMemo()

/** The wire status an error code is answered with (codes that never travel become ERROR). */
export function statusOf (code: string): Status {
  return code === 'ok' ? Status.OK : Status[wireOf(code)]
}

/** The stable code of a wire status (`STALE_SEQ` → `stale-seq`), as the API and CLI report it. */
export function codeOf (status: Status): RefusalCode | 'ok' {
  return codeOfWire(status)
}

/** A compare-and-swap ballot on the wire; a missing one is the zero ballot. */
export function ballotToWire (ballot: Ballot): WireBallot {
  return { counter: ballot.counter, proposer: ownBytes(ballot.proposer) }
}

export function ballotFromWire (ballot?: WireBallot): Ballot {
  return ballot == null ? { counter: 0n, proposer: new Uint8Array(0) } : { counter: ballot.counter, proposer: ballot.proposer }
}
