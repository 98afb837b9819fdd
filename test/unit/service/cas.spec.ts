/**
 * Compare-and-swap (src/service/cas.ts, src/store/paxos-state.ts) on the
 * in-memory network: at most one acknowledgement per (id, expected seq)
 * with racing writers, delays and a replica down (issue 11 finding 1); a
 * refused write is never visible (finding 2); outcome-unknown when the
 * outcome cannot be known; acceptor state that survives a restart and is
 * dropped once the id moved past its slot.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryDatastore } from 'datastore-core'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { PaxosState } from '../../../src/store/paxos-state.ts'
import { createPublishRecord, decodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { position } from '../helpers.ts'
import { OutcomeUnknownError } from '../../../src/errors.ts'
import { errorReply } from '../../../src/api/errors.ts'
import { refusal } from '../../../src/refusals.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PrivateKey } from '@libp2p/interface'

const R = 3
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)
const codeOf = (r: PromiseSettledResult<unknown>): string => r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code ?? String(r.reason)

/** Every value any node's store holds for `id`. */
async function storedValues (net: MemoryNetwork, id: Uint8Array): Promise<string[]> {
  const out: string[] = []
  for (const node of net.nodes) {
    const stored = await node[internals].store.get(id)
    if (stored != null) out.push(str(decodePublishRecord(stored.body).value))
  }
  return out
}

describe('unit: compare-and-swap on the in-memory network', function () {
  this.timeout(60_000)
  let net: MemoryNetwork
  let key: PrivateKey

  before(async () => { net = await createMemoryNetwork(12) })
  after(async () => { await net?.stop() })
  beforeEach(async () => {
    key = await generateKeyPair('Ed25519')
    net.setDelay(0)
    net.heal()
  })

  /**
   * Rounds of two writers racing through different nodes with the same
   * expected seq: at most one is acknowledged; a definite refusal is never
   * visible; the id ends at the winner's record.
   */
  async function race (rounds: number, writersFor: (round: number) => [Toyrrent, Toyrrent], onRound?: (round: number) => void, readers: Toyrrent[] = net.nodes): Promise<{ acked: number, unknown: number }> {
    const id = publishId(key.publicKey.raw)
    let expected = 0n
    let acked = 0
    let unknown = 0
    for (let round = 0; round < rounds; round++) {
      onRound?.(round)
      const [wa, wb] = writersFor(round)
      const [a, b] = await Promise.all([
        createPublishRecord({ privateKey: key, seq: expected + 1n, value: text(`a${round}`) }),
        createPublishRecord({ privateKey: key, seq: expected + 1n, value: text(`b${round}`) })
      ])
      const results = await Promise.allSettled([wa.publishRecord(a, { expectedSeq: expected }), wb.publishRecord(b, { expectedSeq: expected })])
      const codes = results.map(codeOf)
      const won = codes.filter(c => c === 'ok').length
      expect(won, `round ${round}: ${codes.join(', ')}`).to.be.at.most(1)
      acked += won
      unknown += codes.filter(c => c === 'outcome-unknown').length
      for (const c of codes) expect(['ok', 'cas-mismatch', 'outcome-unknown', 'insufficient-peers'], `round ${round}`).to.include(c)
      net.setDelay(0)
      net.heal()
      const reader = readers[round % readers.length]
      const resolved = await reader.resolve(id)
      if (won === 1) {
        const winner = codes[0] === 'ok' ? `a${round}` : `b${round}`
        expect(str(resolved.value), `round ${round}`).to.equal(winner)
      }
      // a refusal is final: the refused value is nowhere, and no reader sees it
      const refused = codes.map((c, i) => c === 'cas-mismatch' ? (i === 0 ? `a${round}` : `b${round}`) : undefined).filter(v => v != null)
      for (const value of refused) {
        expect(await storedValues(net, id), `round ${round}: refused ${value} is stored somewhere`).to.not.include(value)
        expect(str(resolved.value)).to.not.equal(value)
      }
      expected = resolved.seq
    }
    return { acked, unknown }
  }

  it('finding 1: two CAS writers through different nodes, same expected seq, 25 rounds: at most one acknowledged each round', async () => {
    const { acked } = await race(25, round => [net.nodes[round % 12], net.nodes[(round + 5) % 12]])
    expect(acked).to.be.greaterThan(15)
  })

  it('finding 1: racing CAS writers with the nearest replica slow (fallbacks tempted): at most one acknowledged each round', async () => {
    const id = publishId(key.publicKey.raw)
    const slow = net.peerId(net.nearest(id, R)[0])
    const { acked } = await race(20, round => [net.nodes[round % 12], net.nodes[(round + 7) % 12]], () => {
      net.setDelay((_from, to) => to.equals(slow) ? 40 + Math.random() * 20 : Math.random() * 8)
    })
    expect(acked).to.be.greaterThan(10)
  })

  it('finding 1: racing CAS writers with one replica down: at most one acknowledged each round, and the writes still go through', async () => {
    const id = publishId(key.publicKey.raw)
    const down = net.nearest(id, R)[1]
    const others = net.nodes.filter(n => n !== down)
    net.down(down)
    // the first write of the id (a slot under the view rule) needs a promise from every one of the R nearest
    // a proposer sees (protocols/cas.md), so it goes through only once the failure detector dropped the down
    // replica where it would be named: a refused connection removes a peer at once (PeerTable.failed)
    for (const n of others) n[internals].table.failed(net.peerId(down), false)
    try {
      const { acked } = await race(15, round => [others[round % others.length], others[(round + 4) % others.length]], () => { net.down(down) }, others)
      expect(acked).to.be.greaterThan(8)
    } finally {
      net.up(down)
    }
  })

  it('finding 2: a CAS refused with cas-mismatch is never visible to any later resolve from any node', async () => {
    const id = publishId(key.publicKey.raw)
    await net.nodes[0].publishRecord(await createPublishRecord({ privateKey: key, seq: 1n, value: text('v1') }), { expectedSeq: 0n })
    for (let round = 0; round < 10; round++) {
      // a stale writer: expects seq 1 while the id is further on
      const current = (await net.nodes[1].resolve(id)).seq
      const loser = await createPublishRecord({ privateKey: key, seq: current + 1n, value: text(`loser${round}`) })
      const err = await net.nodes[(round + 2) % 12].publishRecord(loser, { expectedSeq: current - 1n }).then(() => undefined, (e: Error) => e)
      expect((err as { code?: string } | undefined)?.code).to.equal('cas-mismatch')
      const winner = await createPublishRecord({ privateKey: key, seq: current + 1n, value: text(`winner${round}`) })
      await net.nodes[(round + 3) % 12].publishRecord(winner, { expectedSeq: current })
      for (const node of net.nodes) expect(str((await node.resolve(id)).value)).to.equal(`winner${round}`)
      expect(await storedValues(net, id)).to.not.include(`loser${round}`)
    }
  })

  it('a CAS that finds no record at the expected seq is refused and changes nothing', async () => {
    const id = publishId(key.publicKey.raw)
    const record = await createPublishRecord({ privateKey: key, seq: 5n, value: text('x') })
    const err = await net.nodes[4].publishRecord(record, { expectedSeq: 4n }).then(() => undefined, (e: Error) => e)
    expect((err as { code?: string }).code).to.equal('cas-mismatch')
    expect(await storedValues(net, id)).to.deep.equal([])
  })

  it('retrying the very same CAS write after it succeeded is a success (a no-op), never a refusal of a visible write', async () => {
    const id = publishId(key.publicKey.raw)
    const record = await createPublishRecord({ privateKey: key, seq: 1n, value: text('once') })
    await net.nodes[2].publishRecord(record, { expectedSeq: 0n })
    const again = await net.nodes[3].publishRecord(record, { expectedSeq: 0n }).then(() => 'ok', (e: { code?: string }) => e.code)
    expect(again).to.equal('ok')
    expect(str((await net.nodes[9].resolve(id)).value)).to.equal('once')
  })

  it('outcome-unknown: the record was sent to the acceptors but too few took it, so nobody can tell', async () => {
    const id = publishId(key.publicKey.raw)
    const replicas = net.nearest(id, R)
    const writer = net.nodes.find(n => !replicas.includes(n))!
    const rpc = writer[internals].rpc
    const accept = rpc.accept
    const downed: Toyrrent[] = []
    let accepts = 0
    // the first ACCEPT goes through; every other one finds its target gone
    rpc.accept = async (peer, ...rest) => {
      if (++accepts > 1) {
        const target = net.nodes.find(n => net.peerId(n).equals(peer.peerId))
        if (target != null) { net.down(target); downed.push(target) }
      }
      return accept.call(rpc, peer, ...rest)
    }
    try {
      const record = await createPublishRecord({ privateKey: key, seq: 1n, value: text('maybe') })
      const err = await writer.publishRecord(record, { expectedSeq: 0n }).then(() => undefined, (e: Error) => e)
      expect((err as { code?: string } | undefined)?.code, String(err)).to.equal('outcome-unknown')
      expect(err?.name).to.equal('OutcomeUnknownError')
    } finally {
      rpc.accept = accept
      for (const n of downed) net.up(n)
    }
  })

  it('outcome-unknown reaches HTTP clients as 504 and the CLI as exit 3', () => {
    const reply = errorReply(new OutcomeUnknownError('may or may not take effect'))
    expect([reply.status, reply.body.error.code]).to.deep.equal([504, 'outcome-unknown'])
    expect(refusal('outcome-unknown').exit).to.equal(3)
  })

  it('refuses compare-and-swap clearly where W is not a majority of R', async () => {
    const small = await createMemoryNetwork(4, { replicas: 3, writeQuorum: 1 })
    try {
      const record = await createPublishRecord({ privateKey: key, seq: 1n, value: text('x') })
      const err = await small.nodes[0].publishRecord(record, { expectedSeq: 0n }).then(() => undefined, (e: Error) => e)
      expect((err as { code?: string }).code).to.equal('bad-input')
      expect(err?.message).to.match(/majority/)
    } finally {
      await small.stop()
    }
  })
})

describe('unit: PaxosState (the acceptor\'s slots)', () => {
  const id = position(7)
  const ballot = (counter: bigint, p = 1): { counter: bigint, proposer: Uint8Array } => ({ counter, proposer: new Uint8Array([p]) })
  const record = new Uint8Array([1, 2, 3])

  it('promises only ballots at or above the one promised, and accepts likewise', async () => {
    const state = new PaxosState(new MemoryDatastore(), { storedSeq: () => 0n })
    expect((await state.prepare(id, 0n, ballot(5n))).promised).to.equal(true)
    const lower = await state.prepare(id, 0n, ballot(4n))
    expect(lower.promised).to.equal(false)
    expect(lower.promisedBallot.counter).to.equal(5n)
    expect((await state.accept(id, 0n, ballot(4n), { record, acceptors: [] })).accepted).to.equal(false)
    expect((await state.accept(id, 0n, ballot(5n), { record, acceptors: [] })).accepted).to.equal(true)
    const later = await state.prepare(id, 0n, ballot(6n))
    expect(later.accepted?.record).to.deep.equal(record)
    expect(later.accepted?.ballot.counter).to.equal(5n)
  })

  it('keeps promises and accepted values across a restart (same datastore)', async () => {
    const datastore = new MemoryDatastore()
    const before = new PaxosState(datastore, { storedSeq: () => 0n })
    await before.prepare(id, 3n, ballot(9n))
    const acceptors = [new Uint8Array([0, 3, 1, 2, 3]), new Uint8Array([0, 3, 4, 5, 6])]
    await before.accept(id, 3n, ballot(9n), { record, acceptors })
    const after = new PaxosState(datastore, { storedSeq: () => 0n })
    await after.open()
    expect((await after.prepare(id, 3n, ballot(8n))).promised).to.equal(false)
    expect((await after.slot(id, 3n))?.accepted?.record).to.deep.equal(record)
    // the value's acceptor set (the next slot's) is part of what is kept
    expect((await after.slot(id, 3n))?.accepted?.acceptors).to.deep.equal(acceptors)
  })

  it('drops a slot once the stored seq moved past it, and refuses it from then on, even if the item goes', async () => {
    const datastore = new MemoryDatastore()
    let stored = 3n
    const state = new PaxosState(datastore, { storedSeq: () => stored })
    await state.accept(id, 3n, ballot(1n), { record, acceptors: [] })
    stored = 4n
    await state.prune(id)
    expect(await state.slot(id, 3n)).to.equal(undefined)
    // what the closed slot last accepted is still known (as a hash): a proposer can tell it lost
    const closed = await state.prepare(id, 3n, ballot(2n))
    expect(closed.retired?.accepted?.ballot.counter).to.equal(1n)
    stored = 0n // the item left this node's store
    const verdict = await state.prepare(id, 3n, ballot(2n))
    expect([verdict.promised, verdict.stale]).to.deep.equal([false, true])
    expect((await state.accept(id, 3n, ballot(2n), { record, acceptors: [] })).accepted).to.equal(false)
  })
})
