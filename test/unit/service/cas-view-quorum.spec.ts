/**
 * Compare-and-swap on slots under the view rule (no acceptor set: the first
 * write of an id, the slot after a plain publish), where phase 1 needs a
 * promise from every one of the proposer's R nearest and phase 2 a majority
 * (protocols/cas.md, "Quorums under the view rule"), on the in-memory
 * network:
 *
 *  - the asymmetric partition of cas-asymmetric.spec.ts (C slow for B and D
 *    only, so B and D drop C while A keeps it; A slow for B), at e = 0 and at
 *    e = 1 after a plain publish: with majority quorums of each proposer's
 *    view, P1 = B gets {B, D} of {A, B, D} and P2 = C gets {A, C} of
 *    {A, B, C}: two acknowledgements. With full phase-1 quorums, at most one;
 *  - the liveness cost: a first CAS with one of the R nearest down is
 *    insufficient-peers, writes nothing, and goes through once the failure
 *    detector dropped that node or it came back.
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
const RUNS = 3
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e))

interface Roles { key: PrivateKey, id: Uint8Array, a: Toyrrent, b: Toyrrent, c: Toyrrent, d: Toyrrent, writer: Toyrrent }

async function rolesIn (net: MemoryNetwork): Promise<Roles> {
  const key = await generateKeyPair('Ed25519')
  const id = publishId(key.publicKey.raw)
  const [a, b, c, d, writer] = net.nearest(id, R + 2)
  return { key, id, a, b, c, d, writer }
}

/** C–B and C–D time out both ways, B→A one way; B and D drop C (A keeps it). */
function partition (net: MemoryNetwork, { a, b, c, d }: Roles): void {
  const is = (p: PeerId, n: Toyrrent): boolean => p.equals(net.peerId(n))
  const pair = (from: PeerId, to: PeerId, x: Toyrrent, y: Toyrrent): boolean => (is(from, x) && is(to, y)) || (is(from, y) && is(to, x))
  net.setDelay((from, to) => pair(from, to, c, b) || pair(from, to, c, d) || (is(from, b) && is(to, a)) ? REQUEST_TIMEOUT * 10 : 0)
  for (const n of [b, d]) n[internals].table.remove(net.peerId(c))
}

/** Seq-2 (or seq-1) records stored anywhere once the partition healed and repair ran. */
async function storedAt (net: MemoryNetwork, id: Uint8Array, seq: bigint): Promise<Set<string>> {
  net.setDelay(0)
  await Promise.all(net.nodes.map(async n => n.repair()))
  const values = new Set<string>()
  for (const n of net.nodes) {
    const stored = await n[internals].store.get(id)
    if (stored != null && decodePublishRecord(stored.body).seq === seq) values.add(str(decodePublishRecord(stored.body).value))
  }
  return values
}

/** One run of two proposers racing across the partition for slot (id, e); the two outcomes. */
async function raceAcross (net: MemoryNetwork, roles: Roles, e: bigint): Promise<string[]> {
  const { key, b, c } = roles
  partition(net, roles)
  const v1 = await createPublishRecord({ privateKey: key, seq: e + 1n, value: text('v1') })
  const first = await codeOf(b.publishRecord(v1, { expectedSeq: e }))
  const v2 = await createPublishRecord({ privateKey: key, seq: e + 1n, value: text('v2') })
  const second = await codeOf(c.publishRecord(v2, { expectedSeq: e }))
  return [first, second]
}

async function checkRun (net: MemoryNetwork, roles: Roles, e: bigint, run: number): Promise<void> {
  const [first, second] = await raceAcross(net, roles, e)
  const what = `run ${run}, expected seq ${e} (P1 through B/D: ${first}, P2 through A/C: ${second})`
  for (const code of [first, second]) expect(['ok', 'insufficient-peers', 'cas-mismatch', 'outcome-unknown'], what).to.include(code)
  expect([first, second].filter(code => code === 'ok').length, `acknowledgements, ${what}`).to.be.at.most(1)
  const values = await storedAt(net, roles.id, e + 1n)
  expect(values.size, `records of seq ${e + 1n} stored, ${what}: ${[...values].join(', ')}`).to.be.at.most(1)
  if (first === 'ok') expect([...values], what).to.deep.equal(['v1'])
  if (second === 'ok') expect([...values], what).to.deep.equal(['v2'])
}

describe('unit: compare-and-swap under the view rule (full phase-1 quorum)', function () {
  this.timeout(120_000)
  let net: MemoryNetwork | undefined

  afterEach(async () => { await net?.stop(); net = undefined })

  it(`first write of an id (e = 0) across an asymmetric partition: at most one acknowledgement, ${RUNS} runs`, async () => {
    for (let run = 0; run < RUNS; run++) {
      net = await createMemoryNetwork(8, { requestTimeout: REQUEST_TIMEOUT })
      await checkRun(net, await rolesIn(net), 0n, run)
      await net.stop()
      net = undefined
    }
  })

  it(`the slot after a plain publish (no acceptor set) across an asymmetric partition: at most one acknowledgement, ${RUNS} runs`, async () => {
    for (let run = 0; run < RUNS; run++) {
      net = await createMemoryNetwork(8, { requestTimeout: REQUEST_TIMEOUT })
      const roles = await rolesIn(net)
      const { key, id, a, b, c, writer } = roles
      const seq1 = await createPublishRecord({ privateKey: key, seq: 1n, value: text('plain-1') })
      await writer.publishRecord(seq1)
      await waitFor('plain seq 1 on A, B and C, with no acceptor set', async () => {
        await Promise.all(net!.nodes.map(async n => n.repair()))
        return [a, b, c].every(n => n[internals].store.meta(id)?.seq === 1n)
      }, 5000)
      for (const n of [a, b, c]) expect((await n[internals].store.get(id))?.acceptors ?? [], 'a plain publish carries no set').to.have.length(0)
      await checkRun(net, roles, 1n, run)
      await net.stop()
      net = undefined
    }
  })

  it('a first CAS with one of the R nearest down is insufficient-peers and writes nothing; it goes through once that node is dropped or back', async () => {
    net = await createMemoryNetwork(8, { requestTimeout: REQUEST_TIMEOUT })
    const { key, id, c, writer } = await rolesIn(net)
    const stored = async (): Promise<number> => (await Promise.all(net!.nodes.map(async n => n[internals].store.get(id)))).filter(s => s != null).length
    net.down(c)
    const first = await createPublishRecord({ privateKey: key, seq: 1n, value: text('first') })
    expect(await codeOf(writer.publishRecord(first, { expectedSeq: 0n })), 'C down, still in the views of A and B').to.equal('insufficient-peers')
    expect(await stored(), 'nothing written').to.equal(0)
    // it came back: the very same CAS (retryable) goes through
    net.up(c)
    expect(await codeOf(writer.publishRecord(first, { expectedSeq: 0n })), 'C back').to.equal('ok')
    // down again, and this time the failure detector drops it everywhere (a refused connection removes a peer at once)
    net.down(c)
    const plain = await createPublishRecord({ privateKey: key, seq: 2n, value: text('plain') })
    await writer.publishRecord(plain) // a plain publish: the slot of seq 2 is under the view rule again
    const third = await createPublishRecord({ privateKey: key, seq: 3n, value: text('third') })
    expect(await codeOf(writer.publishRecord(third, { expectedSeq: 2n })), 'slot after a plain publish, C down and still known').to.equal('insufficient-peers')
    for (const n of net.nodes) if (n !== c) n[internals].table.failed(net.peerId(c), false)
    expect(await codeOf(writer.publishRecord(third, { expectedSeq: 2n })), 'C dropped by the failure detector').to.equal('ok')
    expect(str((await writer.resolve(id)).value)).to.equal('third')
  })
})
