/**
 * One 1 GiB add and cat through the files layer, in a process of its own so
 * the caller chooses V8's flags (test/long/files-memory.spec.ts). Blocks go
 * to a store that keeps only distinct blocks (the file is a repeating 64 KiB
 * pattern, so a handful) and every read hands out a fresh copy, as a network
 * read would; what grows is what the files layer holds, plus whatever the
 * runtime keeps around. Prints one JSON line: peak RSS growth of each phase
 * and the heap figures at the add's peak.
 *
 *   node [V8 flags] dist/test/helpers/files-memory-run.js [MiB]
 */
import { importFile } from '../../src/files/importer.ts'
import { readFile, stat } from '../../src/files/reader.ts'
import type { CID } from 'multiformats/cid'

const MiB = 1024 ** 2

interface Peak { growthMiB: number, heapTotalMiB: number, arrayBuffersMiB: number }

/** Peak RSS growth while `work` runs, sampled every 20 ms, with the heap's committed size and ArrayBuffer bytes at that peak. */
async function peak (work: () => Promise<void>): Promise<Peak> {
  const before = process.memoryUsage().rss
  let top = process.memoryUsage()
  const sample = (): void => { const now = process.memoryUsage(); if (now.rss > top.rss) top = now }
  const timer = setInterval(sample, 20)
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  sample()
  const mib = (n: number): number => Math.round(n / MiB * 10) / 10
  return { growthMiB: mib(top.rss - before), heapTotalMiB: mib(top.heapTotal), arrayBuffersMiB: mib(top.arrayBuffers) }
}

const size = Number(process.argv[2] ?? 1024) * MiB
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
function * pattern (bytes: number): Generator<Uint8Array> {
  const chunk = new Uint8Array(MiB).map((_, i) => (i * 31 + 7) & 0xff)
  for (let left = bytes; left > 0; left -= MiB) yield chunk.subarray(0, Math.min(MiB, left))
}

let root: CID | undefined
const add = await peak(async () => { root = (await importFile(pattern(size), store, { storeWindow: 8 })).cid })
let read = 0
const cat = await peak(async () => {
  const entry = await stat(root as CID, load)
  for await (const chunk of readFile(entry, load, { window: 32 })) read += chunk.byteLength
})
process.stdout.write(JSON.stringify({ add, cat, read, size, distinctBlocks: blocks.size, execArgv: process.execArgv }) + '\n')
