/**
 * What the item index costs per held item: an ItemStore over a datastore
 * that keeps nothing, N puts of fresh random 32-byte keys, the JS heap and
 * ArrayBuffer memory after a full GC, minus before.
 *
 *   node --expose-gc dist/scripts/index-heap.js [--items 16384] [--module PATH/item-store.js]
 *
 * --module measures another build's ItemStore (e.g. main's dist, to compare).
 * Prints one JSON line.
 */
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { webcrypto } from 'node:crypto'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name)
  return i < 0 ? fallback : args[i + 1]
}
const items = Number(arg('--items', '16384'))
const modulePath = arg('--module', new URL('../src/store/item-store.js', import.meta.url).pathname)
const gc = (globalThis as any).gc as (() => void) | undefined
if (gc == null) throw new Error('run with node --expose-gc')

const { ItemStore } = await import(pathToFileURL(resolve(modulePath)).href)
// only put is called by ItemStore.put; nothing is kept, so what grows is the index
const datastore = { put: async () => {} }
const store = new ItemStore(datastore)

const measure = (): { heap: number, buffers: number } => {
  gc()
  gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, buffers: m.arrayBuffers }
}

const before = measure()
for (let i = 0; i < items; i++) {
  const key = webcrypto.getRandomValues(new Uint8Array(32))
  await store.put(key, { kind: 0, body: new Uint8Array(0), expiresAt: 0n, pinned: true, storedAt: BigInt(Date.now()), seq: 0n })
}
const after = measure()
const heap = after.heap - before.heap
const buffers = after.buffers - before.buffers
console.log(JSON.stringify({
  module: modulePath,
  items: store.size,
  heapBytesPerItem: Math.round(heap / items),
  arrayBufferBytesPerItem: Math.round(buffers / items),
  totalMiB: Math.round((heap + buffers) / 1048576 * 10) / 10
}))
