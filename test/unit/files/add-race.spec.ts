/**
 * Two adds sharing a block, the first failing: its clean-up unpins the
 * blocks it pinned first, but not one the other add needs, whether that
 * add is still storing (it claimed the block) or has finished (its pin
 * record names the block). A block only the failed add stored is still
 * unpinned. The service's puts are gated so each order happens for sure.
 */
import { expect } from 'chai'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { Files } from '../../../src/files/files.ts'
import { AddClaims } from '../../../src/files/add-claims.ts'
import { InvalidInputError } from '../../../src/errors.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { pseudorandomBytes } from './content.ts'
import type { BlockService } from '../../../src/files/blocks.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { LocalPins } from '../../../src/service/types.ts'

const CHUNK = 65_536

/** The node's service with puts held back by `gate` (called with the value, before the real put) and counted once done. */
function gated (node: Toyrrent, gate: (value: Uint8Array) => Promise<void>, done: (value: Uint8Array) => void): BlockService {
  return {
    localPins: node.localPins,
    get: node.get.bind(node),
    put: async (value, options) => {
      await gate(value)
      const result = await node.put(value, options)
      done(value)
      return result
    }
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))

describe('unit: files adds sharing a block, one failing', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  before(async () => { net = await createMemoryNetwork(5) })
  after(async () => { await net?.stop() })

  const pinned = (node: Toyrrent, block: Uint8Array): boolean => node[internals].store.meta(hashItemKey(block))?.pinned === true

  /**
   * Add A = [shared, onlyA, failing] and B = [shared, onlyB] on one node.
   * A stores `shared` first (so to A it is fresh); `failing` waits for
   * `failWhen`, then its put is refused (a final error: no retry) and A
   * fails; `onlyB` waits for `finishBWhen`.
   */
  async function race (node: Toyrrent, seed: string, bFinishesFirst: boolean): Promise<{ shared: Uint8Array, onlyA: Uint8Array, onlyB: Uint8Array, bRoot: string }> {
    const shared = pseudorandomBytes(CHUNK, `${seed}-shared`)
    const onlyA = pseudorandomBytes(CHUNK, `${seed}-a`)
    const failing = pseudorandomBytes(CHUNK, `${seed}-fail`)
    const onlyB = pseudorandomBytes(CHUNK, `${seed}-b`)
    let sharedPuts = 0
    const aHasShared = Promise.withResolvers<void>()
    const bHasShared = Promise.withResolvers<void>()
    const aFailed = Promise.withResolvers<void>()
    const bDone = Promise.withResolvers<void>()
    const service = gated(node, async value => {
      if (same(value, failing)) {
        await (bFinishesFirst ? bDone.promise : bHasShared.promise)
        throw new InvalidInputError('refused for the test')
      }
      if (same(value, onlyB) && !bFinishesFirst) await aFailed.promise
    }, value => {
      if (!same(value, shared)) return
      if (++sharedPuts === 1) aHasShared.resolve()
      else bHasShared.resolve()
    })
    const files = new Files(service)
    const a = files.add([shared, onlyA, failing])
    a.catch(() => {}).finally(() => { aFailed.resolve() })
    await aHasShared.promise
    const b = files.add([shared, onlyB])
    b.then(() => { bDone.resolve() }, () => { bDone.resolve() })
    await a.then(() => { throw new Error('add A should have failed') }, (err: Error) => { expect(err.message).to.match(/refused for the test/) })
    const added = await b
    return { shared, onlyA, onlyB, bRoot: added.cid.toString() }
  }

  it('B still adding when A fails: the shared block stays pinned (B claimed it), A\'s own block is unpinned', async () => {
    const node = net.nodes[0]
    const { shared, onlyA, onlyB, bRoot } = await race(node, 'race-1', false)
    expect(pinned(node, shared), 'shared block pinned').to.equal(true)
    expect(pinned(node, onlyB)).to.equal(true)
    expect(pinned(node, onlyA), 'the failed add\'s own block is unpinned').to.equal(false)
    expect((await new Files(node).pins.ls()).map(p => p.cid)).to.include(bRoot)
  })

  it('B finished before A fails: the shared block stays pinned (B\'s record needs it)', async () => {
    const node = net.nodes[1]
    const { shared, onlyA, onlyB } = await race(node, 'race-2', true)
    expect(pinned(node, shared), 'shared block pinned').to.equal(true)
    expect(pinned(node, onlyB)).to.equal(true)
    expect(pinned(node, onlyA)).to.equal(false)
  })

  it('a claim made while a failed add unpins the block waits for the unpin (the store that follows pins it again)', async () => {
    const key = new Uint8Array(32).fill(7)
    const unpinning = Promise.withResolvers<boolean>()
    const events: string[] = []
    const local = { isPinned: () => true, unpin: async () => { events.push('unpin started'); return unpinning.promise } } as unknown as LocalPins
    const claims = new AddClaims(local)
    await claims.claim(key)
    // the block was pinned before the claim: a failed add leaves it pinned
    expect(await claims.releaseFailed([key], async () => new Set())).to.equal(0)
    const fresh = new AddClaims({ isPinned: () => false, unpin: local.unpin } as unknown as LocalPins)
    await fresh.claim(key)
    const released = fresh.releaseFailed([key], async () => new Set())
    await new Promise(resolve => setImmediate(resolve))
    expect(events).to.deep.equal(['unpin started'])
    const second = fresh.claim(key).then(() => { events.push('claimed') })
    await new Promise(resolve => setImmediate(resolve))
    expect(events, 'the claim waits while the unpin runs').to.deep.equal(['unpin started'])
    unpinning.resolve(true)
    await second
    expect(await released).to.equal(1)
    expect(events).to.deep.equal(['unpin started', 'claimed'])
    expect(fresh.holders(key)).to.equal(1)
  })
})
