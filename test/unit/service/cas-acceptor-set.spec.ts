/**
 * The acceptor set a compare-and-swap chooses with a record (protocols/cas.md,
 * "Who the acceptors of a slot are"): it travels with the record (commit
 * STOREs, FETCH answers, repair, a graceful leave, a newcomer's handoff
 * pull), the next CAS after a join moves it to the new R nearest, a slot
 * whose set lost its majority refuses with insufficient-peers (never a
 * write acknowledged by others) until a plain publish resets the chain, and
 * malformed sets are refused and change nothing.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { createPublishRecord, decodePublishRecord, encodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { acceptorSetOf, MAX_ACCEPTORS } from '../../../src/records/acceptor-set.ts'
import { ItemStore, kindNumber } from '../../../src/store/item-store.ts'
import { ItemAcceptor } from '../../../src/store/accept.ts'
import { HandoffHandler } from '../../../src/rpc/handlers/handoff.ts'
import { Frame, Status } from '../../../src/rpc/pb/rpc.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import { waitFor, randomPeerId } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { PrivateKey } from '@libp2p/interface'

const R = 3
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e))
const hex = (set: Uint8Array[] | undefined): string[] => (set ?? []).map(a => Buffer.from(a).toString('hex'))

describe('unit: the acceptor set of a compare-and-swap slot', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  beforeEach(async () => { net = await createMemoryNetwork(8, { requestTimeout: 600 }) })
  afterEach(async () => { await net?.stop() })

  const found = (node: Toyrrent): FoundPeer => ({ peerId: net.peerId(node), multiaddrs: [], position: peerPosition(net.peerId(node)) })
  const setOf = (nodes: Toyrrent[]): string[] => hex(acceptorSetOf(nodes.map(n => net.peerId(n))))
  const storedSet = async (node: Toyrrent, id: Uint8Array): Promise<string[]> => hex((await node[internals].store.get(id))?.acceptors)

  async function casSeq1 (): Promise<{ key: PrivateKey, id: Uint8Array, nearest: Toyrrent[], writer: Toyrrent }> {
    const key = await generateKeyPair('Ed25519')
    const id = publishId(key.publicKey.raw)
    const nearest = net.nearest(id, net.nodes.length)
    const writer = nearest[nearest.length - 1]
    const seq1 = await createPublishRecord({ privateKey: key, seq: 1n, value: text('v-1') })
    expect(await codeOf(writer.publishRecord(seq1, { expectedSeq: 0n }))).to.equal('ok')
    return { key, id, nearest, writer }
  }

  it('travels with the record: commit, FETCH answers, repair and a graceful leave', async () => {
    const { id, nearest, writer } = await casSeq1()
    const replicas = nearest.slice(0, R)
    const expected = setOf(replicas)
    await waitFor('seq 1 on the replica set', async () => {
      await Promise.all(net.nodes.map(async n => n.repair()))
      return replicas.every(n => n[internals].store.meta(id)?.seq === 1n)
    }, 5000)
    for (const n of replicas) expect(await storedSet(n, id), 'stored with the record').to.deep.equal(expected)
    expect(await storedSet(writer, id), 'the writer\'s own pinned copy').to.deep.equal(expected)
    const { response } = await net.transport(writer).exchange(found(replicas[0]), { type: Frame.Type.FETCH, fetchRequest: { key: id as Uint8Array<ArrayBuffer>, closerCount: 0 } }, { timeout: 1000 })
    expect(hex(response.fetchResponse?.item?.acceptors), 'a FETCH answer').to.deep.equal(expected)
    // repair brings it back to a replica that lost it, set included
    await replicas[2][internals].store.delete(id)
    await waitFor('repair brings the record back', async () => {
      await Promise.all(net.nodes.map(async n => n.repair()))
      return replicas[2][internals].store.has(id)
    }, 5000)
    expect(await storedSet(replicas[2], id), 'after repair').to.deep.equal(expected)
    // a graceful leave hands it to the next nearest, set included
    await net.leave(replicas[0])
    const next = nearest[R]
    await waitFor('the next nearest holds it', async () => next[internals].store.has(id), 5000)
    expect(await storedSet(next, id), 'after a graceful leave').to.deep.equal(expected)
  })

  it('travels in a handoff batch', async () => {
    const store = new ItemStore(new MemoryDatastore())
    await store.open()
    const key = await generateKeyPair('Ed25519')
    const id = publishId(key.publicKey.raw)
    const record = encodePublishRecord(await createPublishRecord({ privateKey: key, seq: 4n, value: text('x') }))
    const acceptors = acceptorSetOf([await randomPeerId(), await randomPeerId(), await randomPeerId()])
    await store.put(id, { kind: kindNumber('publish'), body: record as Uint8Array<ArrayBuffer>, pinned: false, expiresAt: 0n, storedAt: 0n, seq: 4n, acceptors: acceptors as Array<Uint8Array<ArrayBuffer>> })
    const handler = new HandoffHandler(store, { dueFor: () => [...store.metas()], acknowledged: () => {} })
    const peer = await randomPeerId()
    const request = Frame.decode(Frame.encode({ id: 1n, type: Frame.Type.HANDOFF, handoffRequest: { cursor: new Uint8Array(0), limit: 10, acked: [] } }))
    const result = await handler.handle(request, { peer, signal: AbortSignal.timeout(1000) } as any)
    expect(hex(result.handoffResponse?.items[0].acceptors)).to.deep.equal(hex(acceptors))
  })

  it('a newcomer among the R nearest gets the set in its handoff pull, and the next CAS moves the set to include it', async () => {
    const newcomer = await net.add({ requestTimeout: 600 }, { join: false })
    let found1: Awaited<ReturnType<typeof casSeq1>> | undefined
    for (let i = 0; i < 300 && found1 == null; i++) {
      const key = await generateKeyPair('Ed25519')
      const id = publishId(key.publicKey.raw)
      if (net.nearest(id, R).includes(newcomer)) found1 = { key, id, nearest: [], writer: net.nearest(id, net.nodes.length).at(-1)! }
    }
    if (found1 == null) throw new Error('no key with the newcomer among its R nearest')
    const { key, id, writer } = found1
    const seq1 = await createPublishRecord({ privateKey: key, seq: 1n, value: text('v-1') })
    expect(await codeOf(writer.publishRecord(seq1, { expectedSeq: 0n }))).to.equal('ok')
    const before = net.nearest(id, R + 1).filter(n => n !== newcomer).slice(0, R)
    const oldSet = setOf(before)
    expect(await storedSet(before[0], id), 'chosen while nobody knew the newcomer').to.deep.equal(oldSet)
    newcomer[internals].table.add(net.peerId(writer), [])
    await newcomer.join()
    await waitFor('the newcomer pulled seq 1', async () => newcomer[internals].store.meta(id)?.seq === 1n, 5000)
    expect(await storedSet(newcomer, id), 'handoff pull').to.deep.equal(oldSet)
    const seq2 = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v-2') })
    expect(await codeOf(writer.publishRecord(seq2, { expectedSeq: 1n })), 'CAS with the old set (its members are all up)').to.equal('ok')
    const holder = (await Promise.all(net.nodes.map(async n => ({ n, seq: n[internals].store.meta(id)?.seq })))).find(h => h.seq === 2n)!.n
    expect(await storedSet(holder, id), 'the set moved to the R nearest, newcomer included').to.deep.equal(setOf(net.nearest(id, R)))
  })

  it('a slot whose set lost its majority refuses with insufficient-peers, nothing written, until a plain publish resets it', async () => {
    const { key, id, nearest, writer } = await casSeq1()
    // B and C crash; every peer timed out on them and dropped them (their views now name the next nearest)
    for (const dead of [nearest[0], nearest[1]]) {
      const peerId = net.peerId(dead)
      await net.remove(dead)
      for (const n of net.nodes) n[internals].table.remove(peerId)
    }
    const seq2 = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v-2') })
    expect(await codeOf(writer.publishRecord(seq2, { expectedSeq: 1n }))).to.equal('insufficient-peers')
    for (const n of net.nodes) expect(Number(n[internals].store.meta(id)?.seq ?? 0n), 'nothing written').to.be.below(2)
    const seq3 = await createPublishRecord({ privateKey: key, seq: 3n, value: text('v-3') })
    expect(await codeOf(writer.publishRecord(seq3)), 'a plain publish').to.equal('ok')
    const seq4 = await createPublishRecord({ privateKey: key, seq: 4n, value: text('v-4') })
    expect(await codeOf(writer.publishRecord(seq4, { expectedSeq: 3n })), 'CAS after the reset').to.equal('ok')
    expect((await writer.resolve(id)).seq).to.equal(4n)
  })

  it('a holder of record e acts by the set it carries: a request naming another set gets no promise, and the set it has', async () => {
    const { id, nearest } = await casSeq1()
    const [a, b] = nearest
    await waitFor('seq 1 on A', async () => a[internals].store.meta(id)?.seq === 1n, 5000)
    const other = acceptorSetOf([net.peerId(a), await randomPeerId()])
    const prepare = (acceptors: Uint8Array[]): Partial<Frame> => ({ type: Frame.Type.CAS_PREPARE, casPrepareRequest: { id: id as Uint8Array<ArrayBuffer>, expectedSeq: 1n, ballot: { counter: 1n, proposer: new Uint8Array([7]) }, acceptors: acceptors as Array<Uint8Array<ArrayBuffer>> } })
    const refused = (await net.transport(b).exchange(found(a), prepare(other), { timeout: 1000 })).response.casPrepareResponse
    expect([refused?.replica, refused?.promised]).to.deep.equal([false, false])
    expect(hex(refused?.storedAcceptors)).to.deep.equal(setOf(nearest.slice(0, R)))
    const promised = (await net.transport(b).exchange(found(a), prepare(acceptorSetOf(nearest.slice(0, R).map(n => net.peerId(n)))), { timeout: 1000 })).response.casPrepareResponse
    expect([promised?.replica, promised?.promised]).to.deep.equal([true, true])
  })

  it('a proposer whose expected seq is stale (the id moved on through two CAS writes) is refused and writes nothing', async () => {
    const { key, id, nearest, writer } = await casSeq1()
    const seq2 = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v-2') })
    expect(await codeOf(writer.publishRecord(seq2, { expectedSeq: 1n }))).to.equal('ok')
    const late = await createPublishRecord({ privateKey: key, seq: 2n, value: text('late') })
    expect(await codeOf(nearest[R].publishRecord(late, { expectedSeq: 1n }))).to.equal('cas-mismatch')
    for (const n of net.nodes) {
      const stored = await n[internals].store.get(id)
      if (stored != null) expect(new TextDecoder().decode(decodePublishRecord(stored.body).value)).to.not.equal('late')
    }
  })

  it('malformed sets are refused with a clear error and change nothing', async () => {
    const store = new ItemStore(new MemoryDatastore())
    await store.open()
    const acceptor = new ItemAcceptor(store, { defaultTtl: 60_000, maxStorageBytes: 1 << 20 })
    const key = await generateKeyPair('Ed25519')
    const id = publishId(key.publicKey.raw)
    const body = encodePublishRecord(await createPublishRecord({ privateKey: key, seq: 1n, value: text('x') }))
    const good = acceptorSetOf(await Promise.all(Array.from({ length: MAX_ACCEPTORS + 1 }, async () => randomPeerId())))
    const cases: Array<[string, Uint8Array[]]> = [
      ['too many', good],
      ['unsorted', [good[1], good[0]]],
      ['a duplicate', [good[0], good[0]]],
      ['not a peer id', [new Uint8Array([1, 2, 3])]],
      ['too long', [new Uint8Array(65)]]
    ]
    for (const [what, acceptors] of cases) {
      const result = await acceptor.accept({ kind: 'publish', key: id, body, ttlSeconds: 0, acceptors })
      expect(result.refused, what).to.equal('bad-request')
      expect(result.message, what).to.match(/acceptor/)
      expect(store.has(id), what).to.equal(false)
    }
    // on the wire: a CAS_ACCEPT naming a malformed next set is refused, and the slot stays empty
    const [a, b] = net.nodes
    const frame: Partial<Frame> = { type: Frame.Type.CAS_ACCEPT, casAcceptRequest: { id: id as Uint8Array<ArrayBuffer>, expectedSeq: 0n, ballot: { counter: 1n, proposer: new Uint8Array([1]) }, record: body as Uint8Array<ArrayBuffer>, acceptors: [] as Array<Uint8Array<ArrayBuffer>>, nextAcceptors: [new Uint8Array([9, 9]) as Uint8Array<ArrayBuffer>] } }
    const answer = (await net.transport(a).exchange(found(b), frame, { timeout: 1000 })).response
    expect(answer.status).to.equal(Status.BAD_REQUEST)
    expect(answer.message).to.match(/acceptor 0 is not a peer id/)
    expect(await (b as any).paxos.slot(id, 0n)).to.equal(undefined)
  })
})
