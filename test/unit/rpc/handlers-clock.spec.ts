/**
 * The handlers that read expiry and lifetimes left (HOLDS, FETCH, HANDOFF)
 * and repair's pushes use the node's injected clock, not Date.now(): a node
 * whose clock was moved (simulations, tests of expiry) answers by its own
 * time. Each check here answered by the wall clock before.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { randomBytes } from 'node:crypto'
import { ItemStore, kindNumber } from '../../../src/store/item-store.ts'
import { HoldsHandler } from '../../../src/rpc/handlers/holds.ts'
import { FetchHandler } from '../../../src/rpc/handlers/fetch.ts'
import { HandoffHandler } from '../../../src/rpc/handlers/handoff.ts'
import { RoundWork } from '../../../src/service/repair-round.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { Frame, Status } from '../../../src/rpc/pb/rpc.ts'
import { systemClock } from '../../../src/clock.ts'
import { randomPeerId, randomPeers } from '../helpers.ts'
import type { Clock } from '../../../src/clock.ts'
import type { Item } from '../../../src/records/item.ts'

const HOUR = 3600_000

/** The system clock moved `ms` ahead. */
function movedClock (ms: number): Clock {
  return { ...systemClock, now: () => Date.now() + ms }
}

describe('unit: handlers and repair read the injected clock', () => {
  let store: ItemStore
  let key: Uint8Array

  beforeEach(async () => {
    store = new ItemStore(new MemoryDatastore())
    await store.open()
    const value = new Uint8Array(randomBytes(32))
    key = hashItemKey(value)
    // by the wall clock it has an hour left
    await store.put(key, { kind: kindNumber('hash'), body: value as Uint8Array<ArrayBuffer>, pinned: false, expiresAt: BigInt(Date.now() + HOUR), storedAt: 0n, seq: 0n })
  })

  const context = async (): Promise<any> => ({ peer: await randomPeerId(), signal: AbortSignal.timeout(1000) })
  const frame = (f: Partial<Frame>): Frame => Frame.decode(Frame.encode({ id: 1n, ...f }))

  it('HOLDS: an item expired by the node\'s clock is not held', async () => {
    const ask = frame({ type: Frame.Type.HOLDS, holdsRequest: { keys: [key as Uint8Array<ArrayBuffer>] } })
    expect((await new HoldsHandler(store, systemClock).handle(ask, await context())).holdsResponse?.held.length).to.equal(1)
    expect((await new HoldsHandler(store, movedClock(2 * HOUR)).handle(ask, await context())).holdsResponse?.held.length).to.equal(0)
  })

  it('FETCH: expired by the node\'s clock is not found; the lifetime left is by its clock', async () => {
    const nearest = { shareNearest: () => [] }
    const ask = frame({ type: Frame.Type.FETCH, fetchRequest: { key: key as Uint8Array<ArrayBuffer>, closerCount: 0 } })
    expect((await new FetchHandler(nearest, store, movedClock(2 * HOUR)).handle(ask, await context())).status).to.equal(Status.NOT_FOUND)
    const half = await new FetchHandler(nearest, store, movedClock(HOUR / 2)).handle(ask, await context())
    expect(half.fetchResponse?.item?.ttlSeconds).to.be.within(1790, 1800)
  })

  it('HANDOFF: the lifetime left is by the node\'s clock', async () => {
    const handler = new HandoffHandler(store, { dueFor: () => [...store.metas()], acknowledged: () => {} }, movedClock(HOUR / 2))
    const result = await handler.handle(frame({ type: Frame.Type.HANDOFF, handoffRequest: { cursor: new Uint8Array(0), limit: 10, acked: [] } }), await context())
    expect(result.handoffResponse?.items[0].ttlSeconds).to.be.within(1790, 1800)
  })

  it('repair pushes: the lifetime left is by the node\'s clock', async () => {
    const pushed: Item[] = []
    const writer = { storeOn: async (_peer: unknown, item: Item) => { pushed.push(item) }, replicate: async () => [] }
    const work = new RoundWork({ store, writer, log: () => {}, clock: movedClock(HOUR / 2) } as any)
    const [peer] = await randomPeers(1)
    expect(await work.push(peer, store.meta(key)!, AbortSignal.timeout(1000))).to.equal(true)
    expect(pushed[0].ttlSeconds).to.be.within(1790, 1800)
  })
})
