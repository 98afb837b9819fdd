/**
 * A read whose table view looks right but is not (issue 13, 200 nodes: one
 * resolve in seven went directly to a connected, undoubted view that held
 * at most one replica, and dialled the replicas its answers named). The
 * direct path now asks over open connections only, and the first peer it
 * would dial ends it: the read goes through the connected peer nearest the
 * key instead, and opens no connection (ForwardedReads.overOpen).
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Neighbourhood } from '../../../src/service/neighbourhood.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PeerTable } from '../../../src/service/peer-table.ts'
import type { PeerId } from '@libp2p/interface'

const R = 3

describe('unit: a read whose view looks right but misses the replica set', function () {
  this.timeout(120_000)
  let net: MemoryNetwork
  // thin tables (buckets of 3): a reader's view of a far key is often wrong
  before(async () => { net = await createMemoryNetwork(120, { bucketSize: 3, refreshInterval: 0 }) })
  after(async () => { await net?.stop() })

  async function link (a: Toyrrent, b: Toyrrent): Promise<void> {
    const peer = { peerId: net.peerId(b), multiaddrs: [], position: peerPosition(net.peerId(b)) }
    await a[internals].rpc.fetch(peer, new Uint8Array(32), 0, { timeout: 2000 })
  }

  const table = (n: Toyrrent): PeerTable => n[internals].table
  const nodeOf = (peerId: PeerId): Toyrrent => net.nodes.find(n => net.peerId(n).equals(peerId))!
  const doubts = (n: Toyrrent, key: Uint8Array): boolean =>
    new Neighbourhood({ selfId: net.peerId(n), table: table(n), selfAddrs: () => [], filterAddrs: addrs => addrs }).mayMiss(key, R)

  /**
   * A reader whose table's R nearest to `key` are no replica and hold no copy, and which does
   * not doubt that view; the nearest of them knows every replica. Undefined when none fits.
   */
  function readerFor (key: Uint8Array, replicas: Toyrrent[]): { reader: Toyrrent, forwarder: Toyrrent } | undefined {
    const replicaIds = new Set(replicas.map(n => net.peerId(n).toString()))
    for (const reader of net.nodes) {
      if (replicas.includes(reader)) continue
      const view = table(reader).closest(key, R)
      // none of the view holds a copy either (a put may leave one beside the replicas)
      if (view.length < R || view.some(p => replicaIds.has(p.peerId.toString()) || nodeOf(p.peerId)[internals].store.has(key)) || doubts(reader, key)) continue
      const forwarder = nodeOf(view[0].peerId)
      if (replicas.every(r => table(forwarder).get(net.peerId(r)) != null)) return { reader, forwarder }
    }
    return undefined
  }

  /** Connect the reader to its view, the forwarder to the replicas, and the reader to no replica. */
  async function arrange (key: Uint8Array, replicas: Toyrrent[], reader: Toyrrent, forwarder: Toyrrent): Promise<void> {
    for (const p of table(reader).closest(key, R)) await link(reader, nodeOf(p.peerId))
    for (const r of replicas) {
      net.disconnect(reader, r)
      await link(forwarder, r)
    }
  }

  it('get: forwarded once the view names a replica it is not connected to; no connection opened', async () => {
    let found: { key: Uint8Array, value: Uint8Array, replicas: Toyrrent[], reader: Toyrrent, forwarder: Toyrrent } | undefined
    for (let i = 0; i < 40 && found == null; i++) {
      const value = new Uint8Array(randomBytes(200))
      const { key } = await net.nodes[i].put(value)
      const replicas = net.nearest(key, R)
      const pair = readerFor(key, replicas)
      if (pair != null) found = { key, value, replicas, ...pair }
    }
    expect(found, 'a reader with a wrong, undoubted view').to.not.equal(undefined)
    const { key, value, replicas, reader, forwarder } = found!
    await arrange(key, replicas, reader, forwarder)
    const opened = net.connectionsOpened()
    const forwards = net.stats.bytesByType.FORWARD ?? 0
    expect(await reader.get(key)).to.deep.equal(value)
    expect(net.stats.bytesByType.FORWARD ?? 0, 'a FORWARD went out').to.be.greaterThan(forwards)
    expect(net.connectionsOpened(), 'connections the get opened').to.equal(opened)
  })

  it('resolve: the same, with a read quorum through the forwarder', async () => {
    let found: { id: Uint8Array, seq: bigint, replicas: Toyrrent[], reader: Toyrrent, forwarder: Toyrrent } | undefined
    for (let i = 0; i < 40 && found == null; i++) {
      const { id, seq } = await net.nodes[i].publish(await generateKeyPair('Ed25519'), new TextEncoder().encode('looked right'))
      const replicas = net.nearest(id, R)
      const pair = readerFor(id, replicas)
      if (pair != null) found = { id, seq, replicas, ...pair }
    }
    expect(found, 'a reader with a wrong, undoubted view').to.not.equal(undefined)
    const { id, seq, replicas, reader, forwarder } = found!
    await arrange(id, replicas, reader, forwarder)
    const opened = net.connectionsOpened()
    const resolved = await reader.resolve(id, { hedgeMs: 60_000 })
    expect(resolved.seq).to.equal(seq)
    expect(net.connectionsOpened(), 'connections the resolve opened').to.equal(opened)
  })
})
