/**
 * Our own items are republished an interval after they were placed, not at
 * the next repair round (src/service/repair.ts `republished`): before, the
 * first round after a put republished every pinned item, so about a minute
 * into a large add every block stored so far was read back and stored on its
 * replica set again. The same across a restart: when each was last placed is
 * on disk (`storedAt`, `republishedAt`), where before every start republished
 * every pinned item at its first round.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { Frame } from '../../../src/rpc/pb/rpc.ts'
import { MemoryDatastore } from 'datastore-core'
import { systemClock } from '../../../src/clock.ts'
import { waitFor } from '../helpers.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { ToyrrentInit } from '../../../src/service/options.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'

const R = 3

/** Bytes of STORE exchanges on the whole network so far. */
function storeBytes (net: MemoryNetwork): number {
  return net.stats.bytesByType[Frame.Type.STORE] ?? net.stats.bytesByType['STORE'] ?? 0
}

async function ownItems (net: MemoryNetwork, writer = net.nodes[0]): Promise<Uint8Array[]> {
  const keys: Uint8Array[] = []
  for (let i = 0; i < 20; i++) keys.push((await writer.put(new Uint8Array(randomBytes(512)))).key)
  keys.push((await writer.publish(await generateKeyPair('Ed25519'), new Uint8Array(randomBytes(64)))).id)
  await waitFor('every item on its R nearest', () => keys.every(k => net.nearest(k, R).every(n => n[internals].store.has(k))), 5000)
  return keys
}

describe('unit: republishing our own items', function () {
  this.timeout(60_000)
  let net: MemoryNetwork | undefined
  afterEach(async () => { await net?.stop(); net = undefined })

  it('a repair round right after our own puts and publishes stores none of them again', async () => {
    net = await createMemoryNetwork(10, { repairInterval: 3600_000 })
    await ownItems(net)
    const before = storeBytes(net)
    await net.nodes[0].repair()
    expect(storeBytes(net) - before, 'STORE bytes sent by the first round').to.equal(0)
  })

  it('once the interval has passed, the round republishes them (the count above can see a republish)', async () => {
    net = await createMemoryNetwork(10, { repairInterval: 3600_000, republishInterval: 1 })
    await ownItems(net)
    await new Promise(resolve => setTimeout(resolve, 5))
    const before = storeBytes(net)
    await net.nodes[0].repair()
    expect(storeBytes(net) - before, 'STORE bytes sent by the round').to.be.greaterThan(20 * 512)
  })

  describe('across a restart (the same datastore)', () => {
    const HOUR = 3600_000
    let offset = 0
    // the writer's clock, moved forward by the test
    const clock = { ...systemClock, now: () => Date.now() + offset }
    let writerInit: ToyrrentInit
    beforeEach(() => {
      offset = 0
      writerInit = { datastore: new MemoryDatastore(), clock, repairInterval: HOUR, republishInterval: HOUR }
    })

    /** Stop `writer` and start a node on its datastore (a restart; the memory network gives it a new id). */
    async function restart (writer: Toyrrent): Promise<Toyrrent> {
      await net!.remove(writer)
      return net!.add(writerInit)
    }

    /** Items `node` republishes in one repair round (repair's pushes to replicas that lack an item are not counted). */
    async function roundRepublishes (node: Toyrrent): Promise<number> {
      const before = node.stats().repair.republished
      await node.repair()
      return node.stats().repair.republished - before
    }

    it('a restart soon after the puts republishes none of them', async () => {
      net = await createMemoryNetwork(10, { repairInterval: HOUR })
      const keys = await ownItems(net, await net.add(writerInit))
      const again = await restart(net.nodes[net.nodes.length - 1])
      expect(keys.every(k => again[internals].store.meta(k)?.pinned === true), 'the pins survived').to.equal(true)
      expect(await roundRepublishes(again), 'republished by the first round after the restart').to.equal(0)
    })

    it('items due are republished after a restart, and a restart after that republish sends none again', async () => {
      net = await createMemoryNetwork(10, { repairInterval: HOUR })
      const keys = await ownItems(net, await net.add(writerInit))
      offset = 2 * HOUR
      let writer = await restart(net.nodes[net.nodes.length - 1])
      expect(await roundRepublishes(writer), 'republished once due').to.equal(keys.length)
      writer = await restart(writer)
      expect(await roundRepublishes(writer), 'republished after the next restart').to.equal(0)
    })
  })
})
