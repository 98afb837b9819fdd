/**
 * A put whose writer has an open connection to fewer than W of the replica
 * set (replicate.ts, "stand-ins"), on the in-memory network: the nearest
 * connected peers beyond the replica set are asked beside the replicas
 * that need a new connection, so the put is acknowledged without waiting
 * for those; the stores to the replica set still land. A publish (fallbacks
 * do not count) still waits for the replica set. The replicas behind a dial
 * are held (a 10-minute delay on the writer's link to them): a deadline
 * tells a put that waited for them from one that did not.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import { sha256 } from '../../../src/keyspace.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PeerId } from '@libp2p/interface'

const R = 3
const HOLD_MS = 10 * 60_000

async function within<T> (ms: number, work: Promise<T>, what: string): Promise<T> {
  return await Promise.race([work, new Promise<never>((_resolve, reject) => setTimeout(() => { reject(new Error(`${what} took over ${ms} ms`)) }, ms).unref())])
}

describe('unit: a put beside replicas that need a new connection (in-memory network)', () => {
  let net: MemoryNetwork
  let held: (from: PeerId, to: PeerId) => boolean

  beforeEach(async () => {
    held = () => false
    // a long request timeout: a put waiting on a held replica waits for it; forwarded puts off
    // (a forwarder would reach the held replicas over its own links: forwarded-put.spec.ts)
    net = await createMemoryNetwork(12, { requestTimeout: 60_000, forwardPuts: false }, { delay: (from, to) => held(from, to) ? HOLD_MS : 0 })
  })
  afterEach(async () => { await net?.stop() })

  async function link (a: Toyrrent, b: Toyrrent): Promise<void> {
    const peer = { peerId: net.peerId(b), multiaddrs: [], position: peerPosition(net.peerId(b)) }
    await a[internals].rpc.fetch(peer, new Uint8Array(32), 0, { timeout: 2000 })
  }

  /** A writer outside the replica set of `key`, connected to one replica and to every node beyond the replica set; the other two replicas held. */
  async function coldWriter (key: Uint8Array): Promise<{ writer: Toyrrent, replicas: Toyrrent[] }> {
    const replicas = net.nearest(key, R)
    const writer = net.nodes.find(n => !replicas.includes(n))!
    for (const n of net.nodes) if (n !== writer && !replicas.slice(1).includes(n)) await link(writer, n)
    for (const r of replicas.slice(1)) net.disconnect(writer, r)
    held = (from, to) => from.equals(net.peerId(writer)) && replicas.slice(1).some(r => to.equals(net.peerId(r)))
    return { writer, replicas }
  }

  it('a hash item put is acknowledged by the open replica and a connected stand-in, without waiting for the held replicas', async () => {
    const value = new Uint8Array(randomBytes(200))
    const { writer, replicas } = await coldWriter(sha256(value))
    const { key, stored: storedOn } = await within(10_000, writer.put(value), 'the put')
    expect(key).to.deep.equal(sha256(value))
    expect(storedOn.length).to.be.at.least(2)
    expect(storedOn.some(p => p.equals(net.peerId(replicas[0]))), 'the open replica acknowledged').to.equal(true)
    expect(storedOn.some(p => replicas.slice(1).some(r => p.equals(net.peerId(r)))), 'a held replica acknowledged').to.equal(false)
  })

  it('a publish (fallbacks do not count) still waits for the replica set', async () => {
    const key = await generateKeyPair('Ed25519')
    const { publishId } = await import('../../../src/records/publish-record.ts')
    const id = publishId(key.publicKey.raw, new Uint8Array(0))
    const { writer } = await coldWriter(id)
    const outcome = await within(1500, writer.publish(key, new TextEncoder().encode('v'), { seq: 1n }), 'the publish').then(() => 'done', (err: Error) => err.message)
    expect(outcome).to.equal('the publish took over 1500 ms')
  })
})
