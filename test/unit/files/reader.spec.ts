/**
 * The file reader on DAGs of every shape the importer makes (deep ones with
 * small chunks and few links per node, raw and non-raw leaves): whole files
 * and byte ranges equal the bytes, the fetch window bounds blocks in flight
 * however slow the consumer, and a missing block is named with its position.
 */
import { expect } from 'chai'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { readFile, stat, byteRange } from '../../../src/files/reader.ts'
import { inOrder } from '../../../src/files/window.ts'
import { NotFoundError } from '../../../src/errors.ts'
import { pseudorandomBytes } from './content.ts'
import type { CID } from 'multiformats/cid'
import type { BlockLoader } from '../../../src/files/reader.ts'

async function build (bytes: Uint8Array, rawLeaves: boolean, chunk = 1000, links = 4): Promise<{ root: CID, store: MemoryBlockstore }> {
  const store = new MemoryBlockstore()
  let root: CID | undefined
  for await (const e of importer([{ content: [bytes] }], store, { cidVersion: 1, rawLeaves, reduceSingleLeafToSelf: true, chunker: fixedSize({ chunkSize: chunk }), layout: balanced({ maxChildrenPerNode: links }) })) root = e.cid
  return { root: root as CID, store }
}

function loaderOf (store: MemoryBlockstore): BlockLoader {
  return async (cid) => {
    const parts: Uint8Array[] = []
    for await (const p of store.get(cid)) parts.push(p)
    return Buffer.concat(parts)
  }
}

async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

describe('unit: files reader', () => {
  const bytes = pseudorandomBytes(70_123, 'reader')

  for (const rawLeaves of [true, false]) {
    it(`whole file and ranges of a 4-level DAG equal the bytes (${rawLeaves ? 'raw' : 'dag-pb'} leaves)`, async () => {
      const { root, store } = await build(bytes, rawLeaves)
      const load = loaderOf(store)
      const entry = await stat(root, load)
      expect(entry.type).to.equal('file')
      expect(entry.size).to.equal(bytes.byteLength)
      expect(await collect(readFile(entry, load, { window: 3 }))).to.deep.equal(bytes)
      const ranges: Array<[number, number | undefined]> = [[0, 1], [999, 2], [1000, 1000], [12_345, 40_000], [70_122, undefined], [70_000, 5000], [0, 0], [5000, undefined]]
      for (const [offset, length] of ranges) {
        const end = length == null ? bytes.byteLength : Math.min(bytes.byteLength, offset + length)
        expect(await collect(readFile(entry, load, { offset, length, window: 5 })), `${offset}+${length}`).to.deep.equal(bytes.subarray(offset, end))
      }
    })
  }

  it('a raw block is a file of its bytes', async () => {
    const { root, store } = await build(bytes.subarray(0, 500), true)
    const entry = await stat(root, loaderOf(store))
    expect(root.code).to.equal(0x55)
    expect(await collect(readFile(entry, loaderOf(store), { offset: 100, length: 50 }))).to.deep.equal(bytes.subarray(100, 150))
  })

  it('never has more than the window of leaves in flight, however slow the consumer', async () => {
    const { root, store } = await build(bytes, true)
    const inner = loaderOf(store)
    let running = 0
    let most = 0
    const load: BlockLoader = async (cid, signal) => {
      running++
      most = Math.max(most, running)
      try {
        await new Promise(resolve => setTimeout(resolve, 1))
        return await inner(cid, signal)
      } finally {
        running--
      }
    }
    const entry = await stat(root, load)
    let got = 0
    for await (const chunk of readFile(entry, load, { window: 4 })) {
      got += chunk.byteLength
      await new Promise(resolve => setTimeout(resolve, 2)) // a slow consumer
    }
    expect(got).to.equal(bytes.byteLength)
    // the window's leaves plus the one interior node the walk may be reading
    expect(most).to.be.at.most(4 + 1)
  })

  it('a missing block is an error naming the block, its CID and its bytes', async () => {
    const { root, store } = await build(bytes, true)
    const inner = loaderOf(store)
    const entry = await stat(root, inner)
    let leaves = 0
    let victim: CID | undefined
    const load: BlockLoader = async (cid, signal) => {
      if (cid.code === 0x55 && leaves++ === 7) victim = cid
      if (victim != null && cid.equals(victim)) throw new NotFoundError('nobody holds it')
      return inner(cid, signal)
    }
    const err = await collect(readFile(entry, load, { window: 2 })).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('MissingBlockError')
    expect(err?.message).to.include('block 7 (').and.include(victim?.toString()).and.include('bytes 7000-7999').and.include('nobody holds it')
    expect((err as any).code).to.equal('not-found')
  })

  it('byteRange clamps to the file and refuses negative numbers', () => {
    expect(byteRange(10, 3, 100)).to.deep.equal({ start: 3, end: 10 })
    expect(byteRange(10, 30)).to.deep.equal({ start: 10, end: 10 })
    expect(() => byteRange(10, -1)).to.throw(/offset/)
  })

  it('inOrder yields in input order and stops the rest when the consumer leaves', async () => {
    const out: number[] = []
    const signals: AbortSignal[] = []
    for await (const n of inOrder([5, 1, 4, 2, 3, 9, 9, 9], 3, async (n, signal) => {
      signals.push(signal)
      await new Promise(resolve => setTimeout(resolve, n))
      return n
    })) {
      out.push(n)
      if (out.length === 4) break
    }
    expect(out).to.deep.equal([5, 1, 4, 2])
    expect(signals.length).to.be.at.most(4 + 3)
    expect(signals.every(s => s.aborted)).to.equal(true)
  })
})
