/**
 * Validators and selectors per namespace, and the store's acceptance of
 * routing records: valid by the namespace's validator, preferred by its
 * selector over a valid record held (a tie keeps what is held), unknown
 * namespaces refused.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { RoutingNamespaces } from '../../../src/routing/namespaces.ts'
import { ItemAcceptor } from '../../../src/store/accept.ts'
import { ItemStore } from '../../../src/store/item-store.ts'
import { encodeRoutingRecord, routingItemKey, decodeRoutingRecord } from '../../../src/records/routing-record.ts'
import { ipnsName, flipLastBit } from './ipns-fixtures.ts'
import { waitFor } from '../helpers.ts'
import type { Item } from '../../../src/records/item.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

function item (routingKey: Uint8Array, value: Uint8Array): Item {
  return { kind: 'routing', key: routingItemKey(routingKey), body: encodeRoutingRecord({ key: routingKey, value }), ttlSeconds: 0 }
}

describe('unit: routing namespaces', () => {
  it('ipns is built in: a valid record passes, an expired, tampered or foreign one is InvalidRecordError', async () => {
    const ns = new RoutingNamespaces()
    const name = await ipnsName()
    await ns.validate(name.routingKey, await name.record(1n))
    const expired = await name.recordUntil(2n, '/ipfs/bafkqaaa', new Date(Date.now() - 1000).toISOString())
    const other = await ipnsName()
    for (const bad of [expired, flipLastBit(await name.record(3n)), await other.record(4n), new Uint8Array([1, 2, 3])]) {
      let error: any
      await ns.validate(name.routingKey, bad).catch(err => { error = err })
      expect(error?.name).to.equal('InvalidRecordError')
      expect(error?.code).to.equal('invalid-record')
    }
  })

  it('a namespace nobody registered is UnknownNamespaceError; a registered one is used', async () => {
    const ns = new RoutingNamespaces()
    expect(() => ns.of(text('/pk/x'))).to.throw().with.property('name', 'UnknownNamespaceError')
    const custom = new RoutingNamespaces({
      pk: { validate: async (_k, v) => { if (v[0] !== 1) throw new Error('first byte must be 1') }, select: (_k, values) => values.findIndex(v => v.length === Math.max(...values.map(x => x.length))) }
    })
    await custom.validate(text('/pk/x'), Uint8Array.from([1]))
    let error: any
    await custom.validate(text('/pk/x'), Uint8Array.from([2])).catch(err => { error = err })
    expect(error?.message).to.match(/first byte must be 1/)
    expect(custom.names()).to.include.members(['ipns', 'pk'])
  })

  it('prefers: a higher IPNS sequence wins, a tie keeps what is held, the same bytes are not "preferred"', async () => {
    const ns = new RoutingNamespaces()
    const name = await ipnsName()
    const until = new Date(Date.now() + 3_600_000).toISOString()
    const one = await name.recordUntil(1n, '/ipfs/a', until)
    const two = await name.recordUntil(2n, '/ipfs/b', until)
    const twoElsewhere = await name.recordUntil(2n, '/ipfs/c', until)
    expect(ns.prefers(name.routingKey, one, two)).to.equal(true)
    expect(ns.prefers(name.routingKey, two, one)).to.equal(false)
    expect(ns.prefers(name.routingKey, two, twoElsewhere)).to.equal(false)
    expect(ns.prefers(name.routingKey, twoElsewhere, two)).to.equal(false)
    expect(ns.prefers(name.routingKey, two, two)).to.equal(false)
    // best: the same answer whatever order the values came in
    expect(ns.best(name.routingKey, [two, twoElsewhere, one])).to.deep.equal(ns.best(name.routingKey, [one, twoElsewhere, two]))
    expect(ns.version(name.routingKey, two)).to.equal(2n)
  })
})

describe('unit: a store accepting routing records', () => {
  let store: ItemStore
  let acceptor: ItemAcceptor
  beforeEach(async () => {
    store = new ItemStore(new MemoryDatastore())
    await store.open()
    acceptor = new ItemAcceptor(store, { defaultTtl: 60_000, maxStorageBytes: 1 << 20 })
  })

  const held = async (routingKey: Uint8Array): Promise<Uint8Array | undefined> => {
    const stored = await store.get(routingItemKey(routingKey))
    return stored == null ? undefined : decodeRoutingRecord(stored.body).value
  }

  it('keeps a valid record with its IPNS sequence as the item\'s version; a newer one replaces it, an older one is stale-seq', async () => {
    const name = await ipnsName()
    const two = await name.record(2n)
    expect(await acceptor.accept(item(name.routingKey, two))).to.deep.equal({})
    expect(store.meta(routingItemKey(name.routingKey))?.seq).to.equal(2n)
    expect(store.meta(routingItemKey(name.routingKey))?.kind).to.equal('routing')
    expect((await acceptor.accept(item(name.routingKey, await name.record(1n)))).refused).to.equal('stale-seq')
    expect(await held(name.routingKey)).to.deep.equal(two)
    // the same record again renews it
    expect(await acceptor.accept(item(name.routingKey, two))).to.deep.equal({})
    const three = await name.record(3n)
    expect(await acceptor.accept(item(name.routingKey, three))).to.deep.equal({})
    expect(await held(name.routingKey)).to.deep.equal(three)
    expect(store.meta(routingItemKey(name.routingKey))?.seq).to.equal(3n)
  })

  it('refuses forged, expired, foreign-namespace and mis-keyed records, changing nothing', async () => {
    const name = await ipnsName()
    const good = await name.record(5n)
    await acceptor.accept(item(name.routingKey, good))
    const expired = await name.recordUntil(9n, '/ipfs/x', new Date(Date.now() - 1000).toISOString())
    expect((await acceptor.accept(item(name.routingKey, flipLastBit(await name.record(6n))))).refused).to.equal('invalid-record')
    expect((await acceptor.accept(item(name.routingKey, expired))).refused).to.equal('invalid-record')
    expect((await acceptor.accept(item(text('/nope/x'), text('v')))).refused).to.equal('unknown-namespace')
    const misKeyed = { ...item(name.routingKey, await name.record(7n)), key: routingItemKey(text('/ipns/other')) }
    expect((await acceptor.accept(misKeyed)).refused).to.equal('bad-request')
    expect(await held(name.routingKey)).to.deep.equal(good)
    expect(store.size).to.equal(1)
  })

  it('a held record that has since expired gives way to any valid one, even a lower sequence', async () => {
    const name = await ipnsName()
    const soon = new Date(Date.now() + 300).toISOString()
    const expiring = await name.recordUntil(9n, '/ipfs/old', soon)
    expect(await acceptor.accept(item(name.routingKey, expiring))).to.deep.equal({})
    await waitFor('the held record to expire', () => Date.now() > Date.parse(soon) + 5, 5000)
    const lower = await name.record(2n)
    expect(await acceptor.accept(item(name.routingKey, lower))).to.deep.equal({})
    expect(await held(name.routingKey)).to.deep.equal(lower)
  })
})
