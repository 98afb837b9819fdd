/**
 * A forwarded resolve's quorum hints (protocols/rpc.md, "Quorum hints"), on
 * the in-memory network: a forwarder that cannot reach the answers the
 * reader still needs says so at once, so the next forwarder is asked
 * before the first has fetched anything, and the replicas the first does
 * reach still count toward the same quorum; a forwarder answers once
 * enough replicas agree instead of waiting for a slow one. Order of
 * requests and connection counts, not time (one deadline: a held replica).
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { nearestPositioned, peerPosition } from '../../../src/keyspace.ts'
import { waitFor } from '../helpers.ts'
import { ForwardMode, Frame } from '../../../src/rpc/pb/rpc.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PeerId } from '@libp2p/interface'

const R = 3
const HOLD_MS = 10 * 60_000

describe('unit: forwarded resolve quorum hints (in-memory network)', () => {
  let net: MemoryNetwork
  let sent: Array<{ from: string, to: string, type: string }>
  let held: (from: PeerId, to: PeerId) => boolean

  beforeEach(async () => {
    sent = []
    held = () => false
    // a long request timeout: a forwarder waiting on a held replica would wait half of it; one hop
    // (forwardHops 0): a forwarder short of replicas says so rather than passing the read on (forward-second-hop.spec.ts)
    net = await createMemoryNetwork(12, { requestTimeout: 60_000, forwardHops: 0 }, {
      onExchange: (from, to, type) => { sent.push({ from: from.toString(), to: to.toString(), type }) },
      delay: (from, to) => held(from, to) ? HOLD_MS : 0
    })
  })
  afterEach(async () => { await net?.stop() })

  async function link (a: Toyrrent, b: Toyrrent): Promise<void> {
    const peer = { peerId: net.peerId(b), multiaddrs: [], position: peerPosition(net.peerId(b)) }
    await a[internals].rpc.fetch(peer, new Uint8Array(32), 0, { timeout: 2000 })
    expect(net.connected(a, b)).to.equal(true)
  }

  async function published (): Promise<{ id: Uint8Array, seq: bigint, replicas: Toyrrent[], reader: Toyrrent, first: Toyrrent, second: Toyrrent }> {
    const key = await generateKeyPair('Ed25519')
    const { id, seq } = await net.nodes[0].publish(key, new TextEncoder().encode('hinted'))
    const replicas = net.nearest(id, R)
    await waitFor('every replica to hold the record', () => replicas.every(n => n[internals].store.meta(id)?.seq === seq), 3000)
    const reader = net.nodes.find(n => n !== net.nodes[0] && !replicas.includes(n))!
    // the reader's two table peers nearest the id that are neither writer nor replicas: the nearer is asked first
    const others = net.nodes.filter(n => n !== reader && n !== net.nodes[0] && !replicas.includes(n) && reader[internals].table.get(net.peerId(n)) != null)
    const [first, second] = nearestPositioned(id, others.map(n => ({ node: n, position: peerPosition(net.peerId(n)) })), 2).map(e => e.node)
    await link(reader, first)
    await link(reader, second)
    for (const r of replicas) { net.disconnect(first, r); net.disconnect(second, r) }
    for (const n of net.nodes) if (n !== first && n !== second) net.disconnect(reader, n)
    return { id, seq, replicas, reader, first, second }
  }

  const index = (from: Toyrrent, to: Toyrrent, type: Frame.Type, after = 0): number =>
    sent.findIndex((s, i) => i >= after && s.from === net.peerId(from).toString() && s.to === net.peerId(to).toString() && s.type === String(type))

  it('a first forwarder reaching one replica answers at once; the second is asked before the first fetches, and the two make the quorum with no connection opened', async () => {
    const { id, seq, replicas, reader, first, second } = await published()
    await link(first, replicas[0])
    await link(second, replicas[1])
    const opened = net.connectionsOpened()
    const start = sent.length
    const resolved = await reader.resolve(id, { hedgeMs: 60_000 })
    expect(resolved.seq).to.equal(seq)
    expect(net.connectionsOpened(), 'connections opened by the resolve').to.equal(opened)
    const toFirst = index(reader, first, Frame.Type.FORWARD, start)
    const toSecond = index(reader, second, Frame.Type.FORWARD, start)
    const firstFetch = index(first, replicas[0], Frame.Type.FETCH, start)
    expect(toFirst, 'FORWARD to the first forwarder').to.be.at.least(0)
    expect(toSecond, 'FORWARD to the second forwarder').to.be.greaterThan(toFirst)
    // the old way: the first fetched from its one replica, answered short, and only then was the second asked
    expect(firstFetch, 'the first forwarder fetched from its replica (asked again, without the hint)').to.be.greaterThan(toSecond)
    expect(index(reader, first, Frame.Type.FORWARD, toFirst + 1), 'the first forwarder asked again').to.be.within(toFirst + 1, firstFetch)
  })

  it('a forwarder answers once enough replicas agree: a held third replica does not hold the resolve back', async () => {
    const { id, seq, replicas, reader, first } = await published()
    for (const r of replicas) await link(first, r)
    held = (from, to) => from.equals(net.peerId(first)) && to.equals(net.peerId(replicas[2]))
    // the old way the forwarder waited for the held replica until its own deadline (30 s here)
    const resolved = await Promise.race([
      reader.resolve(id, { hedgeMs: 60_000 }),
      new Promise<never>((_resolve, reject) => setTimeout(() => { reject(new Error('the resolve waited for the held replica')) }, 10_000).unref())
    ])
    expect(resolved.seq).to.equal(seq)
    expect(index(first, replicas[2], Frame.Type.FETCH), 'the held replica was asked').to.be.at.least(0)
  })

  it('FORWARD on the wire: with shortAtOnce and too few replicas reachable the forwarder answers at once, tooFewOpen, and asks nobody; without the hint it asks those it reaches', async () => {
    const key = new Uint8Array(32).fill(9)
    const nearest = net.nearest(key)
    // the requester and the forwarder are not replicas: the forwarder's R nearest are the three nearest
    const replicas = nearest.slice(0, R)
    const forwarder = nearest[R]
    const a = nearest[nearest.length - 1]
    for (const n of net.nodes) if (n !== forwarder) net.disconnect(forwarder, n)
    await link(a, forwarder)
    await link(forwarder, replicas[0])
    const to = { peerId: net.peerId(forwarder), multiaddrs: [], position: peerPosition(net.peerId(forwarder)) }
    const start = sent.length
    const hinted = await net.transport(a).exchange(to, { type: Frame.Type.FORWARD, forwardRequest: { key, mode: ForwardMode.REPLICA_SET, timeoutMs: 1000, enough: 2, shortAtOnce: true } }, { timeout: 2000 })
    expect(hinted.response.forwardResponse?.tooFewOpen).to.equal(true)
    expect(hinted.response.forwardResponse?.reachable).to.equal(1)
    expect(hinted.response.forwardResponse?.answers).to.deep.equal([])
    expect(hinted.response.forwardResponse?.closer.length).to.equal(R)
    expect(sent.slice(start).filter(s => s.from === net.peerId(forwarder).toString()), 'requests the forwarder sent').to.deep.equal([])
    const plain = await net.transport(a).exchange(to, { type: Frame.Type.FORWARD, forwardRequest: { key, mode: ForwardMode.REPLICA_SET, timeoutMs: 1000, enough: 2 } }, { timeout: 2000 })
    expect(plain.response.forwardResponse?.tooFewOpen ?? false).to.equal(false)
    expect(plain.response.forwardResponse?.answers.length, 'the one replica it reaches answered').to.equal(1)
  })
})
