/**
 * Helia reads toyrrent: a file imported as a UnixFS DAG (CIDv1, raw 64 KiB
 * leaves) whose blocks are hash items on a toyrrent network is read with
 * @helia/unixfs `cat` by a Helia node whose only block broker is toyrrent,
 * block by block, verified, byte for byte.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { unixfs } from '@helia/unixfs'
import { importBytes } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { equals } from 'uint8arrays/equals'
import { concat } from 'uint8arrays/concat'
import { createTestnet, dialAddr } from '../helpers/testnet.ts'
import { createToyrrentHelia } from '../helpers/helia.ts'
import { ToyrrentBlockBroker } from '../../src/helia/index.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentHelia } from '../helpers/helia.ts'
import type { ToyrrentNode } from '../../src/node.ts'

async function all (source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const chunk of source) out.push(chunk)
  return out
}

/** Import `bytes` as UnixFS (the layout of `ipfs add --cid-version=1 --raw-leaves --chunker=size-65536`), each block a toyrrent hash item. */
async function addFile (node: ToyrrentNode, bytes: Uint8Array): Promise<{ root: CID, blocks: CID[] }> {
  const blocks: CID[] = []
  const { cid } = await importBytes(bytes, {
    put: async (cid, content) => {
      const block = content instanceof Uint8Array ? content : concat(await all(content))
      const { key } = await node.toyrrent.put(block, { signal: AbortSignal.timeout(20_000) })
      // toyrrent's key is the SHA-256 of the block: the CID's multihash digest
      if (!equals(key, cid.multihash.digest)) throw new Error(`block ${cid} stored under another key`)
      blocks.push(cid)
      return cid
    }
  }, { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 65_536 }) })
  return { root: cid, blocks }
}

describe('Helia reads files stored in toyrrent', function () {
  this.timeout(120_000)
  let net: Testnet
  let reader: ToyrrentHelia

  before(async () => {
    net = await createTestnet(5, { repairInterval: 0, refreshInterval: 0 })
    reader = await createToyrrentHelia(dialAddr(net.nodes[4]), { repairInterval: 0, refreshInterval: 0 })
  })
  after(async () => {
    await reader?.stop()
    await net?.stop()
  })

  it('@helia/unixfs cat of a file added on another toyrrent node returns the exact bytes', async () => {
    // five full leaves and a short one: a dag-pb root over six raw blocks
    const file = randomBytes(5 * 65_536 + 12_345)
    const { root, blocks } = await addFile(net.nodes[1], file)
    expect(blocks).to.have.length(7)
    expect(root.code).to.equal(0x70) // dag-pb
    // the reader holds none of it before the cat
    for (const cid of blocks) expect(await reader.blockstore.has(cid)).to.equal(false)

    const chunks: Uint8Array[] = []
    for await (const chunk of unixfs(reader).cat(root, { signal: AbortSignal.timeout(30_000) })) chunks.push(chunk)
    const read = concat(chunks)
    expect(read.byteLength).to.equal(file.byteLength)
    expect(equals(read, file)).to.equal(true)
    // every block came through toyrrent into the reader's blockstore
    for (const cid of blocks) expect(await reader.blockstore.has(cid)).to.equal(true)
  })

  it('a small file that is one raw block reads too, and a block toyrrent does not hold is NotFoundError', async () => {
    const file = randomBytes(1000)
    const { root } = await addFile(net.nodes[2], file)
    expect(root.code).to.equal(raw.code)
    const chunks: Uint8Array[] = []
    for await (const chunk of unixfs(reader).cat(root, { signal: AbortSignal.timeout(30_000) })) chunks.push(chunk)
    expect(equals(concat(chunks), file)).to.equal(true)

    const broker = new ToyrrentBlockBroker({ toyrrent: reader.libp2p.services.toyrrent })
    const absent = CID.createV1(raw.code, await sha256.digest(randomBytes(100)))
    let error: Error | undefined
    await broker.retrieve(absent, { signal: AbortSignal.timeout(20_000) }).catch((err: Error) => { error = err })
    expect(error?.name).to.equal('NotFoundError')
  })
})
