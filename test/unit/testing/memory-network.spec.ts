/**
 * The in-memory test network itself: nodes join as real ones do, every
 * exchange goes through the target's server (queue and dispatch), faults
 * (down, partition, delay, removal) look to the service as they would on a
 * real network, and stop() ends everything.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { ConnectionRefusedError } from '../../../src/testing/memory-transport.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { Frame, ItemKind, Status } from '../../../src/rpc/pb/rpc.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import { waitFor, within } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { Exchange } from '../../../src/rpc/channel.ts'

const findFrame = (target: Uint8Array): Partial<Frame> => ({ type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: target as Uint8Array<ArrayBuffer>, n: 3 } })

async function rejection (promise: Promise<unknown>): Promise<Error> {
  return within(2000, promise).then(() => { throw new Error('expected a rejection') }, (err: Error) => err)
}

describe('unit: the in-memory test network', () => {
  let net: MemoryNetwork
  const found = (node: Toyrrent): FoundPeer => ({ peerId: net.peerId(node), multiaddrs: [], position: peerPosition(net.peerId(node)) })
  const ids = (nodes: Toyrrent[]): string[] => nodes.map(n => net.peerId(n).toString())

  before(async () => { net = await createMemoryNetwork(16) })
  after(async () => { await net?.stop() })

  it('forms a network on which find_before_n is exact from every node', async () => {
    for (let i = 0; i < 12; i++) {
      const target = new Uint8Array(randomBytes(32))
      const from = net.nodes[i % net.nodes.length]
      const peers = await from.findBeforeN(target, 5)
      expect(peers.map(p => p.peerId.toString())).to.deep.equal(ids(net.nearest(target, 5)))
    }
  })

  it('both sides of a join heard of each other: every node knows its nearest neighbours', () => {
    for (const node of net.nodes) {
      const me = peerPosition(net.peerId(node))
      const nearest = net.nearest(me, 4).filter(n => n !== node)
      for (const other of nearest) expect(node[internals].table.get(net.peerId(other)), 'a near neighbour missing from a table').to.not.equal(undefined)
    }
  })

  it('an exchange runs through the target\'s inbound queue and handlers; bytes are the encoded frames', async () => {
    const [a, b] = net.nodes
    const doneBefore = b[internals].inbound.stats().done
    const statsBefore = { ...net.stats }
    const frame = findFrame(new Uint8Array(32))
    const { response, bytes } = await net.transport(a).exchange(found(b), frame, { timeout: 1000 })
    expect(response.response).to.equal(true)
    expect(response.status).to.equal(Status.OK)
    expect(response.findBeforeNResponse?.peers).to.have.length(3)
    expect(b[internals].inbound.stats().done).to.equal(doneBefore + 1)
    expect(net.stats.exchanges).to.equal(statsBefore.exchanges + 1)
    // request and response as encoded (the request with its id, a few bytes)
    expect(bytes).to.be.within(Frame.encode(frame).byteLength + Frame.encode(response).byteLength, Frame.encode(frame).byteLength + Frame.encode(response).byteLength + 12)
    expect(net.stats.bytes - statsBefore.bytes).to.equal(bytes)
  })

  it('a bad request is answered by the handler, not thrown', async () => {
    const [a, b] = net.nodes
    const { response } = await net.transport(a).exchange(found(b), { type: Frame.Type.FIND_BEFORE_N, findBeforeNRequest: { target: new Uint8Array(3), n: 3 } }, { timeout: 1000 })
    expect(response.status).to.equal(Status.BAD_REQUEST)
  })

  it('a node learns of the nodes that ask it, as over a libp2p connection', async () => {
    // a newcomer connects to one of two nodes; the other hears of it only by being asked (its join lookup)
    const small = await createMemoryNetwork(2)
    try {
      const newcomer = await small.add()
      for (const old of small.nodes.slice(0, 2)) expect(old[internals].table.get(small.peerId(newcomer))).to.not.equal(undefined)
    } finally {
      await small.stop()
    }
  })

  describe('faults', () => {
    let faulty: MemoryNetwork
    beforeEach(async () => { faulty = await createMemoryNetwork(8, {}, { refresh: false }) })
    afterEach(async () => { await faulty.stop() })
    const peerOf = (node: Toyrrent): FoundPeer => ({ peerId: faulty.peerId(node), multiaddrs: [], position: peerPosition(faulty.peerId(node)) })

    it('a node that is down is refused at once, and the failure rule takes it out of the asker\'s table', async () => {
      const [a, b] = faulty.nodes
      expect(a[internals].table.get(faulty.peerId(b))).to.not.equal(undefined)
      faulty.down(b)
      const err = await rejection(faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 1000 }))
      expect(err).to.be.instanceOf(ConnectionRefusedError)
      expect(err.name).to.equal('ConnectionRefusedError')
      // a lookup from a asks b (its own position's nearest is b itself) and drops it
      const peers = await a.findBeforeN(peerPosition(faulty.peerId(b)), 3)
      expect(peers.map(p => p.peerId.toString())).to.not.include(faulty.peerId(b).toString())
      expect(a[internals].table.get(faulty.peerId(b))).to.equal(undefined)
      faulty.up(b)
      const { response } = await faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 1000 })
      expect(response.status).to.equal(Status.OK)
    })

    it('a request in flight to a node that goes down fails (reset), and never runs there', async () => {
      const [a, b] = faulty.nodes
      // hold every worker of b's queue so the request waits in it
      const queue = b[internals].inbound
      const gate = Promise.withResolvers<void>()
      for (let i = 0; i < queue.concurrency; i++) queue.push(`blocker-${i}`, async () => gate.promise)
      const value = new TextEncoder().encode('never stored')
      const item = { kind: ItemKind.HASH, key: hashItemKey(value) as Uint8Array<ArrayBuffer>, body: value, ttlSeconds: 0 }
      const pending = faulty.transport(a).exchange(peerOf(b), { type: Frame.Type.STORE, storeRequest: { item: { ...item, acceptors: [] }, closerCount: 0 } }, { timeout: 2000 })
      await waitFor('the request to be queued', () => queue.stats().queued > 0, 1000)
      faulty.down(b)
      const err = await rejection(pending)
      expect(err.name).to.equal('ConnectionResetError')
      gate.resolve()
      await queue.onIdle()
      expect(b[internals].store.has(item.key)).to.equal(false)
    })

    it('a partition: nodes reach only their own side until healed', async () => {
      const [a, b, c] = faulty.nodes
      faulty.partition([a], [b, c])
      expect((await rejection(faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 1000 }))).name).to.equal('ConnectionRefusedError')
      expect((await faulty.transport(b).exchange(peerOf(c), findFrame(new Uint8Array(32)), { timeout: 1000 })).response.status).to.equal(Status.OK)
      faulty.heal()
      expect((await faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 1000 })).response.status).to.equal(Status.OK)
    })

    it('delay: an exchange takes at least the delay; past its timeout it fails with TimeoutError', async () => {
      const [a, b] = faulty.nodes
      faulty.setDelay(40)
      const started = performance.now()
      await faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 1000 })
      expect(performance.now() - started).to.be.at.least(38)
      const err = await rejection(faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 10 }))
      expect(err.name).to.equal('TimeoutError')
    })

    it('the caller\'s signal aborts an exchange with its reason', async () => {
      const [a, b] = faulty.nodes
      faulty.setDelay(200)
      const reason = new Error('gave up')
      const controller = new AbortController()
      const pending = faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 1000, signal: controller.signal })
      controller.abort(reason)
      expect(await rejection(pending)).to.equal(reason)
      expect(await rejection(faulty.transport(a).exchange(peerOf(b), findFrame(new Uint8Array(32)), { timeout: 1000, signal: controller.signal }))).to.equal(reason)
    })

    it('the target\'s queue limits hold: requests past its per-peer limit are answered BUSY', async () => {
      const small = await faulty.add({ inboundQueue: { concurrency: 1, maxPerPeer: 1, maxQueued: 1 } })
      const [a] = faulty.nodes
      const answers: Exchange[] = await Promise.all(Array.from({ length: 5 }, async () => faulty.transport(a).exchange(peerOf(small), findFrame(new Uint8Array(32)), { timeout: 1000 })))
      const statuses = answers.map(x => x.response.status)
      expect(statuses.filter(s => s === Status.OK)).to.have.length.at.least(1)
      expect(statuses.filter(s => s === Status.BUSY)).to.have.length.at.least(1)
    })

    it('remove(): a crashed node leaves the list and is refused; the rest still serve', async () => {
      const victim = faulty.nodes[3]
      const id = faulty.peerId(victim)
      await faulty.remove(victim)
      expect(faulty.nodes).to.not.include(victim)
      expect(victim.isStarted()).to.equal(false)
      const err = await rejection(faulty.transport(faulty.nodes[0]).exchange({ peerId: id, multiaddrs: [], position: peerPosition(id) }, findFrame(new Uint8Array(32)), { timeout: 1000 }))
      expect(err.name).to.equal('ConnectionRefusedError')
      const { key } = await faulty.nodes[0].put(new TextEncoder().encode('after a crash'))
      expect(new TextDecoder().decode(await faulty.nodes[5].get(key))).to.equal('after a crash')
    })

    it('stop(): every node stops and nothing more gets through', async () => {
      const nodes = [...faulty.nodes]
      const transport = faulty.transport(nodes[0])
      const b = peerOf(nodes[1])
      await faulty.stop()
      expect(nodes.every(n => !n.isStarted())).to.equal(true)
      expect((await rejection(transport.exchange(b, findFrame(new Uint8Array(32)), { timeout: 1000 }))).name).to.equal('ConnectionRefusedError')
      expect((await rejection(faulty.add())).message).to.contain('stopped')
    })
  })
})
