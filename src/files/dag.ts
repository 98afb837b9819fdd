/**
 * Every block of a DAG, depth first in link order (the order a CAR export
 * writes them), each once. Interior (dag-pb) nodes are fetched as the walk
 * reaches them, since their links say what comes next; raw leaves go through
 * the fetch window, or are only named when `leaves` is false (a pin walk
 * that needs the keys of the leaves, not their bytes).
 */
import * as dagPb from '@ipld/dag-pb'
import * as raw from 'multiformats/codecs/raw'
import { identity } from 'multiformats/hashes/identity'
import { InvalidInputError } from '../errors.ts'
import { DEFAULT_FETCH_WINDOW } from './constants.ts'
import { BadDagError } from './reader.ts'
import { inOrder } from './window.ts'
import type { BlockLoader } from './reader.ts'
import type { CID } from 'multiformats/cid'

export interface DagBlock {
  cid: CID
  /** Absent for a leaf when the walk was asked not to fetch leaves. */
  bytes?: Uint8Array
}

export interface DagWalkOptions {
  /** Fetch raw leaves too. @default true */
  leaves?: boolean
  window?: number
  signal?: AbortSignal
}

export async function * dagBlocks (root: CID, load: BlockLoader, options: DagWalkOptions = {}): AsyncGenerator<DagBlock> {
  const fetchLeaves = options.leaves ?? true
  const seen = new Set<string>()
  async function * walk (cid: CID): AsyncGenerator<DagBlock> {
    const id = cid.toString()
    if (seen.has(id) || cid.multihash.code === identity.code) return
    seen.add(id)
    if (cid.code === raw.code) {
      yield { cid }
      return
    }
    if (cid.code !== dagPb.code) throw new InvalidInputError(`${id} has codec 0x${cid.code.toString(16)}; toyrrent moves UnixFS DAGs (dag-pb and raw blocks)`)
    const bytes = await load(cid, options.signal)
    let links: CID[]
    try {
      links = dagPb.decode(bytes).Links.map(l => l.Hash)
    } catch (err: any) {
      throw new BadDagError(`${id} is not a dag-pb node: ${err.message}`)
    }
    yield { cid, bytes }
    for (const link of links) yield * walk(link)
  }
  yield * inOrder(walk(root), options.window ?? DEFAULT_FETCH_WINDOW, async (block, signal) => {
    if (block.bytes != null || !fetchLeaves) return block
    return { cid: block.cid, bytes: await load(block.cid, signal) }
  }, options.signal)
}
