/**
 * A second hop (protocols/rpc.md, "A second hop" and "A second hop for
 * puts"), on the in-memory network: a forwarder that reaches no replica
 * passes the read or put on once to its connected peer nearest the key,
 * when that peer is nearer to the key than it is, and the reader gets the
 * copy (or the read quorum), the writer its W acks and the replicas all R
 * copies, with no connection opened; with one hop (forwardHops 0) the same
 * read or put dials. The chain: reader (or writer) — first forwarder —
 * second forwarder — replicas, each link the only open connection its ends
 * have towards the key.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { nearestPositioned, peerPosition } from '../../../src/keyspace.ts'
import { waitFor } from '../helpers.ts'
import { Frame } from '../../../src/rpc/pb/rpc.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3

describe('unit: forwarded reads and puts, the second hop (in-memory network)', () => {
  let net: MemoryNetwork
  let sent: Array<{ from: string, to: string, type: string }>

  async function network (forwardHops: number): Promise<void> {
    sent = []
    net = await createMemoryNetwork(12, { forwardHops }, { onExchange: (from, to, type) => { sent.push({ from: from.toString(), to: to.toString(), type }) } })
  }
  afterEach(async () => { await net?.stop() })

  async function link (a: Toyrrent, b: Toyrrent): Promise<void> {
    const peer = { peerId: net.peerId(b), multiaddrs: [], position: peerPosition(net.peerId(b)) }
    await a[internals].rpc.fetch(peer, new Uint8Array(32), 0, { timeout: 2000 })
    expect(net.connected(a, b)).to.equal(true)
  }

  /** Keep only these links of `node` (both ends see the same memory link). */
  function only (node: Toyrrent, keep: Toyrrent[]): void {
    for (const n of net.nodes) if (n !== node && !keep.includes(n)) net.disconnect(node, n)
  }

  const forwardsFrom = (from: Toyrrent, to: Toyrrent, after: number, type = Frame.Type.FORWARD): number =>
    sent.filter((s, i) => i >= after && s.from === net.peerId(from).toString() && s.to === net.peerId(to).toString() && s.type === String(type)).length

  /**
   * The chain for `key` (writer and replicas excluded from the rest): the
   * second forwarder is the non-replica nearest the key, the first the next
   * nearest that has it in its table, the reader any other with the first in its table.
   */
  async function chain (key: Uint8Array, writer: Toyrrent): Promise<{ reader: Toyrrent, first: Toyrrent, second: Toyrrent, replicas: Toyrrent[] }> {
    const replicas = net.nearest(key, R)
    const rest = net.nearest(key).filter(n => n !== writer && !replicas.includes(n))
    const second = rest[0]
    const first = rest.slice(1).find(n => n[internals].table.get(net.peerId(second)) != null)!
    const reader = rest.find(n => n !== first && n !== second && n[internals].table.get(net.peerId(first)) != null)!
    for (const r of replicas) await link(second, r)
    await link(first, second)
    await link(reader, first)
    only(reader, [first])
    only(first, [reader, second])
    return { reader, first, second, replicas }
  }

  /** A get over the chain on a network whose readers allow `forwardHops`: what it passed on and what it opened. */
  async function getOverChain (forwardHops: number): Promise<{ passedOn: number, opened: number }> {
    await network(forwardHops)
    const value = new Uint8Array(randomBytes(500))
    const { key } = await net.nodes[0].put(value)
    await waitFor('every replica to hold the value', () => net.nearest(key, R).every(n => n[internals].store.has(key)), 3000)
    const { reader, first, second } = await chain(key, net.nodes[0])
    const opened = net.connectionsOpened()
    const start = sent.length
    expect(await reader.get(key)).to.deep.equal(value)
    return { passedOn: forwardsFrom(first, second, start), opened: net.connectionsOpened() - opened }
  }

  it('get: a forwarder that reaches no replica passes it on to its peer nearest the key; the copy comes back, no connection opened', async () => {
    const { passedOn, opened } = await getOverChain(1)
    expect(passedOn, 'FORWARDs from the first forwarder to the second').to.equal(1)
    expect(opened, 'connections opened by the get').to.equal(0)
  })

  it('get with one hop (forwardHops 0): the same chain ends in a dial', async () => {
    const { passedOn, opened } = await getOverChain(0)
    expect(passedOn, 'FORWARDs passed on').to.equal(0)
    expect(opened, 'connections opened by the get').to.be.greaterThan(0)
  })

  it('resolve: the read quorum comes through the second hop, no connection opened', async () => {
    await network(1)
    const key = await generateKeyPair('Ed25519')
    const { id, seq } = await net.nodes[0].publish(key, new TextEncoder().encode('two hops'))
    await waitFor('every replica to hold the record', () => net.nearest(id, R).every(n => n[internals].store.meta(id)?.seq === seq), 3000)
    const { reader, first, second } = await chain(id, net.nodes[0])
    const opened = net.connectionsOpened()
    const start = sent.length
    const resolved = await reader.resolve(id, { hedgeMs: 60_000 })
    expect(resolved.seq).to.equal(seq)
    expect(new TextDecoder().decode(resolved.value)).to.equal('two hops')
    expect(forwardsFrom(first, second, start), 'FORWARDs from the first forwarder to the second').to.equal(1)
    expect(net.connectionsOpened(), 'connections opened by the resolve').to.equal(opened)
  })

  it('a forwarder passes a read on only towards the key: its one other connection farther from the key than itself is not asked', async () => {
    await network(1)
    const value = new Uint8Array(randomBytes(500))
    const { key } = await net.nodes[0].put(value)
    await waitFor('every replica to hold the value', () => net.nearest(key, R).every(n => n[internals].store.has(key)), 3000)
    const replicas = net.nearest(key, R)
    const rest = net.nearest(key).filter(n => n !== net.nodes[0] && !replicas.includes(n))
    // the first forwarder is the non-replica nearest the key; its only other connection is the farthest node
    const first = rest[0]
    const far = rest[rest.length - 1]
    const reader = rest.slice(1, -1).find(n => n[internals].table.get(net.peerId(first)) != null)!
    expect(nearestPositioned(key, [far, first].map(n => ({ n, position: peerPosition(net.peerId(n)) })), 1)[0].n).to.equal(first)
    await link(first, far)
    await link(reader, first)
    only(reader, [first])
    only(first, [reader, far])
    const start = sent.length
    expect(await reader.get(key)).to.deep.equal(value)
    expect(forwardsFrom(first, far, start), 'FORWARDs passed away from the key').to.equal(0)
  })

  /** A put by the chain's reader of a fresh value, on a network allowing `forwardHops`: what was passed on and what it opened, once all R replicas hold it. */
  async function putOverChain (forwardHops: number): Promise<{ passedOn: number, opened: number, stored: number }> {
    await network(forwardHops)
    const value = new Uint8Array(randomBytes(500))
    const key = new Uint8Array(createHash('sha256').update(value).digest())
    const { reader: writer, first, second, replicas } = await chain(key, net.nodes[0])
    const opened = net.connectionsOpened()
    const start = sent.length
    const { stored } = await writer.put(value, { hedgeMs: 60_000 })
    await waitFor('every replica to hold the value', () => replicas.every(n => n[internals].store.has(key)), 5000)
    return { passedOn: forwardsFrom(first, second, start, Frame.Type.FORWARD_STORE), opened: net.connectionsOpened() - opened, stored: stored.length }
  }

  it('put: a forwarder that reaches no replica passes it on; the writer gets W acks and all R replicas a copy, no connection opened', async () => {
    const { passedOn, opened, stored } = await putOverChain(1)
    expect(stored, 'acknowledgements').to.be.at.least(2)
    expect(passedOn, 'FORWARD_STOREs from the first forwarder to the second').to.be.at.least(1)
    expect(opened, 'connections opened by the put and its background placement').to.equal(0)
  })

  it('put with one hop (forwardHops 0): the same chain ends in dials', async () => {
    const { passedOn, opened } = await putOverChain(0)
    expect(passedOn, 'FORWARD_STOREs passed on').to.equal(0)
    expect(opened, 'connections opened by the put').to.be.greaterThan(0)
  })

  it('put: a forwarder whose acks come from outside the R nearest its replicas name passes it on', async () => {
    await network(1)
    const value = new Uint8Array(randomBytes(500))
    const key = new Uint8Array(createHash('sha256').update(value).digest())
    const { reader: writer, first, second, replicas } = await chain(key, net.nodes[0])
    // the first forwarder's view misses the replica set: it takes the two nodes next nearest it knows for it, and reaches them
    for (const r of replicas) first[internals].table.remove(net.peerId(r))
    // (never nodes[0], which chain() kept out of the roles: it may be nearer to the key than the second forwarder)
    const stand = net.nearest(key).filter(n => n !== net.nodes[0] && n !== writer && n !== first && n !== second && !replicas.includes(n)).slice(0, 2)
    for (const n of stand) await link(first, n)
    only(first, [writer, second, ...stand])
    const start = sent.length
    const { stored } = await writer.put(value, { hedgeMs: 60_000 })
    expect(stored.map(p => p.toString()).filter(id => replicas.some(r => net.peerId(r).toString() === id)).length, 'acks from the replica set').to.be.at.least(2)
    expect(forwardsFrom(first, second, start, Frame.Type.FORWARD_STORE), 'FORWARD_STOREs passed on').to.be.at.least(1)
  })
})
