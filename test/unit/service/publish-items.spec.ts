/**
 * publish / resolve / del end to end on the in-memory network: signed
 * records, sequence numbers, compare-and-swap, read quorums with a replica
 * down, and read repair.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { createPublishRecord, decodePublishRecord, encodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { waitFor } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PrivateKey } from '@libp2p/interface'

const R = 3
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('unit: publish items on the in-memory network', () => {
  let net: MemoryNetwork
  let key: PrivateKey

  /** The seq a node holds for `id`, or undefined. */
  const heldSeq = (node: Toyrrent, id: Uint8Array): bigint | undefined => node[internals].store.meta(id)?.seq

  before(async () => { net = await createMemoryNetwork(16) })
  after(async () => { await net?.stop() })
  beforeEach(async () => { key = await generateKeyPair('Ed25519') })

  it('publish on one node, resolve the newest from every node; seqs count up by themselves', async () => {
    const first = await net.nodes[0].publish(key, text('one'))
    expect(first.seq).to.equal(1n)
    const second = await net.nodes[5].publish(key, text('two'))
    expect(second.seq).to.equal(2n)
    expect(second.id).to.deep.equal(publishId(key.publicKey.raw))
    for (const node of net.nodes) {
      const resolved = await node.resolve(second.id)
      expect([resolved.seq, str(resolved.value), resolved.deleted]).to.deep.equal([2n, 'two', false])
    }
  })

  it('del publishes a tombstone that every node resolves as deleted', async () => {
    const { id } = await net.nodes[1].publish(key, text('short-lived'))
    await net.nodes[2].del(key)
    const resolved = await net.nodes[9].resolve(id)
    expect(resolved.deleted).to.equal(true)
    expect(resolved.seq).to.equal(2n)
  })

  it('compare-and-swap: a wrong expected seq is refused, the right one replaces', async () => {
    const { id } = await net.nodes[3].publish(key, text('v1'))
    const err = await net.nodes[4].publish(key, text('v2'), { expectedSeq: 7n }).then(() => undefined, (e: Error & { code?: string }) => e)
    expect(err?.name).to.equal('RemoteRejectedError')
    expect((err as { code?: string }).code).to.equal('cas-mismatch')
    expect((await net.nodes[6].resolve(id)).seq).to.equal(1n)
    await net.nodes[4].publish(key, text('v2'), { expectedSeq: 1n })
    expect(str((await net.nodes[6].resolve(id)).value)).to.equal('v2')
  })

  it('two writers expecting the same seq at once: at most one succeeds', async () => {
    const { id } = await net.nodes[7].publish(key, text('base'))
    const [a, b] = await Promise.all([
      createPublishRecord({ privateKey: key, seq: 2n, value: text('a') }),
      createPublishRecord({ privateKey: key, seq: 3n, value: text('b') })
    ])
    const results = await Promise.allSettled([
      net.nodes[8].publishRecord(a, { expectedSeq: 1n }),
      net.nodes[10].publishRecord(b, { expectedSeq: 1n })
    ])
    expect(results.filter(r => r.status === 'fulfilled').length).to.be.at.most(1)
    const resolved = await net.nodes[11].resolve(id)
    const won = results.findIndex(r => r.status === 'fulfilled')
    if (won >= 0) expect(str(resolved.value)).to.equal(won === 0 ? 'a' : 'b')
  })

  it('a record older than the network\'s is refused as stale-seq', async () => {
    await net.nodes[0].publish(key, text('v5'), { seq: 5n })
    const err = await net.nodes[1].publish(key, text('v3'), { seq: 3n }).then(() => undefined, (e: Error) => e)
    expect((err as { code?: string }).code).to.equal('stale-seq')
  })

  it('read repair: a replica that missed an update is brought up to date by a resolve', async () => {
    const { id } = await net.nodes[2].publish(key, text('old'))
    const replicaSet = net.nearest(id, R)
    await waitFor('every replica to hold seq 1', () => replicaSet.every(n => heldSeq(n, id) === 1n), 2000)
    const behind = replicaSet[0]
    // the update reaches the other two replicas only (as if the nearest had missed the write)
    const record = await createPublishRecord({ privateKey: key, seq: 2n, value: text('new') })
    for (const n of replicaSet.slice(1)) await n[internals].acceptor.accept({ kind: 'publish', key: id, body: encodePublishRecord(record), ttlSeconds: 0 })
    expect(heldSeq(behind, id)).to.equal(1n)
    const reader = net.nodes.find(n => !replicaSet.includes(n))!
    const resolved = await reader.resolve(id)
    expect(resolved.seq).to.equal(2n)
    await waitFor('the stale replica to be repaired', () => heldSeq(behind, id) === 2n, 2000)
    expect(decodePublishRecord((await behind[internals].store.get(id))!.body).seq).to.equal(2n)
  })

  it('finding 3: a replica cut off from the others never answers a resolve from its stale local copy alone (insufficient-peers)', async () => {
    // a network of its own: the cut-off node and the others forget each other
    const net = await createMemoryNetwork(8)
    const { id } = await net.nodes[2].publish(key, text('v1'))
    const replicaSet = net.nearest(id, R)
    await waitFor('every replica to hold seq 1', () => replicaSet.every(n => heldSeq(n, id) === 1n), 2000)
    const cut = replicaSet[0]
    const rest = net.nodes.filter(n => n !== cut)
    net.partition([cut], rest)
    try {
      const writer = rest.find(n => !replicaSet.includes(n))!
      await writer.publish(key, text('v2'))
      await writer.publish(key, text('v3'))
      const err = await cut.resolve(id).then(r => r, (e: Error) => e)
      expect((err as { code?: string }).code, `answered seq ${(err as { seq?: bigint }).seq}`).to.equal('insufficient-peers')
      for (const reader of rest.slice(0, 6)) expect((await reader.resolve(id)).seq).to.equal(3n)
    } finally {
      await net.stop()
    }
  })

  it('finding 3: a replica whose local copy is stale answers a resolve with the newest acknowledged seq', async () => {
    const { id } = await net.nodes[4].publish(key, text('old'))
    const replicaSet = net.nearest(id, R)
    await waitFor('every replica to hold seq 1', () => replicaSet.every(n => heldSeq(n, id) === 1n), 2000)
    const stale = replicaSet[1]
    const old = (await stale[internals].store.get(id))!
    await net.nodes[5].publish(key, text('new'))
    await stale[internals].store.put(id, old)
    expect(heldSeq(stale, id)).to.equal(1n)
    const resolved = await stale.resolve(id)
    expect([resolved.seq, str(resolved.value)]).to.deep.equal([2n, 'new'])
  })

  it('finding 4: with at most R − W replicas down at a time, a resolve after an acknowledged publish of seq s returns seq ≥ s (writes never count fallbacks)', async () => {
    // a network of its own: the writer and the reader forget the replicas taken down
    const net = await createMemoryNetwork(10)
    const { id } = await net.nodes[6].publish(key, text('s1'))
    const [r1, r2, r3, r4] = net.nearest(id, R + 1)
    await waitFor('every replica to hold seq 1', () => [r1, r2, r3].every(n => heldSeq(n, id) === 1n), 2000)
    const outsiders = net.nodes.filter(n => ![r1, r2, r3, r4].includes(n))
    const writer = outsiders[0]
    const reader = outsiders[1]
    const [writerId, readerId, r3Id, r4Id] = [net.peerId(writer), net.peerId(reader), net.peerId(r3), net.peerId(r4)]
    // the writer's stores to r3 are slow: a writer that counted a fallback (r4) would be acknowledged
    // before r3 holds the record; the reader hears r4, the fallback, last (and not at all once it is down)
    net.setDelay((from, to) => (from.equals(writerId) && to.equals(r3Id)) || (from.equals(readerId) && to.equals(r4Id)) ? 1000 : 0)
    net.down(r1)
    try {
      // an explicit seq: no read before the write, whose slow answer from r3 would hide the race
      const { seq } = await writer.publish(key, text('s2'), { seq: 2n })
      expect(seq).to.equal(2n)
      net.down(r2)
      // r4 is not one of the R nearest: its going down leaves R − W of them down, as promised
      net.down(r4)
      net.up(r1)
      const resolved = await reader.resolve(id)
      expect(resolved.seq >= seq, `resolved seq ${resolved.seq} after seq ${seq} was acknowledged`).to.equal(true)
    } finally {
      await net.stop()
    }
  })

  it('finding 2 (reads): two different records at one seq on different replicas are never both returned to readers', async () => {
    const id = publishId(key.publicKey.raw)
    const replicaSet = net.nearest(id, R)
    const [a, b] = await Promise.all([
      createPublishRecord({ privateKey: key, seq: 5n, value: text('a') }),
      createPublishRecord({ privateKey: key, seq: 5n, value: text('b') })
    ])
    const put = async (node: Toyrrent, record: typeof a): Promise<void> => { await node[internals].acceptor.accept({ kind: 'publish', key: id, body: encodePublishRecord(record), ttlSeconds: 0 }) }
    await put(replicaSet[0], b)
    await put(replicaSet[1], a)
    await put(replicaSet[2], a)
    net.setDelay(() => Math.random() * 4)
    try {
      const seen = new Set<string>()
      for (let i = 0; i < 3; i++) for (const node of net.nodes) seen.add(str((await node.resolve(id)).value))
      // the record two of the three replicas hold wins
      expect([...seen]).to.deep.equal(['a'])
      // with one of a's holders down the two records tie: still one answer for every reader
      net.down(replicaSet[1])
      const tied = new Set<string>()
      for (let i = 0; i < 3; i++) for (const node of net.nodes.filter(n => n !== replicaSet[1])) tied.add(str((await node.resolve(id)).value))
      expect(tied.size).to.equal(1)
    } finally {
      net.setDelay(0)
      net.up(replicaSet[1])
      // the readers dropped it while it was down (refused); coming back, it looks itself
      // up as a restarted node does, so later tests in this network see complete tables
      await replicaSet[1].refresh()
    }
  })

  // last: the readers drop the down replica from their tables
  it('with a replica down, a resolve still returns the newest record', async () => {
    const { id } = await net.nodes[12].publish(key, text('first'))
    await net.nodes[13].publish(key, text('second'))
    const replicaSet = net.nearest(id, R)
    await waitFor('every replica to hold seq 2', () => replicaSet.every(n => heldSeq(n, id) === 2n), 10_000)
    net.down(replicaSet[0])
    try {
      for (const node of net.nodes.filter(n => n !== replicaSet[0])) {
        const resolved = await node.resolve(id)
        expect([resolved.seq, str(resolved.value)]).to.deep.equal([2n, 'second'])
      }
    } finally {
      net.up(replicaSet[0])
    }
  })

  it('[finding 6, failed before: "could not reach any of the 3 peers"] resolve of a hash item key is wrong-kind ("that is a hash item key; use get"), and every node keeps its peers', async () => {
    const { key: hashKey } = await net.nodes[2].put(text('an immutable value'))
    for (const node of net.nodes) {
      // a lookup may meet new peers; no peer that answered may leave
      const before = node[internals].table.all().map(p => p.peerId.toString())
      const err = await node.resolve(hashKey).then(() => undefined, (e: any) => e)
      expect(err?.name).to.equal('WrongKindError')
      expect(err?.code).to.equal('wrong-kind')
      expect(err?.message).to.match(/^that is a hash item key; use get/)
      const after = new Set(node[internals].table.all().map(p => p.peerId.toString()))
      expect(before.filter(p => !after.has(p)), 'peers that left the table after a wrong-kind resolve').to.deep.equal([])
    }
  })
})
