/**
 * An item whose body cannot be read back from the value log (a garbled
 * record) is dropped by the store, so the node no longer counts as its
 * holder: a read goes to the network, repair puts a good copy back where the
 * node is among the R nearest, and a pinned item of the node's own is
 * fetched again at once and kept pinned (src/store/item-store.ts,
 * src/service/restore-pinned.ts). Before, every read of it threw and a
 * repair's STORE of a good copy failed on reading the old one.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { RECORD_HEADER_BYTES } from '../../../src/store/log-record.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { waitFor } from '../helpers.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'

const R = 3

/** Flip one byte of `key`'s body where `node`'s value log keeps it. */
async function garble (node: Toyrrent, dir: string, key: Uint8Array): Promise<void> {
  const at = node[internals].store.meta(key)?.at
  if (at == null) throw new Error('the item is not in the value log')
  const fh = await open(join(dir, `${String(at.segment).padStart(6, '0')}.log`), 'r+')
  try {
    const byte = new Uint8Array(1)
    await fh.read(byte, 0, 1, at.offset + RECORD_HEADER_BYTES + 7)
    byte[0] ^= 0xff
    await fh.write(byte, 0, 1, at.offset + RECORD_HEADER_BYTES + 7)
  } finally {
    await fh.close()
  }
}

describe('unit: items unreadable on disk', function () {
  this.timeout(60_000)
  let net: MemoryNetwork | undefined
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'toyrrent-unreadable-')) })
  afterEach(async () => {
    await net?.stop()
    net = undefined
    await rm(dir, { recursive: true, force: true })
  })

  it('a pinned item of our own is read from the network, then fetched again and kept pinned', async () => {
    net = await createMemoryNetwork(6, { repairInterval: 3600_000 })
    const node = await net.add({ valueLogDir: dir })
    const value = new Uint8Array(randomBytes(2000))
    const { key } = await node.put(value)
    const store = node[internals].store
    expect(store.meta(key)?.pinned).to.equal(true)
    await garble(node, dir, key)

    expect(await node.get(key)).to.deep.equal(value)
    await waitFor('the pinned item back on disk', () => node.stats().unreadable.restored === 1, 10_000)
    expect(node.stats().unreadable).to.deep.equal({ dropped: 1, restored: 1, failed: 0 })
    expect(store.meta(key)?.pinned).to.equal(true)
    expect((await store.get(key))?.body).to.deep.equal(value)
  })

  it('a replica held as one of the R nearest is dropped, served by the others, and put back by repair', async () => {
    net = await createMemoryNetwork(6, { repairInterval: 3600_000 })
    const node = await net.add({ valueLogDir: dir })
    // a value whose R nearest include our node (about half of them at 7 nodes)
    let value = new Uint8Array(randomBytes(2000))
    for (let i = 0; i < 200 && !net.nearest(hashItemKey(value), R).includes(node); i++) value = new Uint8Array(randomBytes(2000))
    const writer = net.nodes.find(n => n !== node)!
    const { key } = await writer.put(value)
    expect(net.nearest(key, R)).to.include(node)
    await waitFor('our node holds its replica', () => node[internals].store.has(key), 5000)
    await garble(node, dir, key)

    // another node's read may ask ours first: it must still get the value
    const reader = net.nodes.find(n => n !== node && n !== writer && !n[internals].store.has(key))!
    expect(await reader.get(key)).to.deep.equal(value)
    // our own read drops the copy (not pinned here) and is served by the other replicas
    expect(await node.get(key)).to.deep.equal(value)
    expect(node.stats().unreadable.dropped).to.equal(1)
    expect(node[internals].store.has(key)).to.equal(false)

    await waitFor('repair puts a good copy back', async () => {
      await Promise.all(net!.nodes.map(async n => n.repair()))
      return node[internals].store.has(key)
    }, 20_000)
    expect((await node[internals].store.get(key))?.body).to.deep.equal(value)
    expect(node.stats().unreadable).to.deep.equal({ dropped: 1, restored: 0, failed: 0 })
  })
})
