/**
 * Forwarded reads over real TCP (protocols/rpc.md, "Forwarded reads"): on a
 * 7-node network a reader hangs up on the replica set of each key it reads
 * (it stays connected to the other nodes, which are connected to the
 * replicas) and gets hash items and resolves publish records through a
 * forwarder: libp2p's `connection:open` events count every connection the
 * reader opens or accepts meanwhile, and there are none. The direct path's
 * hedge is set long (hedgeMs) so a slow moment on a loaded machine cannot
 * start a dial beside the forwarded read; the fallback itself is the unit
 * spec's concern (test/unit/service/forwarded-read.spec.ts). The quorum
 * hints ("Quorum hints": FORWARD fields enough, shortAtOnce, tooFewOpen,
 * reachable) go over the wire both ways between real nodes.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createTestnet, nearestNodes } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import { internals } from '../../src/service/toyrrent.ts'
import { peerPosition } from '../../src/keyspace.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'

const R = 3
const NODES = 7
const LONG_HEDGE_MS = 20_000

describe('forwarded reads over TCP', function () {
  this.timeout(120_000)
  let net: Testnet

  before(async () => { net = await createTestnet(NODES) })
  after(async () => { await net?.stop() })

  const connected = (a: ToyrrentNode, b: ToyrrentNode): boolean => a.libp2p.getConnections(b.libp2p.peerId).some(c => c.status === 'open')

  /** Every node but the reader connected to the replicas, the reader connected to every node but the replicas. */
  async function coldFor (reader: ToyrrentNode, replicas: ToyrrentNode[]): Promise<void> {
    const others = net.nodes.filter(n => n !== reader && !replicas.includes(n))
    for (const o of others) {
      for (const r of replicas) if (!connected(o, r)) await o.libp2p.dial(r.libp2p.peerId)
      if (!connected(reader, o)) await reader.libp2p.dial(o.libp2p.peerId)
    }
    for (const r of replicas) await reader.libp2p.hangUp(r.libp2p.peerId)
    await waitFor('the reader to hold no connection to the replica set', () => replicas.every(r => !connected(reader, r) && !connected(r, reader)), 5000)
  }

  /** The peers `reader` opened or accepted a connection with while `run` ran. */
  async function opened<T> (reader: ToyrrentNode, run: () => Promise<T>): Promise<{ result: T, peers: string[] }> {
    const peers: string[] = []
    const listener = (event: CustomEvent<{ remotePeer: { toString(): string } }>): void => { peers.push(event.detail.remotePeer.toString()) }
    reader.libp2p.addEventListener('connection:open', listener as any)
    try {
      return { result: await run(), peers }
    } finally {
      reader.libp2p.removeEventListener('connection:open', listener as any)
    }
  }

  it('a reader reads hash items and publish records whose replicas it is not connected to, opening no connection', async () => {
    const writer = net.nodes[0]
    const reader = net.nodes[NODES - 1]
    const items: Array<{ key: Uint8Array, value: Uint8Array }> = []
    while (items.length < 4) {
      const value = new Uint8Array(randomBytes(512))
      const { key } = await writer.toyrrent.put(value)
      if (!nearestNodes(net.nodes, key, R).includes(reader)) items.push({ key, value })
    }
    const records: Array<{ id: Uint8Array, seq: bigint, text: string }> = []
    while (records.length < 2) {
      const text = `record ${records.length}`
      const { id, seq } = await writer.toyrrent.publish(await generateKeyPair('Ed25519'), new TextEncoder().encode(text))
      if (!nearestNodes(net.nodes, id, R).includes(reader)) records.push({ id, seq, text })
    }
    for (const { key } of [...items.map(i => ({ key: i.key })), ...records.map(r => ({ key: r.id }))]) {
      await waitFor('the replica set to hold the item', () => nearestNodes(net.nodes, key, R).every(n => n.toyrrent[internals].store.has(key)), 10_000)
    }
    let forwarded = 0
    for (const { key, value } of items) {
      const replicas = nearestNodes(net.nodes, key, R)
      await coldFor(reader, replicas)
      const { result, peers } = await opened(reader, async () => reader.toyrrent.get(key, { hedgeMs: LONG_HEDGE_MS }))
      expect(Buffer.from(result)).to.deep.equal(Buffer.from(value))
      expect(peers, 'connections the get opened').to.deep.equal([])
      expect(replicas.filter(r => connected(reader, r)), 'replicas connected after the get').to.deep.equal([])
      forwarded++
    }
    for (const { id, seq, text } of records) {
      const replicas = nearestNodes(net.nodes, id, R)
      await coldFor(reader, replicas)
      const { result, peers } = await opened(reader, async () => reader.toyrrent.resolve(id, { hedgeMs: LONG_HEDGE_MS }))
      expect(result.seq).to.equal(seq)
      expect(new TextDecoder().decode(result.value)).to.equal(text)
      expect(peers, 'connections the resolve opened').to.deep.equal([])
      forwarded++
    }
    expect(forwarded).to.equal(items.length + records.length)
  })

  it('quorum hints on the wire: a forwarder reaching one replica answers tooFewOpen at once; reaching all three it answers once two agree', async () => {
    const writer = net.nodes[0]
    const { id } = await writer.toyrrent.publish(await generateKeyPair('Ed25519'), new TextEncoder().encode('hints'))
    const replicas = nearestNodes(net.nodes, id, R)
    await waitFor('the replica set to hold the record', () => replicas.every(n => n.toyrrent[internals].store.has(id)), 10_000)
    const [forwarder, asker] = net.nodes.filter(n => !replicas.includes(n))
    const to = { peerId: forwarder.libp2p.peerId, multiaddrs: [], position: peerPosition(forwarder.libp2p.peerId) }
    if (!connected(asker, forwarder)) await asker.libp2p.dial(forwarder.libp2p.peerId)
    for (const r of replicas) if (!connected(forwarder, r)) await forwarder.libp2p.dial(r.libp2p.peerId)
    const rpc = asker.toyrrent[internals].rpc
    const all = await rpc.forward(to, id, 'replica-set', 5000, { timeout: 10_000, noDial: true }, { enough: 2, shortAtOnce: true })
    expect(all.tooFewOpen ?? false, 'tooFewOpen with all three reachable').to.equal(false)
    expect(all.answers.length, 'answers (at least the two that agree)').to.be.within(2, 3)
    expect(all.answers.every(a => a.item != null)).to.equal(true)
    for (const r of replicas.slice(1)) {
      await forwarder.libp2p.hangUp(r.libp2p.peerId)
      await waitFor('the forwarder to hold no connection to the replica', () => !connected(forwarder, r) && !connected(r, forwarder), 5000)
    }
    const short = await rpc.forward(to, id, 'replica-set', 5000, { timeout: 10_000, noDial: true }, { enough: 2, shortAtOnce: true })
    expect(short.tooFewOpen).to.equal(true)
    expect(short.reachable).to.equal(1)
    expect(short.answers).to.deep.equal([])
    expect(short.closer.map(p => p.peerId.toString()).sort()).to.deep.equal(replicas.map(r => r.libp2p.peerId.toString()).sort())
  })
})
