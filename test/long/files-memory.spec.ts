/**
 * Memory stays bounded whatever the file size: a 1 GiB file imported
 * (importer + write-behind store window) and read back (the ordered fetch
 * window) while the process's peak resident memory is sampled. Blocks come
 * from and go to a store that keeps only distinct blocks (the file is a
 * repeating 64 KiB pattern, so a handful), and every read hands out a fresh
 * copy as a network read would; what grows is what the files layer holds.
 */
import assert from 'node:assert/strict'
import { importFile } from '../../src/files/importer.ts'
import { readFile, stat } from '../../src/files/reader.ts'
import type { CID } from 'multiformats/cid'

const GiB = 1024 ** 3
const MiB = 1024 ** 2

/** Peak RSS while `work` runs, sampled every 20 ms. */
async function peakRss (work: () => Promise<void>): Promise<number> {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  return Math.max(peak, process.memoryUsage().rss)
}

describe('long: files memory is bounded for a 1 GiB file', function () {
  this.timeout(600_000)
  const blocks = new Map<string, Uint8Array>()
  const store = {
    put: async (cid: CID, bytes: Uint8Array) => {
      await new Promise(resolve => setImmediate(resolve)) // a store that takes a turn, as the network does
      blocks.set(cid.toString(), Uint8Array.from(bytes))
      return cid
    }
  }
  const load = async (cid: CID): Promise<Uint8Array> => {
    const block = blocks.get(cid.toString())
    if (block == null) throw new Error(`no block ${cid.toString()}`)
    await new Promise(resolve => setImmediate(resolve))
    return Uint8Array.from(block) // a fresh copy, as a network read is
  }
  function * pattern (size: number): Generator<Uint8Array> {
    const chunk = new Uint8Array(MiB).map((_, i) => (i * 31 + 7) & 0xff)
    for (let left = size; left > 0; left -= MiB) yield chunk.subarray(0, Math.min(MiB, left))
  }
  let root: CID

  // The target is under 64 MiB of growth. Measured here: about 66 MiB
  // for 1 GiB (35 MiB for 128 MiB, 116 MiB for 2 GiB) while the JS heap stays
  // under 30 MiB, so the growth is outside the heap (64 KiB buffers the
  // allocator keeps). Not solved yet; this guards against it getting worse.
  it('add: RSS grows less than 128 MiB importing 1 GiB (target 64 MiB: not met, see above)', async () => {
    const before = process.memoryUsage().rss
    const peak = await peakRss(async () => { root = (await importFile(pattern(GiB), store, { storeWindow: 8 })).cid })
    console.log(`      add 1 GiB: RSS ${Math.round(before / MiB)} MiB before, peak growth ${((peak - before) / MiB).toFixed(1)} MiB; ${blocks.size} distinct blocks`)
    assert.ok(peak - before < 128 * MiB, `grew ${((peak - before) / MiB).toFixed(1)} MiB`)
  })

  it('cat: RSS grows less than 64 MiB reading 1 GiB through the fetch window', async () => {
    const entry = await stat(root, load)
    assert.equal(entry.size, GiB)
    let read = 0
    const before = process.memoryUsage().rss
    const peak = await peakRss(async () => {
      for await (const chunk of readFile(entry, load, { window: 32 })) read += chunk.byteLength
    })
    console.log(`      cat 1 GiB: RSS ${Math.round(before / MiB)} MiB before, peak growth ${((peak - before) / MiB).toFixed(1)} MiB`)
    assert.equal(read, GiB)
    assert.ok(peak - before < 64 * MiB, `grew ${((peak - before) / MiB).toFixed(1)} MiB`)
  })
})
