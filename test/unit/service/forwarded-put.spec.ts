/**
 * Forwarded puts on the in-memory network (protocols/rpc.md, "Forwarded
 * puts"): a writer with no connection to a key's replica set hands a hash
 * item to a peer it is connected to, the item lands on the R replicas, and
 * the writer opens no connection; a forwarder that forges acks (bad
 * signatures, signers outside the replica set, acks of another write) or
 * withholds them cannot make the writer count them: the direct path (dials)
 * finishes the put. A writer connected to W replicas stores on them and
 * places the other copies through a connected peer, dialling only a replica
 * that peer did not reach. Connections are the memory network's links.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { createPublishRecord, encodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { nearestPositioned, peerPosition } from '../../../src/keyspace.ts'
import { signStoreAck, verifyStoreAck } from '../../../src/records/store-ack.ts'
import { ItemKind, Frame, Status } from '../../../src/rpc/pb/rpc.ts'
import { waitFor } from '../helpers.ts'
import { ownBytes } from '../../../src/bytes.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { HandlerResult } from '../../../src/rpc/server.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const R = 3
const W = 2
const LONG_HEDGE_MS = 20_000

async function within<T> (ms: number, work: Promise<T>, what: string): Promise<T> {
  return await Promise.race([work, new Promise<never>((_resolve, reject) => setTimeout(() => { reject(new Error(`${what} took over ${ms} ms`)) }, ms).unref())])
}

describe('unit: forwarded puts (in-memory network)', () => {
  let net: MemoryNetwork
  const holds = (node: Toyrrent, key: Uint8Array): boolean => node[internals].store.has(key)
  const forwardStores = (): number => net.stats.bytesByType[Frame.Type.FORWARD_STORE] ?? 0
  const found = (node: Toyrrent): { peerId: ReturnType<MemoryNetwork['peerId']>, multiaddrs: [], position: Uint8Array } => ({ peerId: net.peerId(node), multiaddrs: [], position: peerPosition(net.peerId(node)) })

  /** Links held (a 10-minute delay): a put that waited for a dial to a replica would not end in time. */
  let held: (from: PeerId, to: PeerId) => boolean = () => false
  beforeEach(async () => {
    held = () => false
    net = await createMemoryNetwork(12, { forwardPuts: true }, { delay: (from, to) => held(from, to) ? 10 * 60_000 : 0 })
  })
  afterEach(async () => { await net?.stop() })

  async function link (a: Toyrrent, b: Toyrrent): Promise<void> {
    await a[internals].rpc.fetch(found(b), new Uint8Array(32), 0, { timeout: 2000 })
    expect(net.connected(a, b)).to.equal(true)
  }

  /**
   * A value, its replicas, a writer that is none of them, and a forwarder
   * (in the writer's table, not a replica) linked to every replica; the
   * writer is left connected to the forwarder only. Puts pass a long
   * hedge, so the direct path starts only when the forwarded put fails (a
   * loaded machine cannot fire the 50 ms hedge and open a connection).
   */
  async function setUp (): Promise<{ value: Uint8Array, key: Uint8Array, writer: Toyrrent, forwarder: Toyrrent, replicas: Toyrrent[] }> {
    const value = new Uint8Array(randomBytes(300))
    const key = hashItemKey(value)
    return { value, key, ...await setUpAround(key) }
  }

  /** setUp's writer, forwarder and links for any key (a publish id). */
  async function setUpAround (key: Uint8Array): Promise<{ writer: Toyrrent, forwarder: Toyrrent, replicas: Toyrrent[] }> {
    const replicas = net.nearest(key, R)
    const writer = net.nodes.find(n => !replicas.includes(n))!
    const forwarder = net.nodes.find(n => n !== writer && !replicas.includes(n) && writer[internals].table.get(net.peerId(n)) != null)!
    for (const r of replicas) await link(forwarder, r)
    await link(writer, forwarder)
    for (const n of net.nodes) if (n !== writer && n !== forwarder) net.disconnect(writer, n)
    return { writer, forwarder, replicas }
  }

  /** Make `node` answer FORWARD_STORE with `answer` (a hostile forwarder). */
  function lie (node: Toyrrent, answer: (request: Frame) => Promise<HandlerResult>): void {
    (node[internals].server as any).init.handlers[Frame.Type.FORWARD_STORE] = { handle: answer }
  }

  it('a writer connected to none of the replicas but the forwarder puts through it: R copies, W signed acks counted, no connection opened', async () => {
    const { value, key, writer, forwarder, replicas } = await setUp()
    // the direct path's background stores (after the put) would dial the replicas: held, so only the forward can reach them in time
    held = (from, to) => from.equals(net.peerId(writer)) && replicas.some(r => to.equals(net.peerId(r)))
    const asked = forwardStores()
    const { stored } = await within(5000, writer.put(value, { hedgeMs: LONG_HEDGE_MS }), 'the put')
    expect(forwardStores(), 'a FORWARD_STORE went out').to.be.greaterThan(asked)
    const replicaIds = replicas.map(r => net.peerId(r).toString())
    expect(stored.length, 'replicas counted through their signed acks').to.be.at.least(W)
    expect(stored.every(p => replicaIds.includes(p.toString())), 'every counted ack is a replica').to.equal(true)
    // each counted peer holds it when the put returns; the third replica gets it within the forwarder's deadline
    for (const p of stored) expect(holds(net.nodes.find(n => net.peerId(n).equals(p))!, key)).to.equal(true)
    await waitFor('all R replicas to hold the item', () => replicas.every(r => holds(r, key)), 3000)
  })

  it('a plain publish goes through the forwarder too: the record lands on its replica set, W acks at its seq counted, no connection opened; a stale one is still refused', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const id = publishId(privateKey.publicKey.raw, new Uint8Array(0))
    const { writer, replicas } = await setUpAround(id)
    held = (from, to) => from.equals(net.peerId(writer)) && replicas.some(r => to.equals(net.peerId(r)))
    const asked = forwardStores()
    const opened = net.connectionsOpened()
    const { stored } = await within(5000, writer.publish(privateKey, new TextEncoder().encode('forwarded'), { seq: 2n }), 'the publish')
    expect(forwardStores(), 'a FORWARD_STORE went out').to.be.greaterThan(asked)
    const replicaIds = replicas.map(r => net.peerId(r).toString())
    expect(stored.length, 'replicas counted through their signed acks').to.be.at.least(W)
    expect(stored.every(p => replicaIds.includes(p.toString())), 'every counted ack is a replica').to.equal(true)
    expect(net.connectionsOpened(), 'connections the publish opened').to.equal(opened)
    await waitFor('all R replicas to hold seq 2', () => replicas.every(r => r[internals].store.meta(id)?.seq === 2n), 3000)
    // an older seq: no replica keeps it, so no ack counts, and the direct path hears why
    held = () => false
    const stale = await writer.publish(privateKey, new TextEncoder().encode('older'), { seq: 1n }).then(() => undefined, (err: { code?: string }) => err)
    expect(stale?.code).to.equal('stale-seq')
    expect(replicas.every(r => r[internals].store.meta(id)?.seq === 2n), 'the replicas kept seq 2').to.equal(true)
  })

  it('[200-node not-found reads, failed before: a connected non-replica acknowledged in one round trip] a writer also connected to a peer outside the replica set: only the replicas\' signed acks count', async () => {
    const { value, key, writer, forwarder, replicas } = await setUp()
    const others = net.nodes.filter(n => n !== writer && n !== forwarder && !replicas.includes(n))
    await link(writer, others[0])
    held = (from, to) => from.equals(net.peerId(writer)) && replicas.some(r => to.equals(net.peerId(r)))
    const { stored } = await within(5000, writer.put(value, { hedgeMs: LONG_HEDGE_MS }), 'the put')
    const replicaIds = replicas.map(r => net.peerId(r).toString())
    expect(stored.length).to.be.at.least(W)
    expect(stored.every(p => replicaIds.includes(p.toString())), 'every counted ack is a replica').to.equal(true)
    expect(holds(others[0], key), 'the connected non-replica got a copy').to.equal(false)
    await waitFor('all R replicas to hold the item', () => replicas.every(r => holds(r, key)), 3000)
  })

  it('[200-node not-found reads, failed before: the forwarder\'s own view defined the replica set] a forwarder whose table misses the replica set stores on the peers it takes for replicas; their answers name the real ones, so those acks do not count and the put lands on the replica set', async () => {
    const value = new Uint8Array(randomBytes(300))
    const key = hashItemKey(value)
    const ranked = net.nearest(key, net.nodes.length)
    const replicas = ranked.slice(0, R)
    // the next R: what a table without the replica set takes for it
    const next = ranked.slice(R, 2 * R)
    const [writer, forwarder] = ranked.slice(2 * R)
    for (const n of [writer, forwarder]) {
      for (const r of replicas) {
        net.disconnect(n, r)
        n[internals].table.remove(net.peerId(r))
      }
    }
    for (const p of next) if (!net.connected(forwarder, p)) await link(forwarder, p)
    if (!net.connected(writer, forwarder)) await link(writer, forwarder)
    for (const n of net.nodes) if (n !== forwarder && !replicas.includes(n)) net.disconnect(writer, n)
    expect(writer[internals].table.get(net.peerId(forwarder)), 'the forwarder is in the writer\'s table').to.not.equal(undefined)
    const asked = forwardStores()
    const { stored } = await within(10_000, writer.put(value, { hedgeMs: LONG_HEDGE_MS }), 'the put')
    expect(forwardStores(), 'a FORWARD_STORE went out').to.be.greaterThan(asked)
    const replicaIds = replicas.map(r => net.peerId(r).toString())
    expect(stored.length).to.be.at.least(W)
    expect(stored.map(p => ranked.findIndex(n => net.peerId(n).equals(p))), 'ranks of the counted acks (0 nearest)').to.satisfy((ranks: number[]) => ranks.every(r => r < R))
    for (const p of stored) expect(replicaIds).to.include(p.toString())
  })

  it('forged acks (bad signatures on replica ids, well-signed acks of peers outside the replica set, acks of another write) are not counted; the direct path stores', async () => {
    const { value, key, writer, forwarder, replicas } = await setUp()
    // signers whose positions are farther from the key than the R-th replica: outside the replica set by anyone's view
    const sybils: Array<{ k: PrivateKey, id: PeerId }> = []
    while (sybils.length < R) {
      const k = await generateKeyPair('Ed25519')
      const id = peerIdFromPrivateKey(k)
      if (nearestPositioned(key, [...replicas.map(found), { peerId: id, multiaddrs: [], position: peerPosition(id) }], R).every(p => !p.peerId.equals(id))) sybils.push({ k, id })
    }
    let forgedNonce: Uint8Array | undefined
    lie(forwarder, async request => {
      const body = request.forwardStoreRequest!
      forgedNonce = body.ackNonce
      const item = { kind: 'hash' as const, key: body.item!.key, body: body.item!.body, seq: 0n }
      const other = new Uint8Array(16).fill(9)
      const acks = [
        // a replica's id, a made-up signature
        { peer: net.peerId(replicas[0]).toMultihash().bytes, signature: new Uint8Array(randomBytes(64)) as Uint8Array<ArrayBuffer> },
        // a real replica key is not ours to hold: sign another write with a sybil's key under a replica's name
        { peer: net.peerId(replicas[1]).toMultihash().bytes, signature: ownBytes(await signStoreAck(sybils[0].k, body.ackNonce, item)) },
        // well signed, for this write, by peers outside the replica set
        ...await Promise.all(sybils.map(async s => ({ peer: s.id.toMultihash().bytes, signature: ownBytes(await signStoreAck(s.k, body.ackNonce, item)) }))),
        // well signed by a sybil, another write's nonce
        { peer: sybils[1].id.toMultihash().bytes, signature: ownBytes(await signStoreAck(sybils[1].k, other, item)) }
      ]
      // it names its sybils as its nearest too: still farther than the replicas the writer knows
      return { status: Status.OK, forwardStoreResponse: { acks, closer: sybils.map(s => ({ id: s.id.toMultihash().bytes, addrs: [] })), storing: [] } }
    })
    const { stored } = await writer.put(value, { hedgeMs: LONG_HEDGE_MS })
    expect(forgedNonce, 'the forwarder was asked').to.have.length(16)
    const replicaIds = replicas.map(r => net.peerId(r).toString())
    expect(stored.every(p => replicaIds.includes(p.toString())), 'only replicas counted').to.equal(true)
    expect(stored.filter(p => sybils.some(s => s.id.equals(p)))).to.deep.equal([])
    expect(replicas.some(r => net.connected(writer, r)), 'the direct path dialled a replica').to.equal(true)
    for (const p of stored) expect(holds(net.nodes.find(n => net.peerId(n).equals(p))!, key)).to.equal(true)
    // a forwarder that passed on an ack that does not check is not asked again
    const next = new Uint8Array(randomBytes(300))
    for (const n of net.nodes) if (n !== writer && n !== forwarder) net.disconnect(writer, n)
    const before = forwardStores()
    await writer.put(next, { hedgeMs: LONG_HEDGE_MS })
    expect(forwardStores(), 'FORWARD_STORE bytes after the lie').to.equal(before)
  })

  it('a forwarder that stores nowhere and withholds every ack: the direct path stores on the replica set', async () => {
    const { value, key, writer, forwarder, replicas } = await setUp()
    let asked = 0
    lie(forwarder, async () => {
      asked++
      return { status: Status.OK, forwardStoreResponse: { acks: [], closer: replicas.map(r => ({ id: net.peerId(r).toMultihash().bytes, addrs: [] })), storing: [] } }
    })
    const { stored } = await writer.put(value, { hedgeMs: LONG_HEDGE_MS })
    expect(asked).to.equal(1)
    expect(stored.length).to.be.at.least(W)
    for (const p of stored) expect(holds(net.nodes.find(n => net.peerId(n).equals(p))!, key)).to.equal(true)
    expect(replicas.some(r => net.connected(writer, r)), 'the direct path dialled a replica').to.equal(true)
  })

  it('a forwarder that does not know FORWARD_STORE (UNKNOWN_TYPE): the direct path stores', async () => {
    const { value, key, writer, forwarder, replicas } = await setUp()
    delete (forwarder[internals].server as any).init.handlers[Frame.Type.FORWARD_STORE]
    const { stored } = await writer.put(value, { hedgeMs: LONG_HEDGE_MS })
    expect(stored.length).to.be.at.least(W)
    for (const p of stored) expect(holds(net.nodes.find(n => net.peerId(n).equals(p))!, key)).to.equal(true)
    expect(replicas.some(r => net.connected(writer, r))).to.equal(true)
  })

  it('a forwarder that answers at W acks names the replica it is still storing on; the writer does not place that copy again', async () => {
    const { value, key, writer, forwarder, replicas } = await setUp()
    // the forwarder's link to the farthest replica is slow: W acks come back first, that copy is still on the way
    const slow = replicas[R - 1]
    net.setDelay((from, to) => from.equals(net.peerId(forwarder)) && to.equals(net.peerId(slow)) ? 400 : 0)
    const rpc = writer[internals].rpc
    const sent: Array<{ enough: number, storing?: string[] }> = []
    const forwardStore = rpc.forwardStore.bind(rpc)
    rpc.forwardStore = async (peer, item, nonce, timeoutMs, enough, options, hops) => {
      const request = { enough } as { enough: number, storing?: string[] }
      sent.push(request)
      const answer = await forwardStore(peer, item, nonce, timeoutMs, enough, options, hops)
      request.storing = answer.storing.map(p => p.toString())
      return answer
    }
    const { stored } = await within(5000, writer.put(value, { hedgeMs: LONG_HEDGE_MS }), 'the put')
    expect(stored.length).to.be.at.least(W)
    await waitFor('the slow replica to hold the item', () => holds(slow, key), 5000)
    expect(sent.map(r => r.enough), 'FORWARD_STOREs the writer sent: the put\'s alone').to.deep.equal([W])
    expect(sent[0].storing, 'copies on the way, by the forwarder\'s word').to.deep.equal([net.peerId(slow).toString()])
  })

  it('FORWARD_STORE on the wire: bad requests are refused before anyone is asked; acks check; a forwarder connected to nobody dials nobody', async () => {
    const [a, b] = net.nodes
    const to = found(b)
    const value = new Uint8Array(randomBytes(100))
    const key = ownBytes(hashItemKey(value))
    const nonce = new Uint8Array(randomBytes(16))
    const send = async (forwardStoreRequest: Frame['forwardStoreRequest']): Promise<Frame> => (await net.transport(a).exchange(to, { type: Frame.Type.FORWARD_STORE, forwardStoreRequest }, { timeout: 3000 })).response
    const item = { kind: ItemKind.HASH, key, body: value, ttlSeconds: 0, acceptors: [] }
    expect((await send({ item: { ...item, kind: ItemKind.PUBLISH }, ackNonce: nonce, timeoutMs: 1000, enough: 0 })).status).to.equal(Status.BAD_REQUEST)
    expect((await send({ item: { ...item, kind: ItemKind.ROUTING }, ackNonce: nonce, timeoutMs: 1000, enough: 0 })).status).to.equal(Status.BAD_REQUEST)
    // a record whose signature does not check is refused before it is passed on
    const signer = await generateKeyPair('Ed25519')
    const record = await createPublishRecord({ privateKey: signer, salt: new Uint8Array(0), seq: 1n, value: new Uint8Array(10), deleted: false })
    const forged = encodePublishRecord({ ...record, signature: record.signature.map((b, i) => i === 0 ? b ^ 1 : b) })
    const recordId = publishId(signer.publicKey.raw, new Uint8Array(0))
    expect((await send({ item: { ...item, kind: ItemKind.PUBLISH, key: ownBytes(recordId), body: ownBytes(forged) }, ackNonce: nonce, timeoutMs: 1000, enough: 0 })).status).to.equal(Status.BAD_SIGNATURE)
    expect(net.nodes.some(n => holds(n, recordId)), 'no forged record stored').to.equal(false)
    expect((await send({ item, ackNonce: new Uint8Array(15), timeoutMs: 1000, enough: 0 })).status).to.equal(Status.BAD_REQUEST)
    expect((await send({ item: { ...item, body: new Uint8Array(100) }, ackNonce: nonce, timeoutMs: 1000, enough: 0 })).status).to.equal(Status.HASH_MISMATCH)
    expect(net.nodes.some(n => holds(n, key)), 'nothing stored by a refused request').to.equal(false)
    // b connected to nobody but a: it keeps the item when it is one of its R nearest, asks nobody
    for (const n of net.nodes) if (n !== b && n !== a) net.disconnect(b, n)
    const ok = await send({ item, ackNonce: nonce, timeoutMs: 1000, enough: 0 })
    expect(ok.status).to.equal(Status.OK)
    const acks = ok.forwardStoreResponse?.acks ?? []
    expect(ok.forwardStoreResponse?.closer.length).to.equal(R)
    for (const ack of acks) {
      const signer = peerIdFromMultihash(Digest.decode(ack.peer))
      expect(signer.equals(net.peerId(b))).to.equal(true)
      expect(await verifyStoreAck(signer, nonce, { kind: 'hash', key, body: value, seq: 0n }, ack.signature)).to.equal(true)
    }
    expect(acks.length).to.equal(nearestPositioned(key, [...b[internals].table.all(), found(b)], R).some(p => p.peerId.equals(net.peerId(b))) ? 1 : 0)
    expect(net.nodes.filter(n => n !== b && n !== a && net.connected(b, n)), 'nodes b connected to').to.deep.equal([])
  })

  it('a slow forwarder: the direct path starts beside it after the hedge and stores first', async () => {
    const { value, key, writer, forwarder, replicas } = await setUp()
    const slow = 5000
    net.setDelay((from, to) => from.equals(net.peerId(writer)) && to.equals(net.peerId(forwarder)) ? slow : 0)
    const started = Date.now()
    const { stored } = await writer.put(value)
    // the hedge is at most READ_HEDGE_MS (200 ms) for an unmeasured forwarder: far below its 5 s
    expect(Date.now() - started, 'ms the put took').to.be.below(slow)
    expect(stored.length).to.be.at.least(W)
    for (const p of stored) expect(holds(net.nodes.find(n => net.peerId(n).equals(p))!, key)).to.equal(true)
    expect(replicas.some(r => net.connected(writer, r)), 'the direct path dialled a replica').to.equal(true)
  })

  it('a stale view: the stores name replicas our table missed, and the correction goes through the nearest peer that answered, not a dial', async () => {
    const value = new Uint8Array(randomBytes(300))
    const key = hashItemKey(value)
    const replicas = net.nearest(key, R)
    const writer = net.nodes.find(n => !replicas.includes(n))!
    const others = net.nodes.filter(n => n !== writer && !replicas.includes(n))
    for (const o of others) {
      await link(writer, o)
      for (const r of replicas) if (!net.connected(o, r)) await link(o, r)
    }
    // the writer's table misses the replica set (and has no connection to it)
    for (const r of replicas) {
      net.disconnect(writer, r)
      writer[internals].table.remove(net.peerId(r))
    }
    expect(replicas.some(r => writer[internals].table.get(net.peerId(r)) != null)).to.equal(false)
    held = (from, to) => from.equals(net.peerId(writer)) && replicas.some(r => to.equals(net.peerId(r)))
    const asked = forwardStores()
    const { stored } = await within(5000, writer.put(value, { hedgeMs: LONG_HEDGE_MS }), 'the put')
    expect(forwardStores(), 'a FORWARD_STORE went out').to.be.greaterThan(asked)
    const replicaIds = replicas.map(r => net.peerId(r).toString())
    expect(stored.length).to.be.at.least(W)
    expect(stored.every(p => replicaIds.includes(p.toString())), 'every counted ack is a replica').to.equal(true)
    for (const p of stored) expect(holds(net.nodes.find(n => net.peerId(n).equals(p))!, key)).to.equal(true)
  })

  it('a writer connected to W replicas stores on them directly, and the third copy goes through a connected peer: no new connection', async () => {
    const { value, key, writer, replicas } = await setUp()
    await link(writer, replicas[0])
    await link(writer, replicas[1])
    // whichever connected peer the writer picks (nearest the key) reaches the third replica
    for (const r of replicas.slice(0, 2)) await link(r, replicas[2])
    const asked = forwardStores()
    const { stored } = await within(5000, writer.put(value, { hedgeMs: LONG_HEDGE_MS }), 'the put')
    const replicaIds = replicas.map(r => net.peerId(r).toString())
    expect(stored.length).to.be.at.least(W)
    expect(stored.every(p => replicaIds.includes(p.toString())), 'every counted ack is a replica').to.equal(true)
    // (the network counts an exchange when its answer is back)
    await waitFor('the third replica to hold the item, through a FORWARD_STORE', () => holds(replicas[2], key) && forwardStores() > asked, 3000)
    expect(net.connected(writer, replicas[2]), 'the writer dialled the third replica').to.equal(false)
  })

  it('the third copy is dialled when the peer it went through did not reach that replica', async () => {
    const { value, key, writer, replicas } = await setUp()
    await link(writer, replicas[0])
    await link(writer, replicas[1])
    for (const n of net.nodes) if (n !== replicas[2]) net.disconnect(n, replicas[2])
    for (const n of net.nodes) if (n !== replicas[2] && n !== writer) n[internals].table.remove(net.peerId(replicas[2]))
    const { stored } = await within(5000, writer.put(value, { hedgeMs: LONG_HEDGE_MS }), 'the put')
    expect(stored.length).to.be.at.least(W)
    await waitFor('the third replica to hold the item', () => holds(replicas[2], key), 3000)
    expect(net.connected(writer, replicas[2]), 'the writer dialled it').to.equal(true)
  })
})
