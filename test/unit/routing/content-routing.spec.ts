/**
 * Routing records on the in-memory network, through the service's libp2p
 * content routing: put/get from any node, a read quorum of the replica set,
 * and the record kept on its R nearest like any other item — restored by
 * repair after a crash, brought up to date on a stale replica, handed to a
 * newcomer among the R nearest.
 */
import { expect } from 'chai'
import { contentRoutingSymbol } from '@libp2p/interface'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { decodeRoutingRecord, encodeRoutingRecord, routingItemKey } from '../../../src/records/routing-record.ts'
import { kindNumber } from '../../../src/store/item-store.ts'
import { unmarshalIPNSRecord } from 'ipns'
import { ipnsName } from './ipns-fixtures.ts'
import { waitFor } from '../helpers.ts'
import type { IpnsName } from './ipns-fixtures.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { ContentRouting } from '@libp2p/interface'

const R = 3
const routing = (node: Toyrrent): ContentRouting => node[contentRoutingSymbol] as ContentRouting

/** The IPNS sequence `node` holds for the name (undefined: none). */
async function sequenceOn (node: Toyrrent, name: IpnsName): Promise<bigint | undefined> {
  const stored = await node[internals].store.get(routingItemKey(name.routingKey))
  return stored == null ? undefined : unmarshalIPNSRecord(decodeRoutingRecord(stored.body).value).sequence
}

async function repairAll (net: MemoryNetwork): Promise<void> {
  await Promise.all(net.nodes.map(async n => n.repair()))
}

describe('unit: routing records on the in-memory network', () => {
  let net: MemoryNetwork
  beforeEach(async () => { net = await createMemoryNetwork(12) })
  afterEach(async () => { await net?.stop() })

  it('a record put from one node is read from any other, and lands on its R nearest', async () => {
    const name = await ipnsName()
    const record = await name.record(1n)
    await routing(net.nodes[0]).put(name.routingKey, record)
    for (const node of [net.nodes[5], net.nodes[11]]) expect(await routing(node).get(name.routingKey)).to.deep.equal(record)
    const nearest = net.nearest(routingItemKey(name.routingKey), R)
    expect((await Promise.all(nearest.map(async n => sequenceOn(n, name)))).filter(s => s === 1n).length).to.be.at.least(2)
  })

  it('a read needs a read quorum of the replica set: with two of three replicas down it is insufficient-peers, not not-found', async () => {
    const name = await ipnsName()
    await routing(net.nodes[0]).put(name.routingKey, await name.record(1n))
    const nearest = net.nearest(routingItemKey(name.routingKey), R)
    const reader = net.nodes.find(n => !nearest.includes(n))!
    net.down(nearest[0])
    net.down(nearest[1])
    let error: any
    await routing(reader).get(name.routingKey).catch(err => { error = err })
    expect(error?.name).to.equal('InsufficientPeersError')
  })

  it('repair restores the record on a replica that lost it, and updates a replica holding an older one', async () => {
    const name = await ipnsName()
    await routing(net.nodes[0]).put(name.routingKey, await name.record(1n))
    await repairAll(net)
    const nearest = net.nearest(routingItemKey(name.routingKey), R)
    for (const n of nearest) expect(await sequenceOn(n, name)).to.equal(1n)
    // a newer record reaches two replicas only; the third keeps seq 1 and the digest (key, IPNS sequence) tells them apart
    const lagging = nearest[2]
    net.down(lagging)
    await routing(net.nodes.find(n => n !== lagging)!).put(name.routingKey, await name.record(2n))
    net.up(lagging)
    expect(await sequenceOn(lagging, name)).to.equal(1n)
    // and another replica loses its copy altogether
    await nearest[0][internals].store.delete(routingItemKey(name.routingKey))
    await repairAll(net)
    for (const n of nearest) expect(await sequenceOn(n, name), `replica ${net.peerId(n)}`).to.equal(2n)
  })

  it('a newcomer among the R nearest of a record takes it over when it joins', async () => {
    const names = await Promise.all(Array.from({ length: 24 }, async () => ipnsName()))
    await Promise.all(names.map(async (name, i) => { await routing(net.nodes[i % net.nodes.length]).put(name.routingKey, await name.record(1n)) }))
    await repairAll(net)
    let covered = 0
    for (let i = 0; i < 3; i++) {
      const newcomer = await net.add()
      for (const name of names) {
        if (!net.nearest(routingItemKey(name.routingKey), R).includes(newcomer)) continue
        covered++
        expect(await sequenceOn(newcomer, name)).to.equal(1n)
      }
    }
    expect(covered, 'no newcomer was among the R nearest of any record: nothing was handed over').to.be.greaterThan(0)
  })

  it('a replica that leaves hands its records to the next nearest before it stops', async () => {
    const names = await Promise.all(Array.from({ length: 12 }, async () => ipnsName()))
    await Promise.all(names.map(async (name, i) => { await routing(net.nodes[i % net.nodes.length]).put(name.routingKey, await name.record(4n)) }))
    await repairAll(net)
    const leaver = net.nodes.reduce((most, n) => n[internals].store.size > most[internals].store.size ? n : most)
    const held = names.filter(name => leaver[internals].store.has(routingItemKey(name.routingKey)))
    expect(held.length).to.be.greaterThan(0)
    await net.leave(leaver)
    // no repair has run: the handoff alone put every record on its R nearest remaining nodes
    for (const name of held) {
      for (const n of net.nearest(routingItemKey(name.routingKey), R)) expect(await sequenceOn(n, name)).to.equal(4n)
    }
  })

  it('a stored record nobody can validate any more is not served: an expired IPNS record reads as not found', async () => {
    const name = await ipnsName()
    const soon = new Date(Date.now() + 300).toISOString()
    await routing(net.nodes[0]).put(name.routingKey, await name.recordUntil(1n, '/ipfs/x', soon))
    await waitFor('the record to expire', () => Date.now() > Date.parse(soon) + 5, 5000)
    let error: any
    await routing(net.nodes[7]).get(name.routingKey).catch(err => { error = err })
    expect(error?.name).to.equal('NotFoundError')
  })

  it('a routing record is kept as item kind 2 (protocols/store.proto)', async () => {
    const name = await ipnsName()
    const node = net.nodes[0]
    const result = await node[internals].acceptor.accept({ kind: 'routing', key: routingItemKey(name.routingKey), body: encodeRoutingRecord({ key: name.routingKey, value: await name.record(1n) }), ttlSeconds: 0 })
    expect(result).to.deep.equal({})
    expect(node[internals].store.meta(routingItemKey(name.routingKey))?.kind).to.equal('routing')
    expect(kindNumber('routing')).to.equal(2)
  })

  it('provider records: refused by default; with providerRecords "skip" the router has no provide/findProviders, so libp2p asks only other routers', async () => {
    const refusing = routing(net.nodes[0])
    let error: any
    await refusing.provide(undefined as any).catch(err => { error = err })
    expect(error?.name).to.equal('UnsupportedOperationError')
    const skipping = await net.add({ providerRecords: 'skip' })
    const partial = skipping[contentRoutingSymbol]
    expect(partial.provide).to.equal(undefined)
    expect(partial.findProviders).to.equal(undefined)
    expect(partial.put).to.be.a('function')
    expect(partial.get).to.be.a('function')
  })

  it('a hash-item get of a routing record\'s key is wrong-kind, on a replica and elsewhere', async () => {
    const name = await ipnsName()
    await routing(net.nodes[0]).put(name.routingKey, await name.record(1n))
    const id = routingItemKey(name.routingKey)
    const replica = net.nearest(id, 1)[0]
    const elsewhere = net.nodes.find(n => !net.nearest(id, R).includes(n) && !n[internals].store.has(id))!
    for (const node of [replica, elsewhere]) {
      let error: any
      await node.get(id).catch(err => { error = err })
      expect(error?.name, `get on ${net.peerId(node)}`).to.equal('WrongKindError')
      expect(error?.message).to.match(/routing record key/)
    }
  })
})
