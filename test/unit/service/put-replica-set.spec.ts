/**
 * A put whose writer has an open connection to fewer than W of the replica
 * set, on the in-memory network: nobody beyond the replica set acknowledges
 * it in their place. (Connected stand-ins once did, and at 200 nodes reads
 * that asked the replica set then answered not found: a read quorum meets a
 * write only when the write's W acknowledgements come from the replica set.)
 * The replicas behind a dial are held (a 10-minute delay on the writer's
 * link to them): a deadline tells a put that waited for them from one that
 * did not.
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

describe('unit: a put whose replicas need a new connection (in-memory network)', () => {
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

  it('[200-node not-found reads, failed before: a connected stand-in acknowledged it] a hash item put waits for the replica set; no node outside it is asked', async () => {
    const value = new Uint8Array(randomBytes(200))
    const key = sha256(value)
    const { writer, replicas } = await coldWriter(key)
    const outcome = await within(1500, writer.put(value), 'the put').then(() => 'done', (err: Error) => err.message)
    expect(outcome).to.equal('the put took over 1500 ms')
    expect(replicas[0][internals].store.has(key), 'the open replica holds it').to.equal(true)
    const outside = net.nodes.filter(n => n !== writer && !replicas.includes(n) && n[internals].store.has(key))
    expect(outside.length, 'nodes outside the replica set holding it').to.equal(0)
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
