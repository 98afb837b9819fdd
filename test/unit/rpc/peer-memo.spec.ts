/**
 * Peers from the wire, decoded once per distinct bytes (src/rpc/peer-memo.ts):
 * the same bytes give the same peer without decoding again, each caller gets
 * its own object and address array, other bytes (another address, parts cut
 * differently) decode on their own, a malformed or oversized peer is never
 * remembered, and the memo holds at most its size.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { PEER_MEMO_MAX_BYTES, PeerMemo } from '../../../src/rpc/peer-memo.ts'
import { peerFromWire, peerToWire } from '../../../src/rpc/wire.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'

async function somePeer (port = 4001): Promise<FoundPeer> {
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  return { peerId, multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${port}`)], position: peerPosition(peerId) }
}

describe('unit: peers decoded from the wire once (peer-memo.ts)', () => {
  it('the same bytes: decoded once, a fresh object and address array for each caller', async () => {
    const peer = await somePeer()
    const memo = new PeerMemo()
    let decodes = 0
    const decode = (): FoundPeer => { decodes++; return { ...peer, multiaddrs: [...peer.multiaddrs] } }
    const wire = peerToWire(peer)
    const a = memo.get(wire.id, wire.addrs, decode)!
    const b = memo.get(Uint8Array.from(wire.id), wire.addrs.map(x => Uint8Array.from(x)), decode)!
    expect(decodes).to.equal(1)
    expect(a).to.not.equal(b)
    expect(a.multiaddrs).to.not.equal(b.multiaddrs)
    expect(b.peerId.equals(peer.peerId)).to.equal(true)
    a.multiaddrs.push(multiaddr('/ip4/10.0.0.1/tcp/1'))
    expect(memo.get(wire.id, wire.addrs, decode)!.multiaddrs.map(String)).to.deep.equal(['/ip4/127.0.0.1/tcp/4001'])
  })

  it('other bytes decode on their own: another address, the same bytes cut differently', () => {
    const memo = new PeerMemo()
    let decodes = 0
    const decode = (): FoundPeer | undefined => { decodes++; return { peerId: undefined as any, multiaddrs: [], position: new Uint8Array(32) } }
    memo.get(Uint8Array.of(1, 2), [Uint8Array.of(3)], decode)
    memo.get(Uint8Array.of(1), [Uint8Array.of(2, 3)], decode)
    memo.get(Uint8Array.of(1, 2, 3), [], decode)
    memo.get(Uint8Array.of(1, 2), [Uint8Array.of(3), Uint8Array.of(4)], decode)
    expect(decodes).to.equal(4)
  })

  it('a malformed peer is not remembered', () => {
    const memo = new PeerMemo()
    let decodes = 0
    const decode = (): undefined => { decodes++; return undefined }
    expect(memo.get(Uint8Array.of(9), [], decode)).to.equal(undefined)
    expect(memo.get(Uint8Array.of(9), [], decode)).to.equal(undefined)
    expect(decodes).to.equal(2)
  })

  it('a peer of more than PEER_MEMO_MAX_BYTES is decoded every time, never remembered', () => {
    const memo = new PeerMemo()
    let decodes = 0
    const decode = (): FoundPeer => { decodes++; return { peerId: undefined as any, multiaddrs: [], position: new Uint8Array(32) } }
    const big = [new Uint8Array(PEER_MEMO_MAX_BYTES)]
    memo.get(Uint8Array.of(1), big, decode)
    memo.get(Uint8Array.of(1), big, decode)
    expect(decodes).to.equal(2)
    memo.get(Uint8Array.of(1), [new Uint8Array(PEER_MEMO_MAX_BYTES - 1)], decode)
    memo.get(Uint8Array.of(1), [new Uint8Array(PEER_MEMO_MAX_BYTES - 1)], decode)
    expect(decodes, 'just under the limit: remembered').to.equal(3)
  })

  it('holds at most its size, the oldest going first', () => {
    const memo = new PeerMemo(2)
    const decoded: number[] = []
    const get = (n: number): void => { memo.get(Uint8Array.of(n), [], () => { decoded.push(n); return { peerId: undefined as any, multiaddrs: [], position: new Uint8Array(32) } }) }
    get(1); get(2); get(3); get(2); get(1)
    expect(decoded).to.deep.equal([1, 2, 3, 1])
  })

  it('peerFromWire: the peer its bytes name, the same on the second decode; malformed bytes are undefined', async () => {
    const peer = await somePeer(4002)
    const wire = peerToWire(peer)
    for (let i = 0; i < 2; i++) {
      const got = peerFromWire(wire)!
      expect(got.peerId.equals(peer.peerId)).to.equal(true)
      expect(got.multiaddrs.map(String)).to.deep.equal(['/ip4/127.0.0.1/tcp/4002'])
      expect(Buffer.from(got.position).equals(Buffer.from(peerPosition(peer.peerId)))).to.equal(true)
    }
    expect(peerFromWire({ id: Uint8Array.of(1, 2, 3), addrs: [] })).to.equal(undefined)
  })
})
