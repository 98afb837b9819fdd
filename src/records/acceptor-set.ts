/**
 * The acceptor set of a compare-and-swap slot (protocols/cas.md, "The
 * acceptor set travels with the record"): peer id multihashes, sorted by
 * bytes, no duplicates, at most MAX_ACCEPTORS. It is part of the value a
 * slot chooses and then metadata of the chosen record (Item.acceptors),
 * outside the publisher's signature.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { compareBytes } from '../bytes.ts'
import type { PeerId } from '@libp2p/interface'

/** Most peers in a set (the wire's limit too, protocols/rpc.proto). */
export const MAX_ACCEPTORS = 16
/** Longest peer id multihash taken (an Ed25519 identity multihash is 38 bytes, a SHA-256 one 34). */
export const MAX_PEER_ID_BYTES = 64

/** Why `set` is not a well-formed acceptor set, or undefined when it is (empty is well-formed: no set). */
export function acceptorSetProblem (set: Uint8Array[]): string | undefined {
  if (set.length > MAX_ACCEPTORS) return `an acceptor set names at most ${MAX_ACCEPTORS} peers, got ${set.length}`
  for (let i = 0; i < set.length; i++) {
    const id = set[i]
    if (id.byteLength === 0 || id.byteLength > MAX_PEER_ID_BYTES) return `acceptor ${i} is ${id.byteLength} bytes; a peer id is 1 to ${MAX_PEER_ID_BYTES}`
    try {
      peerIdFromMultihash(Digest.decode(id))
    } catch {
      return `acceptor ${i} is not a peer id`
    }
    if (i > 0 && compareBytes(set[i - 1], id) >= 0) return 'an acceptor set must be sorted by bytes, without duplicates'
  }
  return undefined
}

/** The canonical set of these peers (sorted, deduplicated). */
export function acceptorSetOf (peers: PeerId[]): Uint8Array[] {
  const ids = peers.map(p => p.toMultihash().bytes)
  ids.sort(compareBytes)
  return ids.filter((id, i) => i === 0 || compareBytes(ids[i - 1], id) !== 0)
}

export function sameAcceptorSet (a: Uint8Array[], b: Uint8Array[]): boolean {
  return a.length === b.length && a.every((id, i) => compareBytes(id, b[i]) === 0)
}

export function inAcceptorSet (set: Uint8Array[], peer: PeerId): boolean {
  const mine = peer.toMultihash().bytes
  return set.some(id => compareBytes(id, mine) === 0)
}

/** The peer ids of a well-formed set. */
export function acceptorPeers (set: Uint8Array[]): PeerId[] {
  return set.map(id => peerIdFromMultihash(Digest.decode(id)))
}

/** A quorum of a set: a majority of it. */
export function quorumOf (set: unknown[]): number {
  return Math.floor(set.length / 2) + 1
}
