/**
 * ReadQuorum: when a resolve may stop asking (a read quorum agrees and no
 * nearer replica was named), when it stays narrow, and when it widens.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ReadQuorum } from '../../../src/service/read-quorum.ts'
import { createPublishRecord } from '../../../src/records/publish-record.ts'
import { position, randomPeers } from '../helpers.ts'
import type { PublishRecord } from '../../../src/records/publish-record.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'

describe('unit: ReadQuorum', () => {
  const id = position(0x00)
  let records: Map<bigint, PublishRecord>
  /** Peers placed by hand: peer i sits at distance i + 1 (first byte) from the id. */
  let peers: FoundPeer[]
  const selfKey = 'self'

  before(async () => {
    const privateKey = await generateKeyPair('Ed25519')
    records = new Map()
    for (const seq of [4n, 5n]) records.set(seq, await createPublishRecord({ privateKey, seq, value: new TextEncoder().encode(`v${seq}`) }))
    peers = (await randomPeers(5)).map((p, i) => ({ ...p, position: position(i + 1) }))
  })

  const rec = (seq: bigint): PublishRecord => records.get(seq)!

  it('stops once R - W + 1 answers agree on a seq', () => {
    const quorum = new ReadQuorum(id, 2, selfKey)
    expect(quorum.answer(peers[0], rec(5n), [])).to.deep.equal({ stop: false, staysNarrow: true })
    expect(quorum.answer(peers[1], rec(5n), [])).to.deep.equal({ stop: true, staysNarrow: true })
  })

  it('widens when two answers disagree', () => {
    const quorum = new ReadQuorum(id, 2, selfKey)
    quorum.answer(peers[0], rec(5n), [])
    expect(quorum.answer(peers[1], rec(4n), [])).to.deep.equal({ stop: false, staysNarrow: false })
  })

  it('widens when a replica holds nothing, and never stops while one answer is missing', () => {
    const quorum = new ReadQuorum(id, 2, selfKey)
    expect(quorum.answer(peers[0], undefined, [])).to.deep.equal({ stop: false, staysNarrow: false })
    expect(quorum.answer(peers[1], rec(5n), []).stop).to.equal(false)
    expect(quorum.answer(peers[2], rec(5n), []).stop).to.equal(false)
  })

  it('counts our own copy when we are a replica', () => {
    const quorum = new ReadQuorum(id, 2, selfKey, { record: rec(5n) })
    expect(quorum.answer(peers[0], rec(5n), []).stop).to.equal(true)
  })

  it('our own replica without a copy disagrees with any answer', () => {
    const quorum = new ReadQuorum(id, 2, selfKey, { record: undefined })
    expect(quorum.answer(peers[0], rec(5n), [])).to.deep.equal({ stop: false, staysNarrow: false })
  })

  it('does not stop while an answer named a replica nearer than the farthest asked', () => {
    const quorum = new ReadQuorum(id, 2, selfKey)
    quorum.answer(peers[1], rec(5n), [])
    // peers[0] is nearer to the id than both peers asked: the quorum may not be the replica set
    expect(quorum.answer(peers[2], rec(5n), [peers[0]])).to.deep.equal({ stop: false, staysNarrow: true })
    // once it answered the same, the read may stop
    expect(quorum.answer(peers[0], rec(5n), []).stop).to.equal(true)
  })

  it('a farther peer named, or ourselves, does not hold the read back', () => {
    const quorum = new ReadQuorum(id, 2, selfKey)
    const self = { ...peers[0], peerId: { toString: () => selfKey } } as unknown as FoundPeer
    quorum.answer(peers[1], rec(5n), [peers[4]])
    expect(quorum.answer(peers[2], rec(5n), [self, peers[3]]).stop).to.equal(true)
  })
})
