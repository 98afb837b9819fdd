/**
 * Compare-and-swap over real TCP (issue 11 findings 1 and 2): writers racing
 * through different nodes for one expected seq, at most one acknowledged,
 * refused records stored nowhere; and acceptor promises that survive a
 * restart on LevelDB.
 */
import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { LevelDatastore } from 'datastore-level'
import { createTestnet } from '../helpers/testnet.ts'
import { createPublishRecord, decodePublishRecord, publishId } from '../../src/records/publish-record.ts'
import { PaxosState } from '../../src/store/paxos-state.ts'
import { internals } from '../../src/service/toyrrent.ts'
import type { Testnet } from '../helpers/testnet.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('compare-and-swap on an 8-node TCP network', function () {
  this.timeout(120_000)
  let net: Testnet

  before(async () => { net = await createTestnet(8) })
  after(async () => { await net?.stop() })

  it('findings 1 and 2: three writers race through different nodes for 20 rounds: at most one acknowledged per expected seq, refused records stored nowhere', async () => {
    const key = await generateKeyPair('Ed25519')
    const id = publishId(key.publicKey.raw)
    let expected = 0n
    let acked = 0
    for (let round = 0; round < 20; round++) {
      const records = await Promise.all([0, 1, 2].map(async w => createPublishRecord({ privateKey: key, seq: expected + 1n, value: text(`r${round}w${w}`) })))
      const results = await Promise.allSettled(records.map(async (r, w) => net.nodes[(round + w * 3) % net.nodes.length].toyrrent.publishRecord(r, { expectedSeq: expected })))
      const codes = results.map(r => r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code)
      expect(codes.filter(c => c === 'ok').length, `round ${round}: ${codes.join(', ')}`).to.be.at.most(1)
      acked += codes.filter(c => c === 'ok').length
      const resolved = await net.nodes[round % net.nodes.length].toyrrent.resolve(id)
      const won = codes.indexOf('ok')
      if (won >= 0) expect(str(resolved.value)).to.equal(`r${round}w${won}`)
      for (const [w, code] of codes.entries()) {
        if (code !== 'cas-mismatch') continue
        for (const node of net.nodes) {
          const stored = await node.toyrrent[internals].store.get(id)
          if (stored != null) expect(str(decodePublishRecord(stored.body).value), `round ${round}: refused w${w} stored`).to.not.equal(`r${round}w${w}`)
        }
        expect(str(resolved.value)).to.not.equal(`r${round}w${w}`)
      }
      expected = resolved.seq
    }
    expect(acked).to.be.greaterThan(10)
  })
})

describe('acceptor state on LevelDB', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'toyrrent-paxos-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('a promise and an accepted record survive closing and reopening the datastore', async () => {
    const id = new Uint8Array(32).fill(9)
    const ballot = (counter: bigint): { counter: bigint, proposer: Uint8Array } => ({ counter, proposer: new Uint8Array([7]) })
    const first = new LevelDatastore(dir)
    await first.open()
    const before = new PaxosState(first, { storedSeq: () => 0n })
    await before.prepare(id, 4n, ballot(3n))
    await before.accept(id, 4n, ballot(3n), { record: new Uint8Array([1, 2]), acceptors: [] })
    await first.close()
    const second = new LevelDatastore(dir)
    await second.open()
    try {
      const after = new PaxosState(second, { storedSeq: () => 0n })
      await after.open()
      expect(after.size).to.equal(1)
      const verdict = await after.prepare(id, 4n, ballot(2n))
      expect(verdict.promised).to.equal(false)
      expect(verdict.accepted?.record).to.deep.equal(new Uint8Array([1, 2]))
    } finally {
      await second.close()
    }
  })
})
