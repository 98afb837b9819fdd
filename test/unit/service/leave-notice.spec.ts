/**
 * A graceful leave is announced (LEAVE, protocols/rpc.md): on the in-memory
 * network the other nodes drop the leaver at once, with no request to it
 * failing first; a read whose R nearest included two leavers succeeds right
 * away, also when a node that missed the notice still names them; the
 * sender bounds the notice and ignores peers that do not know LEAVE; the
 * receiver's memory of leaves ends on a fresh connection, on expiry, and is
 * bounded.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { DepartedPeers } from '../../../src/service/departed-peers.ts'
import { announceLeave } from '../../../src/service/leave-notice.ts'
import { RemoteRejectedError } from '../../../src/errors.ts'
import { randomPeerId, randomPeers, within } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { PeerRpc } from '../../../src/rpc/peer-rpc.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { Clock } from '../../../src/clock.ts'
import type { PeerId } from '@libp2p/interface'

const R = 3

describe('unit: graceful leave notice (LEAVE)', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  afterEach(async () => { await net?.stop() })

  /** Of `nodes`, those whose table (members or replacements) names the peer `id`. */
  const holdersOf = (nodes: Toyrrent[], id: PeerId): Toyrrent[] =>
    nodes.filter(n => n[internals].table.closestWithWaiting(peerPosition(id), 1000).some(e => e.peerId.equals(id)))

  it('the others drop a node that leaves gracefully at once, before any request to it fails', async () => {
    net = await createMemoryNetwork(12, { replicas: R })
    const leaver = net.nodes[5]
    const leaverId = net.peerId(leaver)
    const others = net.nodes.filter(n => n !== leaver)
    const knewIt = holdersOf(others, leaverId)
    expect(knewIt.length, 'nodes whose table held the leaver before it left').to.be.greaterThan(5)
    const refusedBefore = net.stats.refused
    await net.leave(leaver)
    expect(holdersOf(others, leaverId).map(n => net.peerId(n).toString()), 'tables still naming the leaver').to.deep.equal([])
    // nobody found out by asking it
    expect(net.stats.refused).to.equal(refusedBefore)
  })

  it('a read whose R nearest included two leavers succeeds at once, also when a node that missed the notice still names them', async () => {
    net = await createMemoryNetwork(12, { replicas: R, writeQuorum: 2 })
    const key = await generateKeyPair('Ed25519')
    const { id } = await net.nodes[0].publish(key, new TextEncoder().encode('still here'))
    const [l1, l2, missed] = net.nearest(id, 3)
    const [id1, id2] = [net.peerId(l1), net.peerId(l2)]
    const reader = net.nearest(id).slice(5).find(n => n !== net.nodes[0])!
    // the reader would ask the two leavers first: its table holds them
    expect(holdersOf([reader], id1)).to.have.length(1)
    expect(holdersOf([reader], id2)).to.have.length(1)
    // `missed` is down while they leave: it never hears the notice and keeps naming them
    net.down(missed)
    await net.leave(l1)
    await net.leave(l2)
    net.up(missed)
    expect(holdersOf([missed], id1)).to.have.length(1)
    const refusedBefore = net.stats.refused
    const resolved = await within(5_000, reader.resolve(id), 'the resolve')
    expect(new TextDecoder().decode(resolved.value)).to.equal('still here')
    // the answers of `missed` named both leavers, and the reader asked neither
    expect(net.stats.refused).to.equal(refusedBefore)
  })

  it('the sender ignores peers that answer UNKNOWN_TYPE or never answer, and stops at its deadline', async () => {
    const self = await randomPeerId()
    const table = new PeerTable(self)
    const peers = await randomPeers(40)
    for (const p of peers) table.add(p.peerId, [])
    const asked: FoundPeer[] = []
    const rpc = {
      leave: async (peer: FoundPeer, options: { signal?: AbortSignal }) => {
        asked.push(peer)
        const i = peers.findIndex(p => p.peerId.equals(peer.peerId))
        if (i % 3 === 0) throw new RemoteRejectedError('unknown request type 10', 'unknown-type')
        if (i % 3 === 1) return
        // silent: only the notice's deadline ends it
        await new Promise((_resolve, reject) => { options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true }) })
      }
    } as unknown as PeerRpc
    const started = Date.now()
    const result = await announceLeave({ rpc, table, connectedPeers: async () => [], concurrency: 64 }, undefined, 300)
    expect(Date.now() - started).to.be.lessThan(2_000)
    expect(table.size).to.be.greaterThan(0)
    expect(asked.length).to.equal(table.size)
    expect(result.peers).to.equal(table.size)
    expect(result.told + result.unknownType + result.failed).to.equal(result.peers)
    expect(result.unknownType).to.be.greaterThan(0)
    expect(result.failed).to.be.greaterThan(0)
  })

  it('a leave is remembered until a fresh connection, its expiry, or the bound', async () => {
    let now = 1_000_000
    const clock = { now: () => now } as unknown as Clock
    const departed = new DepartedPeers(clock, 60_000, 2)
    const [a, b, c] = await Promise.all([randomPeerId(), randomPeerId(), randomPeerId()])
    departed.mark(a, ['conn-1'])
    expect(departed.has(a)).to.equal(true)
    // identify on the connection open at the leave, or one we cannot tell: still out
    expect(departed.connected(a, 'conn-1')).to.equal(true)
    expect(departed.connected(a)).to.equal(true)
    // a new connection (the node restarted with the same key): back at once
    expect(departed.connected(a, 'conn-2')).to.equal(false)
    expect(departed.has(a)).to.equal(false)
    departed.mark(a, [])
    now += 60_001
    expect(departed.has(a)).to.equal(false)
    departed.mark(a, [])
    departed.mark(b, [])
    departed.mark(c, [])
    expect(departed.size).to.equal(2)
    expect(departed.has(a)).to.equal(false)
    expect(departed.has(c)).to.equal(true)
  })
})
