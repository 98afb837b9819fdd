/**
 * CID equivalence: a file added through toyrrent (blocks stored as hash
 * items on an in-memory network) has the root CID ipfs-unixfs-importer gives
 * with the documented options of `ipfs add --cid-version=1 --raw-leaves
 * --chunker=size-65536` (65,536-byte raw leaves, balanced, 174 links per
 * node, CIDv1), computed here against an in-memory blockstore; a file of at
 * most 64 KiB has the CID `toyrrent put` gives. The expected values come
 * from the library, not from Kubo (none is available offline).
 */
import { expect } from 'chai'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { filesOf } from '../../../src/files/files.ts'
import { hashItemKey, keyToCid } from '../../../src/records/hash-item.ts'
import { digestOf, pseudorandom } from './content.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'

const KiB64 = 65_536

/** What the library makes of the bytes with the documented options, written out here rather than taken from src/files. */
async function expectedCid (size: number, seed: string): Promise<string> {
  const options = {
    cidVersion: 1 as const,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: KiB64 }),
    layout: balanced({ maxChildrenPerNode: 174 })
  }
  let root = ''
  for await (const entry of importer([{ content: pseudorandom(size, seed) }], new MemoryBlockstore(), options)) root = entry.cid.toString()
  return root
}

describe('unit: files CID vectors (toyrrent add = ipfs-unixfs-importer with the documented options)', function () {
  this.timeout(120_000)
  let net: MemoryNetwork

  before(async () => { net = await createMemoryNetwork(6) })
  after(async () => { await net?.stop() })

  const sizes: Array<[string, number]> = [
    ['0 bytes', 0],
    ['1 byte', 1],
    ['65,535 bytes', KiB64 - 1],
    ['65,536 bytes', KiB64],
    ['65,537 bytes', KiB64 + 1],
    ['173 blocks (174 × 64 KiB − 1 block)', 173 * KiB64],
    ['174 blocks (one full interior node)', 174 * KiB64],
    ['175 blocks (174 × 64 KiB + 1 block: a second level)', 175 * KiB64]
  ]

  for (const [label, size] of sizes) {
    it(`${label}: same root CID, and the bytes read back from another node`, async () => {
      const seed = `vector-${size}`
      const added = await filesOf(net.nodes[0]).add(pseudorandom(size, seed))
      expect(added.cid.toString()).to.equal(await expectedCid(size, seed))
      expect(added.size).to.equal(size)
      const reader = filesOf(net.nodes[5])
      const entry = await reader.stat(added.cid.toString())
      expect(entry.size).to.equal(size)
      expect(await digestOf(reader.read(entry))).to.deep.equal(await digestOf(pseudorandom(size, seed)))
    })
  }

  it('a file of at most 64 KiB has the CID `toyrrent put` gives (one raw block, bafkrei...)', async () => {
    for (const size of [0, 1, KiB64 - 1, KiB64]) {
      const bytes = new Uint8Array(Buffer.concat([...pseudorandom(size, `put-${size}`)]))
      const added = await filesOf(net.nodes[1]).add([bytes])
      const put = await net.nodes[2].put(bytes)
      expect(added.cid.toString()).to.equal(put.cid).and.to.equal(keyToCid(hashItemKey(bytes)))
      expect(added.cid.toString()).to.match(/^bafkrei/)
      expect(added.blocks).to.equal(1)
    }
    // the empty file is the well-known raw CID of no bytes
    expect((await filesOf(net.nodes[1]).add([])).cid.toString()).to.equal('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')
  })

  it('65,537 bytes: a dag-pb root over two raw leaves (bafybei...), 3 blocks', async () => {
    const added = await filesOf(net.nodes[3]).add(pseudorandom(KiB64 + 1, 'two-leaves'))
    expect(added.cid.toString()).to.match(/^bafybei/)
    expect(added.blocks).to.equal(3)
  })

  it('50 MiB: same root CID (800 leaves under 5 interior nodes and a root)', async function () {
    this.timeout(180_000)
    const size = 50 * 1024 * 1024
    const added = await filesOf(net.nodes[4]).add(pseudorandom(size, 'fifty'))
    expect(added.cid.toString()).to.equal(await expectedCid(size, 'fifty'))
    expect(added.blocks).to.equal(800 + 5 + 1)
    // its bytes read back from other nodes: test/long/files-50mib.spec.ts (10 daemons)
    const root = await filesOf(net.nodes[1]).stat(added.cid.toString())
    expect(root.size).to.equal(size)
  })
})
