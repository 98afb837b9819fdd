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

  // last: the readers drop the down replica from their tables
  it('with a replica down, a resolve still returns the newest record', async () => {
    const { id } = await net.nodes[12].publish(key, text('first'))
    await net.nodes[13].publish(key, text('second'))
    const replicaSet = net.nearest(id, R)
    await waitFor('every replica to hold seq 2', () => replicaSet.every(n => heldSeq(n, id) === 2n), 2000)
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
})
