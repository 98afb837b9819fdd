/**
 * put / get end to end on the in-memory network: the real lookup, write
 * fan-out and first-copy read, with replicas down and a lying replica.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { kindNumber } from '../../../src/store/item-store.ts'
import { MAX_VALUE_BYTES } from '../../../src/constants.ts'
import { waitFor } from '../helpers.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { ToyrrentError } from '../../../src/errors.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3

describe('unit: hash items on the in-memory network', () => {
  let net: MemoryNetwork
  const holds = (node: Toyrrent, key: Uint8Array): boolean => node[internals].store.has(key)

  before(async () => { net = await createMemoryNetwork(16) })
  after(async () => { await net?.stop() })

  it('put on one node, get from every node', async () => {
    const values = Array.from({ length: 5 }, () => new Uint8Array(randomBytes(200)))
    const keys = await Promise.all(values.map(async (v, i) => (await net.nodes[i].put(v)).key))
    for (const node of net.nodes) {
      for (let i = 0; i < keys.length; i++) expect(await node.get(keys[i])).to.deep.equal(values[i])
    }
  })

  it('a put lands on the R nodes nearest to the key, W of them before it resolves', async () => {
    const writer = net.nodes[2]
    const { key, stored } = await writer.put(new Uint8Array(randomBytes(100)))
    const replicaSet = net.nearest(key, R)
    expect(stored.length).to.be.at.least(2)
    expect(stored.every(id => replicaSet.some(n => net.peerId(n).equals(id)))).to.equal(true)
    await waitFor('every replica to hold the item', () => replicaSet.every(n => holds(n, key)), 2000)
    // elsewhere only the writer keeps it (pinned: its user's data)
    const others = net.nodes.filter(n => !replicaSet.includes(n) && n !== writer)
    expect(others.filter(n => holds(n, key))).to.deep.equal([])
    expect(writer[internals].store.meta(key)?.pinned).to.equal(true)
  })

  it('a replica serving wrong bytes is skipped: the reader returns the value that hashes right', async () => {
    const value = new Uint8Array(randomBytes(64))
    const { key } = await net.nodes[1].put(value)
    const replicaSet = net.nearest(key, R)
    await waitFor('every replica to hold the item', () => replicaSet.every(n => holds(n, key)), 2000)
    // the nearest replica's copy is corrupted in place (behind the acceptor's back)
    await replicaSet[0][internals].store.put(key, { kind: kindNumber('hash'), body: new Uint8Array(randomBytes(64)), pinned: false, expiresAt: BigInt(Date.now() + 3600_000), storedAt: BigInt(Date.now()), seq: 0n })
    const readers = net.nodes.filter(n => !replicaSet.includes(n) && n !== net.nodes[1])
    for (const reader of readers.slice(0, 4)) expect(await reader.get(key)).to.deep.equal(value)
  })

  it('a key nobody stored is NotFoundError, once enough peers answered', async () => {
    const err = await net.nodes[4].get(hashItemKey(new Uint8Array(randomBytes(16)))).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('NotFoundError')
  })

  it('a value over 64 KiB is refused before anything is sent', async () => {
    const before = net.stats.exchanges
    const err = await net.nodes[0].put(new Uint8Array(MAX_VALUE_BYTES + 1)).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('TooLargeError')
    expect(net.stats.exchanges).to.equal(before)
  })

  // last: the readers drop the down replicas from their tables, which the tests above must not see
  it('with a replica down, and then two, every node still gets the value', async () => {
    const value = new Uint8Array(randomBytes(300))
    const { key } = await net.nodes[0].put(value)
    const replicaSet = net.nearest(key, R)
    await waitFor('every replica to hold the item', () => replicaSet.every(n => holds(n, key)), 2000)
    try {
      net.down(replicaSet[0])
      for (const node of net.nodes.filter(n => n !== replicaSet[0])) expect(await node.get(key)).to.deep.equal(value)
      net.down(replicaSet[1])
      for (const node of net.nodes.filter(n => !replicaSet.slice(0, 2).includes(n))) expect(await node.get(key)).to.deep.equal(value)
    } finally {
      net.up(replicaSet[0])
      net.up(replicaSet[1])
    }
  })

  describe('honest acknowledgements (finding 5)', () => {
    it('[finding 5, failed before: a lone node acknowledged its own put] a put on a one-node network with R = 3 is InsufficientPeersError', async () => {
      const lone = await createMemoryNetwork(1)
      try {
        const err = await lone.nodes[0].put(new Uint8Array(randomBytes(32))).then(() => undefined, (e: Error) => e)
        expect(err?.name).to.equal('InsufficientPeersError')
        expect(err?.message).to.match(/stored on 1 of the 2 nodes needed/)
        expect(err?.message).to.contain('--replicas 1')
      } finally {
        await lone.stop()
      }
    })

    it('a one-node network with replicas: 1 (W = 1) stores and reads', async () => {
      const lone = await createMemoryNetwork(1, { replicas: 1 })
      try {
        const value = new Uint8Array(randomBytes(32))
        const { key, stored } = await lone.nodes[0].put(value)
        expect(stored.map(String)).to.deep.equal([lone.peerId(lone.nodes[0]).toString()])
        expect(await lone.nodes[0].get(key)).to.deep.equal(value)
      } finally {
        await lone.stop()
      }
    })

    it('after every peer crashed, a put is InsufficientPeersError', async () => {
      const small = await createMemoryNetwork(3)
      try {
        const survivor = small.nodes[0]
        await small.remove(small.nodes[2])
        await small.remove(small.nodes[1])
        const err = await survivor.put(new Uint8Array(randomBytes(32))).then(() => undefined, (e: Error) => e)
        expect(err?.name).to.equal('InsufficientPeersError')
        // once the table forgot them, too: still no quiet success
        expect(survivor[internals].table.size).to.equal(0)
        const again = await survivor.put(new Uint8Array(randomBytes(32))).then(() => undefined, (e: Error) => e)
        expect(again?.name).to.equal('InsufficientPeersError')
      } finally {
        await small.stop()
      }
    })
  })

  describe('answers are signs of life (finding 6)', () => {
    it('[finding 6, failed before: "only 1 peers answered ... (3 failed)"] get of a publish id is wrong-kind ("that is a publish id; use resolve"), and every node keeps its peers', async () => {
      const small = await createMemoryNetwork(5)
      try {
        const { id } = await small.nodes[0].publish(await generateKeyPair('Ed25519'), new TextEncoder().encode('a record'))
        for (const node of small.nodes) {
          const before = node[internals].table.size
          expect(before).to.equal(4)
          const err = await node.get(id).then(() => undefined, (e: ToyrrentError) => e)
          expect(err?.name).to.equal('WrongKindError')
          expect(err?.code).to.equal('wrong-kind')
          expect(err?.message).to.match(/^that is a publish id; use resolve/)
          expect(node[internals].table.size, 'peers in the table after a wrong-kind get').to.equal(before)
        }
        // and they still serve: a put and a get right after
        const { key } = await small.nodes[1].put(new TextEncoder().encode('still talking'))
        expect(new TextDecoder().decode(await small.nodes[3].get(key))).to.equal('still talking')
      } finally {
        await small.stop()
      }
    })

    it('a replica serving wrong bytes answered: it stays in the table, and the get goes on to the others', async () => {
      const small = await createMemoryNetwork(6)
      try {
        const value = new Uint8Array(randomBytes(64))
        const { key } = await small.nodes[0].put(value)
        const replicaSet = small.nearest(key, R)
        await waitFor('every replica to hold the item', () => replicaSet.every(n => holds(n, key)), 2000)
        await replicaSet[0][internals].store.put(key, { kind: kindNumber('hash'), body: new Uint8Array(randomBytes(64)), pinned: false, expiresAt: BigInt(Date.now() + 3600_000), storedAt: BigInt(Date.now()), seq: 0n })
        const reader = small.nodes.find(n => !replicaSet.includes(n) && n !== small.nodes[0])!
        expect(await reader.get(key)).to.deep.equal(value)
        expect(reader[internals].table.get(small.peerId(replicaSet[0])), 'the liar is still a contact').to.not.equal(undefined)
      } finally {
        await small.stop()
      }
    })
  })

  describe('not found only after asking (finding 7)', () => {
    it('[finding 7, failed before: "not found (0 peers asked)"] with one node left, get is insufficient-peers, never not-found', async () => {
      const small = await createMemoryNetwork(3)
      try {
        const survivor = small.nodes[0]
        await small.remove(small.nodes[2])
        await small.remove(small.nodes[1])
        // a key nobody stored: the first get finds the others gone (they leave the table), the second has nobody left to ask
        const key = hashItemKey(new Uint8Array(randomBytes(16)))
        for (let i = 0; i < 2; i++) {
          const err = await survivor.get(key).then(() => undefined, (e: Error) => e)
          expect(err?.name, `get ${i + 1}: ${err?.message}`).to.equal('InsufficientPeersError')
          expect(err?.message).to.not.match(/not found/)
        }
        expect(survivor[internals].table.size).to.equal(0)
      } finally {
        await small.stop()
      }
    })

    it('[finding 7, failed before] a lone node with R = 3 cannot say not-found; with R = 1 it is the whole replica set and can', async () => {
      for (const [replicas, expected] of [[3, 'InsufficientPeersError'], [1, 'NotFoundError']] as const) {
        const lone = await createMemoryNetwork(1, { replicas })
        try {
          const err = await lone.nodes[0].get(hashItemKey(new Uint8Array(randomBytes(16)))).then(() => undefined, (e: Error) => e)
          expect(err?.name, `R = ${replicas}`).to.equal(expected)
        } finally {
          await lone.stop()
        }
      }
    })

    it('two nodes of R = 3, W = 2: both asked is a read quorum (R − W + 1 = 2), so a missing key is not-found', async () => {
      const pair = await createMemoryNetwork(2)
      try {
        const err = await pair.nodes[0].get(hashItemKey(new Uint8Array(randomBytes(16)))).then(() => undefined, (e: Error) => e)
        expect(err?.name).to.equal('NotFoundError')
      } finally {
        await pair.stop()
      }
    })
  })

  describe('hinted copies', () => {
    it('a fallback that took a copy for a silent replica hands it to that replica on its next repair round, then drops its own', async () => {
      const net8 = await createMemoryNetwork(8)
      try {
        const value = new Uint8Array(randomBytes(48))
        const key = hashItemKey(value)
        const [r0, r1, r2, fallback] = net8.nearest(key, 4)
        const writer = net8.nodes.find(n => ![r0, r1, r2, fallback].includes(n))!
        net8.down(r0)
        const { stored } = await writer.put(value)
        expect(stored.length).to.be.at.least(2)
        await waitFor('the fallback to hold a hinted copy', () => holds(fallback, key), 2000)
        expect(holds(r0, key)).to.equal(false)
        net8.up(r0)
        await fallback.repair()
        expect(holds(r0, key), 'the replica holds it after one repair round of the fallback').to.equal(true)
        await waitFor('the fallback to drop its hinted copy', async () => { await fallback.repair(); return !holds(fallback, key) }, 3000)
        expect([r0, r1, r2].every(n => holds(n, key))).to.equal(true)
      } finally {
        await net8.stop()
      }
    })
  })
})
