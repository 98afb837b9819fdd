/**
 * Forwarded reads on the in-memory network (protocols/rpc.md, "Forwarded
 * reads"): a reader with no connection to a key's replica set reads through
 * a peer it is connected to, and no connection is opened to a replica; a
 * forwarder that lies (wrong bytes, a bad signature) is caught and the
 * direct path answers; a forwarder with no connection to a replica never
 * dials one. Connections are the memory network's links: two nodes are
 * connected once either asked the other something, until `disconnect`.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { kindNumber } from '../../../src/store/item-store.ts'
import { decodePublishRecord, encodePublishRecord } from '../../../src/records/publish-record.ts'
import { nearestPositioned, peerPosition } from '../../../src/keyspace.ts'
import { waitFor } from '../helpers.ts'
import { ForwardMode, Frame, Status } from '../../../src/rpc/pb/rpc.ts'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3

describe('unit: forwarded reads (in-memory network)', () => {
  let net: MemoryNetwork
  const holds = (node: Toyrrent, key: Uint8Array): boolean => node[internals].store.has(key)
  const forwards = (): number => net.stats.bytesByType.FORWARD ?? 0

  // one hop (forwardHops 0): what a forwarder does with what it reaches itself; the second hop is forward-second-hop.spec.ts
  beforeEach(async () => { net = await createMemoryNetwork(12, { forwardHops: 0 }) })
  afterEach(async () => { await net?.stop() })

  /** Connect two nodes the way a request does (a FETCH of nothing). */
  async function link (a: Toyrrent, b: Toyrrent): Promise<void> {
    const peer = { peerId: net.peerId(b), multiaddrs: [], position: peerPosition(net.peerId(b)) }
    await a[internals].rpc.fetch(peer, new Uint8Array(32), 0, { timeout: 2000 })
    expect(net.connected(a, b)).to.equal(true)
  }

  /** Leave `reader` connected to `forwarder` only. */
  function isolate (reader: Toyrrent, forwarder: Toyrrent): void {
    for (const n of net.nodes) if (n !== reader && n !== forwarder) net.disconnect(reader, n)
  }

  /** A reader, and a forwarder in its table, neither of them in `exclude`. */
  function pick (exclude: Toyrrent[]): { reader: Toyrrent, forwarder: Toyrrent } {
    for (const reader of net.nodes) {
      if (exclude.includes(reader)) continue
      const forwarder = net.nodes.find(n => n !== reader && !exclude.includes(n) && reader[internals].table.get(net.peerId(n)) != null)
      if (forwarder != null) return { reader, forwarder }
    }
    throw new Error('no reader with a forwarder in its table')
  }

  async function putValue (): Promise<{ key: Uint8Array, value: Uint8Array, writer: Toyrrent, replicas: Toyrrent[] }> {
    const value = new Uint8Array(randomBytes(300))
    const writer = net.nodes[0]
    const { key } = await writer.put(value)
    const replicas = net.nearest(key, R)
    await waitFor('every replica to hold the item', () => replicas.every(n => holds(n, key)), 2000)
    return { key, value, writer, replicas }
  }

  it('get: a reader connected to none of the replicas reads through a forwarder, and opens no connection', async () => {
    const { key, value, writer, replicas } = await putValue()
    const { reader, forwarder } = pick([writer, ...replicas])
    await link(forwarder, replicas[0])
    isolate(reader, forwarder)
    const opened = net.connectionsOpened()
    const asked = forwards()
    expect(await reader.get(key)).to.deep.equal(value)
    expect(forwards(), 'a FORWARD went out').to.be.greaterThan(asked)
    expect(net.connectionsOpened(), 'connections opened by the get').to.equal(opened)
    expect(replicas.filter(r => net.connected(reader, r))).to.deep.equal([])
  })

  it('resolve: a read quorum through a forwarder connected to the replicas, no new connection', async () => {
    const key = await generateKeyPair('Ed25519')
    const { id } = await net.nodes[0].publish(key, new TextEncoder().encode('v1'))
    const { seq } = await net.nodes[0].publish(key, new TextEncoder().encode('v2'))
    const replicas = net.nearest(id, R)
    await waitFor('every replica to hold seq 2', () => replicas.every(n => n[internals].store.meta(id)?.seq === seq), 3000)
    const { reader, forwarder } = pick([net.nodes[0], ...replicas])
    for (const r of replicas) await link(forwarder, r)
    isolate(reader, forwarder)
    const opened = net.connectionsOpened()
    const asked = forwards()
    const resolved = await reader.resolve(id)
    expect(resolved.seq).to.equal(seq)
    expect(new TextDecoder().decode(resolved.value)).to.equal('v2')
    expect(forwards(), 'a FORWARD went out').to.be.greaterThan(asked)
    expect(net.connectionsOpened(), 'connections opened by the resolve').to.equal(opened)
  })

  it('resolve: read repair through a forwarded read, to a replica that answered an older record, goes through the forwarder (no connection to it)', async () => {
    const key = await generateKeyPair('Ed25519')
    const { id } = await net.nodes[0].publish(key, new TextEncoder().encode('v1'))
    const replicas = net.nearest(id, R)
    await waitFor('every replica to hold seq 1', () => replicas.every(n => n[internals].store.meta(id) != null), 3000)
    const older = await replicas[2][internals].store.get(id)
    const { seq } = await net.nodes[0].publish(key, new TextEncoder().encode('v2'))
    await waitFor('every replica to hold seq 2', () => replicas.every(n => n[internals].store.meta(id)?.seq === seq), 3000)
    // one replica falls back to the older record (missed the second publish)
    await replicas[2][internals].store.put(id, older!)
    expect((replicas[2][internals].store.meta(id)?.seq ?? 0n) < seq).to.equal(true)
    const { reader, forwarder } = pick([net.nodes[0], ...replicas])
    for (const r of replicas) await link(forwarder, r)
    isolate(reader, forwarder)
    const asked = forwards()
    const resolved = await reader.resolve(id)
    expect(resolved.seq).to.equal(seq)
    expect(forwards(), 'a FORWARD went out').to.be.greaterThan(asked)
    await waitFor('the stale replica to be repaired to the newest seq', () => replicas[2][internals].store.meta(id)?.seq === seq, 3000)
    expect(net.connected(reader, replicas[2]), 'the reader connected to the stale replica').to.equal(false)
  })

  it('get: a forwarder serving wrong bytes is caught; the direct path returns the value', async () => {
    const { key, value, writer, replicas } = await putValue()
    const { reader, forwarder } = pick([writer, ...replicas])
    // the forwarder "holds" a copy that does not hash to the key, and serves it first
    await forwarder[internals].store.put(key, { kind: kindNumber('hash'), body: new Uint8Array(randomBytes(300)), pinned: false, expiresAt: BigInt(Date.now() + 3600_000), storedAt: BigInt(Date.now()), seq: 0n })
    isolate(reader, forwarder)
    const asked = forwards()
    expect(await reader.get(key)).to.deep.equal(value)
    expect(forwards(), 'the forwarder was asked').to.be.greaterThan(asked)
    expect(replicas.some(r => net.connected(reader, r)), 'the fallback asked a replica directly').to.equal(true)
    // not asked again: the next read of another key goes direct at once
    const other = await putValue()
    isolate(reader, forwarder)
    const before = forwards()
    if (!other.replicas.includes(reader)) expect(await reader.get(other.key)).to.deep.equal(other.value)
    expect(forwards(), 'a lying forwarder is not asked again').to.equal(before)
  })

  it('resolve: a forwarder serving a record with a bad signature is caught; the direct path returns the newest record', async () => {
    const key = await generateKeyPair('Ed25519')
    const { id, seq } = await net.nodes[0].publish(key, new TextEncoder().encode('signed'))
    const replicas = net.nearest(id, R)
    await waitFor('every replica to hold the record', () => replicas.every(n => n[internals].store.meta(id)?.seq === seq), 3000)
    // the forwarder is the nearest replica, and its copy's signature is broken (at a higher seq, so it would win)
    const forwarder = replicas[0]
    const record = decodePublishRecord((await forwarder[internals].store.get(id))!.body)
    const forged = encodePublishRecord({ ...record, seq: seq + 5n, signature: new Uint8Array(record.signature.map((b, i) => i === 0 ? b ^ 1 : b)) })
    await forwarder[internals].store.put(id, { kind: kindNumber('publish'), body: new Uint8Array(forged), pinned: false, expiresAt: BigInt(Date.now() + 3600_000), storedAt: BigInt(Date.now()), seq: seq + 5n })
    for (const r of replicas.slice(1)) if (!net.connected(forwarder, r)) await link(forwarder, r)
    const reader = net.nodes.find(n => n !== net.nodes[0] && !replicas.includes(n) && n[internals].table.get(net.peerId(forwarder)) != null)!
    isolate(reader, forwarder)
    const asked = forwards()
    const resolved = await reader.resolve(id)
    expect(resolved.seq).to.equal(seq)
    expect(new TextDecoder().decode(resolved.value)).to.equal('signed')
    expect(forwards(), 'the forwarder was asked').to.be.greaterThan(asked)
    expect(replicas.slice(1).some(r => net.connected(reader, r)), 'the fallback asked the other replicas directly').to.equal(true)
  })

  it('a forwarder with no open connection to a replica does not dial one; the reader falls back', async () => {
    const { key, value, writer, replicas } = await putValue()
    const { reader, forwarder } = pick([writer, ...replicas])
    for (const r of replicas) net.disconnect(forwarder, r)
    isolate(reader, forwarder)
    const asked = forwards()
    expect(await reader.get(key)).to.deep.equal(value)
    expect(forwards(), 'the forwarder was asked').to.be.greaterThan(asked)
    expect(replicas.filter(r => net.connected(forwarder, r)), 'replicas the forwarder connected to').to.deep.equal([])
    expect(replicas.some(r => net.connected(reader, r)), 'the fallback asked a replica directly').to.equal(true)
  })

  it('a forwarder with no connection to a replica: a second forwarder that has one answers, and no connection is opened', async () => {
    const { key, value, writer, replicas } = await putValue()
    const reader = net.nodes.find(n => n !== writer && !replicas.includes(n))!
    // the two table peers nearest the key that are neither writer nor replicas: the nearer is asked first
    const others = net.nodes.filter(n => n !== reader && n !== writer && !replicas.includes(n) && reader[internals].table.get(net.peerId(n)) != null)
    const [first, second] = nearestPositioned(key, others.map(n => ({ node: n, position: peerPosition(net.peerId(n)) })), 2).map(e => e.node)
    await link(reader, first)
    await link(reader, second)
    for (const r of replicas) net.disconnect(first, r)
    await link(second, replicas[0])
    for (const n of net.nodes) if (n !== first && n !== second) net.disconnect(reader, n)
    const opened = net.connectionsOpened()
    const asked = forwards()
    expect(await reader.get(key, { hedgeMs: 20_000 })).to.deep.equal(value)
    expect(net.connectionsOpened(), 'connections opened by the get').to.equal(opened)
    expect(replicas.filter(r => net.connected(reader, r) || net.connected(first, r))).to.deep.equal([])
    expect(forwards(), 'FORWARD bytes: both forwarders were asked').to.be.greaterThan(asked)
  })

  it('resolve: two forwarders that each reach one replica make the read quorum together; no connection is opened', async () => {
    const key = await generateKeyPair('Ed25519')
    const { id, seq } = await net.nodes[0].publish(key, new TextEncoder().encode('merged'))
    const replicas = net.nearest(id, R)
    await waitFor('every replica to hold the record', () => replicas.every(n => n[internals].store.meta(id)?.seq === seq), 3000)
    const reader = net.nodes.find(n => n !== net.nodes[0] && !replicas.includes(n))!
    const others = net.nodes.filter(n => n !== reader && n !== net.nodes[0] && !replicas.includes(n) && reader[internals].table.get(net.peerId(n)) != null)
    const [a, b] = others
    await link(reader, a)
    await link(reader, b)
    // each forwarder reaches one replica only: alone, neither makes a quorum of 2
    for (const r of replicas) { net.disconnect(a, r); net.disconnect(b, r) }
    await link(a, replicas[0])
    await link(b, replicas[1])
    for (const n of net.nodes) if (n !== a && n !== b) net.disconnect(reader, n)
    const opened = net.connectionsOpened()
    const resolved = await reader.resolve(id, { hedgeMs: 20_000 })
    expect(resolved.seq).to.equal(seq)
    expect(new TextDecoder().decode(resolved.value)).to.equal('merged')
    expect(net.connectionsOpened(), 'connections opened by the resolve').to.equal(opened)
  })

  it('a slow forwarder: the direct path starts beside it after the hedge and answers first', async () => {
    const { key, value, writer, replicas } = await putValue()
    const { reader, forwarder } = pick([writer, ...replicas])
    await link(forwarder, replicas[0])
    isolate(reader, forwarder)
    const slow = 5000
    net.setDelay((from, to) => from.equals(net.peerId(reader)) && to.equals(net.peerId(forwarder)) ? slow : 0)
    const asked = forwards()
    const started = Date.now()
    expect(await reader.get(key)).to.deep.equal(value)
    // the hedge is at most READ_HEDGE_MS (200 ms): far below the forwarder's 5 s
    expect(Date.now() - started, 'ms the get took').to.be.below(slow)
    expect(replicas.some(r => net.connected(reader, r)), 'the direct path asked a replica').to.equal(true)
    expect(forwards(), 'the FORWARD never arrived').to.equal(asked)
  })

  it('FORWARD on the wire: a key that is not 32 bytes is BAD_REQUEST; a forwarder connected to nobody else answers for itself only, with its nearest, and dials nobody', async () => {
    const [a, b] = net.nodes
    const to = { peerId: net.peerId(b), multiaddrs: [], position: peerPosition(net.peerId(b)) }
    const bad = await net.transport(a).exchange(to, { type: Frame.Type.FORWARD, forwardRequest: { key: new Uint8Array(5), mode: ForwardMode.FIRST_COPY, timeoutMs: 1000 } }, { timeout: 2000 })
    expect(bad.response.status).to.equal(Status.BAD_REQUEST)
    for (const n of net.nodes) if (n !== b) net.disconnect(b, n)
    const none = await net.transport(a).exchange(to, { type: Frame.Type.FORWARD, forwardRequest: { key: new Uint8Array(32).fill(7), mode: ForwardMode.REPLICA_SET, timeoutMs: 1000 } }, { timeout: 2000 })
    const answered = none.response.forwardResponse?.answers ?? []
    // b may be one of the R nearest itself (then it answers for itself alone); it asked nobody else
    expect(answered.every(x => peerIdFromMultihash(Digest.decode(x.peer)).equals(net.peerId(b)))).to.equal(true)
    expect(none.response.forwardResponse?.closer.length).to.equal(R)
    expect(net.nodes.filter(n => n !== b && n !== a && net.connected(b, n)), 'nodes b connected to').to.deep.equal([])
  })

  it('a reader connected to a replica reads from it directly: no FORWARD', async () => {
    const { key, value, writer, replicas } = await putValue()
    const reader = net.nodes.find(n => n !== writer && !replicas.includes(n))!
    await link(reader, replicas[0])
    await link(reader, replicas[1])
    await link(reader, replicas[2])
    const asked = forwards()
    expect(await reader.get(key)).to.deep.equal(value)
    expect(forwards()).to.equal(asked)
  })
})
