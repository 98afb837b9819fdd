/**
 * Peers decoded from the wire, remembered by their exact bytes. Every STORE
 * answer names the responder's R nearest peers to the key (the writer's
 * check of the replica set), so an add of a 64 MiB file decodes some 7,500
 * PeerInfos, nearly all the same few peers: parsing the id and addresses and
 * hashing the id to a position was 6 % of the add's profile. The bytes fully
 * determine the result, so a peer seen before is a copy of the one decoded
 * then (a fresh object with a fresh address array; PeerId, Multiaddr and the
 * position are immutable and shared).
 */
import type { FoundPeer } from '../found-peer.ts'

/** Distinct peers remembered; the oldest goes first beyond this. */
export const PEER_MEMO_SIZE = 1024
/** A peer whose id and addresses take more bytes than this is decoded every time, never remembered (the memo stays under a few MiB whatever peers send). */
export const PEER_MEMO_MAX_BYTES = 1024

export class PeerMemo {
  private readonly peers = new Map<string, FoundPeer>()
  private readonly size: number

  constructor (size = PEER_MEMO_SIZE) {
    this.size = Math.max(1, size)
  }

  /** The peer these bytes decode to: remembered, or `decode`d now (and remembered when it decodes). */
  get (id: Uint8Array, addrs: Uint8Array[], decode: () => FoundPeer | undefined): FoundPeer | undefined {
    if (addrs.reduce((n, a) => n + a.byteLength, id.byteLength) > PEER_MEMO_MAX_BYTES) return decode()
    const key = memoKey(id, addrs)
    let peer = this.peers.get(key)
    if (peer == null) {
      peer = decode()
      if (peer == null) return undefined
      if (this.peers.size >= this.size) this.peers.delete(this.peers.keys().next().value!)
      this.peers.set(key, peer)
    }
    return { peerId: peer.peerId, multiaddrs: [...peer.multiaddrs], position: peer.position }
  }
}

/** The bytes as a string, each part length-prefixed so no two lists of parts give the same key. */
function memoKey (id: Uint8Array, addrs: Uint8Array[]): string {
  let key = `${id.byteLength}:${latin1(id)}`
  for (const addr of addrs) key += `${addr.byteLength}:${latin1(addr)}`
  return key
}

function latin1 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
}
