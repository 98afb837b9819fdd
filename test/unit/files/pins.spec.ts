/**
 * Pins on the in-memory network: an added file's blocks are pinned on the
 * adder; pin add fetches and keeps a whole DAG; pin rm unpins only blocks
 * no other pin needs, which then expire like others' items; a put is listed
 * as a single pinned item; stats count pinned bytes; records live in the
 * node's datastore.
 */
import { expect } from 'chai'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { internals } from '../../../src/service/toyrrent.ts'
import { Files, filesOf } from '../../../src/files/files.ts'
import { dagBlocks } from '../../../src/files/dag.ts'
import { blockKey } from '../../../src/files/blocks.ts'
import { pseudorandom, pseudorandomBytes } from './content.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { Toyrrent } from '../../../src/service/toyrrent.ts'
import type { CID } from 'multiformats/cid'

describe('unit: files pins', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  before(async () => { net = await createMemoryNetwork(6) })
  after(async () => { await net?.stop() })

  async function keysOf (files: Files, root: CID): Promise<Uint8Array[]> {
    const keys: Uint8Array[] = []
    for await (const b of dagBlocks(root, files.load, { leaves: false })) keys.push(blockKey(b.cid))
    return keys
  }
  const meta = (node: Toyrrent, key: Uint8Array) => node[internals].store.meta(key)

  it('add pins every block of the file on the adder and records the root', async () => {
    const node = net.nodes[0]
    const files = filesOf(node)
    const added = await files.add(pseudorandom(300_000, 'pin-a'))
    const keys = await keysOf(files, added.cid)
    expect(keys).to.have.length(added.blocks)
    for (const key of keys) expect(meta(node, key)?.pinned).to.equal(true)
    const pins = await files.pins.ls()
    expect(pins.find(p => p.cid === added.cid.toString())).to.include({ type: 'dag', blocks: 6 })
    expect(node.stats().pinnedBytes).to.be.at.least(300_000)
  })

  it('pin add on another node fetches and keeps the whole DAG; the record is in the datastore', async () => {
    const added = await filesOf(net.nodes[0]).add(pseudorandom(200_000, 'pin-b'))
    const other = net.nodes[4]
    const record = await filesOf(other).pins.add(added.cid)
    expect(record.blocks).to.equal(added.blocks)
    for (const key of await keysOf(filesOf(other), added.cid)) expect(meta(other, key)?.pinned).to.equal(true)
    // a fresh Files over the same node (as after a restart) reads the record back from the datastore
    const again = new Files(other)
    expect((await again.pins.ls()).map(p => p.cid)).to.include(added.cid.toString())
  })

  it('pin rm unpins only the blocks no other pin needs; they then expire like others\' items', async () => {
    const node = net.nodes[1]
    const files = filesOf(node)
    const shared = pseudorandomBytes(65_536, 'shared-chunk')
    const a = await files.add([shared, pseudorandomBytes(65_536, 'only-a')])
    const b = await files.add([shared, pseudorandomBytes(65_536, 'only-b')])
    const sharedKey = blockKey(await firstLeaf(files, a.cid)) // the first chunk, the same in both files
    const onlyA = (await keysOf(files, a.cid)).filter(k => !Buffer.from(k).equals(Buffer.from(sharedKey)))
    const { unpinned } = await files.pins.rm(a.cid)
    expect(unpinned).to.equal(2) // a's root and its own leaf
    expect(meta(node, sharedKey)?.pinned).to.equal(true)
    for (const key of onlyA) {
      const m = meta(node, key)
      expect(m?.pinned).to.equal(false)
      expect(Number(m?.expiresAt)).to.be.greaterThan(Date.now())
    }
    const listed = (await files.pins.ls()).map(p => p.cid)
    expect(listed).to.not.include(a.cid.toString())
    expect(listed).to.include(b.cid.toString())
  })

  it('a put is listed as one pinned item, and pin rm of it unpins it', async () => {
    const node = net.nodes[2]
    const { cid, key } = await node.put(pseudorandomBytes(1000, 'a put'))
    const files = filesOf(node)
    expect(await files.pins.ls()).to.deep.include({ cid, type: 'item', blocks: 1, bytes: meta(node, key)?.bytes, pinnedAt: 0 })
    await files.pins.rm((await import('../../../src/files/blocks.ts')).parseCid(cid))
    expect(meta(node, key)?.pinned).to.equal(false)
    expect((await files.pins.ls()).map(p => p.cid)).to.not.include(cid)
  })

  it('pin rm of something not pinned is NotFoundError and changes nothing', async () => {
    const files = filesOf(net.nodes[3])
    const before = await files.pins.ls()
    const added = await filesOf(net.nodes[0]).add(pseudorandom(1000, 'not here'))
    const err = await files.pins.rm(added.cid).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('NotFoundError')
    expect(await files.pins.ls()).to.deep.equal(before)
  })
})

async function firstLeaf (files: Files, root: CID): Promise<CID> {
  for await (const b of dagBlocks(root, files.load, { leaves: false })) if (b.cid.code === 0x55) return b.cid
  throw new Error('no leaf')
}
