/**
 * Whole DAGs as CAR files (@ipld/car): export writes the root and every
 * block in walk order as they are fetched (the writer waits for the reader,
 * so memory is the fetch window); import verifies each block against its
 * CID before it stores it.
 */
import { CarBlockIterator, CarWriter } from '@ipld/car'
import { InvalidInputError } from '../errors.ts'
import { DEFAULT_STORE_WINDOW } from './constants.ts'
import { dagBlocks } from './dag.ts'
import { inOrder } from './window.ts'
import type { BlockLoader } from './reader.ts'
import type { CID } from 'multiformats/cid'

/** The CAR bytes of the DAG under `root`. */
export async function * exportCar (root: CID, load: BlockLoader, options: { window?: number, signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array> {
  const { writer, out } = CarWriter.create([root])
  let failure: unknown
  const feeding = (async () => {
    try {
      for await (const block of dagBlocks(root, load, options)) {
        if (block.bytes != null) await writer.put({ cid: block.cid, bytes: block.bytes })
      }
    } catch (err) {
      failure = err
    } finally {
      await writer.close()
    }
  })()
  for await (const chunk of out) yield chunk
  await feeding
  if (failure != null) throw failure
}

export interface CarImport {
  roots: CID[]
  blocks: number
  bytes: number
}

/** Read a CAR stream and store each block (verified first) through `store`, at most `window` at once. */
export async function importCar (source: AsyncIterable<Uint8Array>, store: (cid: CID, bytes: Uint8Array, signal: AbortSignal) => Promise<void>, options: { window?: number, signal?: AbortSignal } = {}): Promise<CarImport> {
  let reader: CarBlockIterator
  let roots: CID[]
  try {
    reader = await CarBlockIterator.fromIterable(source)
    roots = await reader.getRoots()
  } catch (err: any) {
    throw new InvalidInputError(`not a CAR file: ${err.message}`)
  }
  let blocks = 0
  let bytes = 0
  const blocksOf = (async function * () {
    try {
      for await (const block of reader) yield block
    } catch (err: any) {
      throw new InvalidInputError(`bad CAR file after ${blocks} blocks: ${err.message}`)
    }
  })()
  for await (const stored of inOrder(blocksOf, options.window ?? DEFAULT_STORE_WINDOW, async (block, signal) => {
    await store(block.cid, block.bytes, signal)
    return block.bytes.byteLength
  }, options.signal)) {
    blocks++
    bytes += stored
  }
  return { roots, blocks, bytes }
}
