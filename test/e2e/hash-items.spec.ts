import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createTestnet, dialAddr, nearestNodes } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import { createToyrrentNode } from '../../src/node.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { hashItemKey, keyToCid, parseKey } from '../../src/records/hash-item.ts'
import { MAX_VALUE_BYTES } from '../../src/constants.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import { internals } from '../../src/service/toyrrent.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Keep an item in one node's store only, as if it had been placed there. */
async function holdOnly (node: ToyrrentNode, value: Uint8Array): Promise<Uint8Array> {
  const key = hashItemKey(value)
  await node.toyrrent[internals].store.put(key, { kind: 0, body: new Uint8Array(value), pinned: false, expiresAt: 0n, storedAt: 0n, seq: 0n })
  return key
}

describe('hash items', function () {
  this.timeout(60_000)

  describe('on a 10-node network', () => {
    let net: Testnet
    before(async () => { net = await createTestnet(10) })
    after(async () => { await net?.stop() })

    it('put on one node, get from every other', async () => {
      const value = randomBytes(1024)
      const { key, cid, stored } = await net.nodes[0].toyrrent.put(value)
      expect(cid).to.equal(keyToCid(key)).and.match(/^bafkrei/)
      expect(parseKey(cid)).to.deep.equal(key)
      expect(stored.length).to.be.at.least(2)
      for (const node of net.nodes.slice(1)) {
        expect(Buffer.from(await node.toyrrent.get(key))).to.deep.equal(value)
      }
    })

    it('stores on the R nearest nodes', async () => {
      const value = randomBytes(100)
      const { key } = await net.nodes[4].toyrrent.put(value)
      const replicaSet = nearestNodes(net.nodes, key, 3)
      for (const node of replicaSet) {
        // the third store may still be landing after the W=2 acknowledgements
        await waitFor(`replica ${node.libp2p.peerId} holds the item`, async () => node.toyrrent[internals].store.has(key))
      }
    })

    it('skips a replica that serves wrong bytes and still reads the value', async () => {
      const value = randomBytes(512)
      const { key } = await net.nodes[1].toyrrent.put(value)
      const holders = nearestNodes(net.nodes, key).filter(n => n !== net.nodes[1])
      await waitFor('replicas hold the item', async () => (await Promise.all(holders.slice(0, 2).map(async h => h.toyrrent[internals].store.has(key)))).every(Boolean))
      // all but one holder lie: they keep other bytes under the key
      const liars = holders.slice(0, 2)
      for (const liar of liars) {
        await liar.toyrrent[internals].store.put(key, { kind: 0, body: randomBytes(512), pinned: false, expiresAt: 0n, storedAt: 0n, seq: 0n })
      }
      const reader = net.nodes.find(n => n !== net.nodes[1] && !liars.includes(n) && n !== holders[2])!
      expect(Buffer.from(await reader.toyrrent.get(key))).to.deep.equal(value)
    })

    it('never returns wrong bytes when every holder lies: liars in the replica set are "cannot tell", liars elsewhere leave "not found"', async () => {
      const lie = async (liars: ToyrrentNode[], key: Uint8Array): Promise<void> => {
        for (const liar of liars) await liar.toyrrent[internals].store.put(key, { kind: 0, body: randomBytes(64), pinned: false, expiresAt: 0n, storedAt: 0n, seq: 0n })
      }
      // the whole replica set lies: a wrong answer is no "I do not hold it", so whether the item exists cannot be told
      const inSet = hashItemKey(randomBytes(64))
      const replicaSet = nearestNodes(net.nodes, inSet, 3)
      await lie(replicaSet, inSet)
      const reader = net.nodes.find(n => !replicaSet.includes(n))!
      const cannotTell = await reader.toyrrent.get(inSet).then(() => undefined, e => e)
      expect(cannotTell?.name).to.equal('InsufficientPeersError')
      // liars outside the replica set: the replicas answered that they do not hold it
      const outside = hashItemKey(randomBytes(64))
      const nearest = nearestNodes(net.nodes, outside)
      await lie(nearest.slice(-3), outside)
      const notFound = await nearest[3].toyrrent.get(outside).then(() => undefined, e => e)
      expect(notFound?.name).to.equal('NotFoundError')
    })

    it('refuses a value over 64 KiB before sending anything, naming the limit', async () => {
      const err = await net.nodes[0].toyrrent.put(new Uint8Array(MAX_VALUE_BYTES + 1)).then(() => undefined, e => e)
      expect(err?.name).to.equal('TooLargeError')
      expect(err.message).to.include('65536')
      await net.nodes[0].toyrrent.put(new Uint8Array(MAX_VALUE_BYTES)) // exactly the limit is fine
    })

    it('reports not-found for a key nobody holds', async () => {
      const err = await net.nodes[2].toyrrent.get(hashItemKey(text('nobody has this'))).then(() => undefined, e => e)
      expect(err?.name).to.equal('NotFoundError')
    })

    it('rejects a remote store whose bytes do not hash to the key', async () => {
      const node = net.nodes[3]
      const result = await node.toyrrent[internals].acceptor.accept({ kind: 'hash', key: hashItemKey(text('a')), body: text('b'), ttlSeconds: 0 })
      expect(result.refused).to.equal('hash-mismatch')
      expect(await node.toyrrent[internals].store.has(hashItemKey(text('a')))).to.equal(false)
    })
  })

  it('seed 001: a new node that dials one node gets a key held only on another', async () => {
    const net = await createTestnet(3, { replicas: 1 })
    try {
      const [n1, n2, n3] = net.nodes
      await holdOnly(n1, text('ka')); await holdOnly(n1, text('kb')); await holdOnly(n1, text('kc'))
      await holdOnly(n2, text('kd'))
      await holdOnly(n3, text('ka'))
      const ke = await holdOnly(n3, text('ke'))
      const n4 = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
      net.nodes.push(n4)
      await n4.libp2p.dial(multiaddr(dialAddr(n2)))
      expect(n4.libp2p.getPeers().map(String)).to.deep.equal([n2.libp2p.peerId.toString()])
      expect(new TextDecoder().decode(await n4.toyrrent.get(ke))).to.equal('ke')
    } finally {
      await net.stop()
    }
  })

  it('fails with insufficient-peers, not not-found, when no peer can be reached', async () => {
    const net = await createTestnet(3)
    const [a, b, c] = net.nodes
    try {
      await b.stop(); await c.stop()
      const err = await a.toyrrent.get(hashItemKey(text('anything')), { timeout: 10_000 }).then(() => undefined, e => e)
      expect(err?.name).to.equal('InsufficientPeersError')
      const putErr = await a.toyrrent.put(text('needs two acks'), { timeout: 10_000 }).then(() => undefined, e => e)
      expect(putErr?.name).to.equal('InsufficientPeersError')
    } finally {
      await net.stop()
    }
  })
})
