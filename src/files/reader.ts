/**
 * Reading UnixFS files block by block: the DAG is walked in order (interior
 * nodes fetched as the walk reaches them), the leaves fetched through the
 * fetch window, and the bytes yielded in file order. A byte range skips the
 * subtrees outside it. Memory is the window's blocks plus one interior node
 * per DAG level, whatever the file size; the consumer's pace is the pace
 * (no read runs more than a window ahead of it).
 *
 * ipfs-unixfs-exporter reads files too, but pushes every block into an
 * unbounded queue as fast as the network delivers; here a slow reader of a
 * 1 GiB file holds at most the window.
 */
import * as dagPb from '@ipld/dag-pb'
import * as raw from 'multiformats/codecs/raw'
import { UnixFS } from 'ipfs-unixfs'
import { InvalidInputError, ToyrrentError } from '../errors.ts'
import { DEFAULT_FETCH_WINDOW } from './constants.ts'
import { inOrder } from './window.ts'
import type { CID } from 'multiformats/cid'
import type { PBNode } from '@ipld/dag-pb'

/** Fetch and verify the block a CID names. */
export type BlockLoader = (cid: CID, signal?: AbortSignal) => Promise<Uint8Array>

export type EntryType = 'file' | 'directory' | 'symlink'

/** What a CID names, from its root block alone. */
export interface Entry {
  cid: CID
  type: EntryType
  /** File bytes (0 for directories and symlinks). */
  size: number
  /** The root block decoded (dag-pb), or undefined for a raw block. */
  node?: PBNode
  unixfs?: UnixFS
  /** The root block's bytes. */
  block: Uint8Array
}

/** A UnixFS DAG that does not hold together (bad node, sizes that do not add up). */
export class BadDagError extends ToyrrentError {
  static override name = 'BadDagError'
  override name = 'BadDagError'
  override code = 'bad-input'
}

/** A block of a file could not be fetched: names the block and where it sits. */
export class MissingBlockError extends ToyrrentError {
  static override name = 'MissingBlockError'
  override name = 'MissingBlockError'
  constructor (message: string, code: string) {
    super(message)
    this.code = code
  }
}

/** Load a root block and say what it is. */
export async function stat (cid: CID, load: BlockLoader, signal?: AbortSignal): Promise<Entry> {
  const block = await load(cid, signal)
  if (cid.code === raw.code) {
    return { cid, type: 'file', size: block.byteLength, block }
  }
  if (cid.code !== dagPb.code) throw new InvalidInputError(`${cid.toString()} is neither a raw block nor a UnixFS node (codec 0x${cid.code.toString(16)})`)
  const { node, unixfs } = decodeNode(cid, block)
  switch (unixfs.type) {
    case 'file':
    case 'raw':
      return { cid, type: 'file', size: Number(unixfs.fileSize()), node, unixfs, block }
    case 'directory':
    case 'hamt-sharded-directory':
      return { cid, type: 'directory', size: 0, node, unixfs, block }
    case 'symlink':
      return { cid, type: 'symlink', size: 0, node, unixfs, block }
    default:
      throw new BadDagError(`${cid.toString()} is a UnixFS ${unixfs.type} node, which toyrrent does not read`)
  }
}

export function decodeNode (cid: CID, block: Uint8Array): { node: PBNode, unixfs: UnixFS } {
  try {
    const node = dagPb.decode(block)
    if (node.Data == null) throw new Error('no UnixFS data')
    return { node, unixfs: UnixFS.unmarshal(node.Data) }
  } catch (err: any) {
    throw new BadDagError(`${cid.toString()} is not a UnixFS node: ${err.message}`)
  }
}

export interface ReadOptions {
  /** First byte to read. @default 0 */
  offset?: number
  /** Bytes to read from `offset`. @default to the end */
  length?: number
  /** Blocks fetched at once. @default DEFAULT_FETCH_WINDOW */
  window?: number
  signal?: AbortSignal
}

/** Leaf numbers in file order; exact until the walk skips a subtree it did not open. */
interface Counter { index: number, exact: boolean }

/** A stretch of the file: a leaf to fetch, or bytes held inline in an interior node. */
interface Piece {
  /** File position of the piece's first byte. */
  at: number
  length: number
  /** Leaf number in file order (for error messages); undefined when a skipped subtree made it unknown. */
  index?: number
  cid?: CID
  data?: Uint8Array
}

/** Clamp a byte range to a file of `size` bytes. */
export function byteRange (size: number, offset = 0, length?: number): { start: number, end: number } {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidInputError(`offset must be a non-negative integer, got ${offset}`)
  if (length != null && (!Number.isSafeInteger(length) || length < 0)) throw new InvalidInputError(`length must be a non-negative integer, got ${length}`)
  const start = Math.min(offset, size)
  return { start, end: length == null ? size : Math.min(size, start + length) }
}

/**
 * The bytes of a file entry (from `stat`), or of the range asked for, in
 * order. Throws MissingBlockError naming the block and its byte range when
 * a block cannot be had.
 */
export async function * readFile (entry: Entry, load: BlockLoader, options: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  if (entry.type !== 'file') throw new InvalidInputError(`${entry.cid.toString()} is a ${entry.type}, not a file`)
  const { start, end } = byteRange(entry.size, options.offset, options.length)
  if (end <= start) return
  if (entry.node == null || entry.unixfs == null) {
    yield entry.block.subarray(start, end)
    return
  }
  const pieces = walk(entry.cid, entry.node, entry.unixfs, start, end, load, options.signal)
  const fetched = inOrder(pieces, options.window ?? DEFAULT_FETCH_WINDOW, async (piece, signal) => {
    if (piece.data != null) return { piece, bytes: piece.data }
    const cid = piece.cid as CID
    let bytes: Uint8Array
    try {
      bytes = await load(cid, signal)
    } catch (err: any) {
      throw missing(entry.cid, cid, piece, err)
    }
    if (bytes.byteLength !== piece.length) {
      throw new BadDagError(`${blockName(piece, cid)} of ${entry.cid.toString()} is ${bytes.byteLength} bytes; its parent says ${piece.length}`)
    }
    return { piece, bytes }
  }, options.signal)
  for await (const { piece, bytes } of fetched) {
    const from = Math.max(start, piece.at) - piece.at
    const to = Math.min(end, piece.at + piece.length) - piece.at
    if (to > from) yield bytes.subarray(from, to)
  }
}

function leafNumber (counter: Counter): number | undefined {
  return counter.exact ? counter.index : undefined
}

function blockName (piece: Piece, cid: CID): string {
  return `${piece.index == null ? 'block' : `block ${piece.index}`} (${cid.toString()}, bytes ${piece.at}-${piece.at + piece.length - 1})`
}

function missing (root: CID, cid: CID, piece: Piece, err: any): MissingBlockError {
  const code = typeof err?.code === 'string' && err.code !== 'internal' ? err.code : (err?.name === 'TimeoutError' || err?.name === 'AbortError' ? 'timeout' : 'not-found')
  return new MissingBlockError(`${blockName(piece, cid)} of ${root.toString()} could not be fetched: ${err?.message ?? String(err)}`, code)
}

/** The pieces of a file overlapping [start, end), in order; interior nodes are fetched as the walk reaches them. */
async function * walk (root: CID, node: PBNode, unixfs: UnixFS, start: number, end: number, load: BlockLoader, signal?: AbortSignal): AsyncGenerator<Piece> {
  const counter = { index: 0, exact: true }
  yield * walkNode(root, root, node, unixfs, 0, start, end, load, counter, signal)
}

async function * walkNode (root: CID, cid: CID, node: PBNode, unixfs: UnixFS, position: number, start: number, end: number, load: BlockLoader, counter: Counter, signal?: AbortSignal): AsyncGenerator<Piece> {
  if (unixfs.data != null && unixfs.data.byteLength > 0) {
    const length = unixfs.data.byteLength
    if (position + length > start && position < end) yield { at: position, length, index: leafNumber(counter), data: unixfs.data }
    counter.index++
    position += length
  }
  if (node.Links.length !== unixfs.blockSizes.length) {
    throw new BadDagError(`${cid.toString()} has ${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`)
  }
  for (let i = 0; i < node.Links.length && position < end; i++) {
    const child = node.Links[i].Hash
    const length = Number(unixfs.blockSizes[i])
    if (position + length > start) {
      if (child.code === raw.code) {
        yield { at: position, length, index: leafNumber(counter), cid: child }
        counter.index++
      } else if (child.code === dagPb.code) {
        let block: Uint8Array
        try {
          block = await load(child, signal)
        } catch (err: any) {
          throw missing(root, child, { at: position, length, index: leafNumber(counter) }, err)
        }
        const decoded = decodeNode(child, block)
        yield * walkNode(root, child, decoded.node, decoded.unixfs, position, start, end, load, counter, signal)
      } else {
        throw new BadDagError(`${cid.toString()} links to ${child.toString()}, whose codec 0x${child.code.toString(16)} is not part of a UnixFS file`)
      }
    } else {
      // a skipped subtree's leaves are not counted: block numbers past it would be wrong
      if (child.code !== raw.code) counter.exact = false
      counter.index++
    }
    position += length
  }
}
