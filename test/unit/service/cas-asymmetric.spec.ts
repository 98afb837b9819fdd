/**
 * Compare-and-swap when two proposers' views of the replica set differ
 * without anyone pausing (protocols/cas.md, "Who the acceptors of a slot
 * are"), on the in-memory network:
 *
 *  1. the id's replica set is {A, B, C}, D the next nearest; seq 1 was
 *     written by a CAS while every view agreed;
 *  2. C is slow for B and D only (the links C–B and C–D time out, C–A is
 *     fine, C's own event loop keeps time, so the pause rule never fires);
 *     B and D time out on C and drop it: their replica set is {A, B, D};
 *  3. P1 = B swaps v1 in at expected seq 1 while A is too slow for it: B and
 *     D (who counts itself a replica) could promise, accept and store v1;
 *  4. P2 = C swaps v2 in at expected seq 1 with the view {A, B, C}: A (never
 *     reached by P1) and C promise and accept.
 *
 * With acceptor sets taken from each node's view, {B, D} and {A, C} are
 * disjoint quorums: both writes were acknowledged. With the slot's acceptor
 * set fixed by record 1 ({A, B, C}), at most one is.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { createPublishRecord, decodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { waitFor } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const R = 3
const REQUEST_TIMEOUT = 600
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e))

describe('unit: compare-and-swap with an asymmetric partition (views differ, nobody paused)', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  beforeEach(async () => { net = await createMemoryNetwork(8, { requestTimeout: REQUEST_TIMEOUT }) })
  afterEach(async () => { await net?.stop() })

  async function keyAndRoles (): Promise<{ key: PrivateKey, id: Uint8Array, a: Toyrrent, b: Toyrrent, c: Toyrrent, d: Toyrrent, writer: Toyrrent }> {
    const key = await generateKeyPair('Ed25519')
    const id = publishId(key.publicKey.raw)
    const [a, b, c, d, writer] = net.nearest(id, R + 2)
    return { key, id, a, b, c, d, writer }
  }

  /** Exchanges between `x` and `y` (either way) take 10 request deadlines: every request between them times out. */
  function slowPairs (pairs: Array<[Toyrrent, Toyrrent]>, oneWay: Array<[Toyrrent, Toyrrent]> = []): void {
    const ids = (n: Toyrrent): PeerId => net.peerId(n)
    net.setDelay((from, to) => {
      for (const [x, y] of pairs) {
        if ((from.equals(ids(x)) && to.equals(ids(y))) || (from.equals(ids(y)) && to.equals(ids(x)))) return REQUEST_TIMEOUT * 10
      }
      for (const [x, y] of oneWay) if (from.equals(ids(x)) && to.equals(ids(y))) return REQUEST_TIMEOUT * 10
      return 0
    })
  }

  it('two proposers with disjoint view quorums ({B, D} and {A, C}): at most one acknowledgement for the expected seq', async () => {
    const { key, id, a, b, c, d, writer } = await keyAndRoles()
    // 1. seq 1, by a CAS while every view agrees
    const seq1 = await createPublishRecord({ privateKey: key, seq: 1n, value: text('v-1') })
    expect(await codeOf(writer.publishRecord(seq1, { expectedSeq: 0n }))).to.equal('ok')
    await waitFor('seq 1 on A, B and C', async () => {
      await Promise.all(net.nodes.map(async n => n.repair()))
      return [a, b, c].every(n => n[internals].store.meta(id)?.seq === 1n)
    }, 5000)
    // 2. C is slow for B and D only; they drop it. 3. and A is slow for B
    slowPairs([[c, b], [c, d]], [[b, a]])
    for (const n of [b, d]) n[internals].table.remove(net.peerId(c))
    const v1 = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v1') })
    const first = await codeOf(b.publishRecord(v1, { expectedSeq: 1n }))
    // 4. C, whose table still has everyone, swaps through A and itself
    const v2 = await createPublishRecord({ privateKey: key, seq: 2n, value: text('v2') })
    const second = await codeOf(c.publishRecord(v2, { expectedSeq: 1n }))
    const acknowledged = [first, second].filter(code => code === 'ok').length
    expect(acknowledged, `acknowledgements for expected seq 1 (P1 through B/D: ${first}, P2 through A/C: ${second})`).to.be.at.most(1)
    // readers see one seq 2 record, the acknowledged one if any
    net.setDelay(0)
    await Promise.all(net.nodes.map(async n => n.repair()))
    const values = new Set<string>()
    for (const n of net.nodes) {
      const stored = await n[internals].store.get(id)
      if (stored != null && decodePublishRecord(stored.body).seq === 2n) values.add(str(decodePublishRecord(stored.body).value))
    }
    expect(values.size, `seq 2 records stored: ${[...values].join(', ')}`).to.be.at.most(1)
    if (first === 'ok') expect([...values]).to.deep.equal(['v1'])
    if (second === 'ok') expect([...values]).to.deep.equal(['v2'])
  })
})
