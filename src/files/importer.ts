/**
 * Files into UnixFS DAGs with the ecosystem's importer, shaped as
 * `ipfs add --cid-version=1 --raw-leaves --chunker=size-65536` shapes them:
 * 65,536-byte raw leaves, a balanced DAG of at most 174 links per node,
 * CIDv1. A file of one chunk is that chunk's raw block, so it has the CID
 * `toyrrent put` gives the same bytes.
 */
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { CHUNK_BYTES, DEFAULT_STORE_WINDOW, MAX_CHILDREN_PER_NODE } from './constants.ts'
import { InvalidInputError } from '../errors.ts'
import { hexKey } from '../bytes.ts'
import { KEY_BYTES, KeyTable } from './key-table.ts'
import { sha256 } from 'multiformats/hashes/sha2'
import type { ImportCandidate, ImporterOptions, WritableStorage } from 'ipfs-unixfs-importer'
import type { CID } from 'multiformats/cid'

/** The importer's documented options that make toyrrent's DAGs (and the CID vectors' expected values). */
export function importerOptions (storeWindow = DEFAULT_STORE_WINDOW): ImporterOptions {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CHUNK_BYTES }),
    layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
    // blocks hashed and stored at once: memory is this many chunks, whatever the file size
    blockWriteConcurrency: storeWindow,
    fileImportConcurrency: 1
  }
}

export interface AddResult {
  /** Root CID. */
  cid: CID
  /** File bytes (for a directory, the sum of its files). */
  size: number
  /** Blocks stored. */
  blocks: number
}

/**
 * Puts that run behind the importer: put() returns once the block is on its
 * way, waiting only while `window` puts are in flight. The importer stores
 * in batches and waits for a whole batch; this keeps the window full across
 * batch boundaries. A failed put fails the next put and the flush, so a root
 * is never reported for blocks that were not all stored.
 */
class WriteBehind implements WritableStorage {
  private readonly inner: WritableStorage
  private readonly window: number
  private readonly inFlight = new Set<Promise<void>>()
  private failure?: unknown

  constructor (inner: WritableStorage, window: number) {
    this.inner = inner
    this.window = Math.max(1, window)
  }

  async put (...args: Parameters<WritableStorage['put']>): Promise<CID> {
    while (this.inFlight.size >= this.window && this.failure == null) await Promise.race(this.inFlight)
    if (this.failure != null) throw this.failure
    const running: Promise<void> = Promise.resolve(this.inner.put(...args)).then(() => {}, (err: unknown) => { this.failure ??= err }).finally(() => { this.inFlight.delete(running) })
    this.inFlight.add(running)
    return args[0]
  }

  /** Wait for every put; throws the first failure. */
  async flush (): Promise<void> {
    await Promise.all(this.inFlight)
    if (this.failure != null) throw this.failure
  }
}

/** Counts the distinct blocks the importer stores while passing them on (a repeated chunk is one block). */
class CountingStore implements WritableStorage {
  /** SHA-256-named blocks by digest, in typed arrays (key-table.ts); any other CID (never from these options) by its bytes. */
  private readonly seen = new KeyTable()
  private readonly others = new Set<string>()
  private readonly inner: WritableStorage
  constructor (inner: WritableStorage) { this.inner = inner }
  get blocks (): number { return this.seen.size + this.others.size }
  async put (...args: Parameters<WritableStorage['put']>): Promise<CID> {
    const cid = await this.inner.put(...args)
    const digest = cid.multihash.digest
    if (cid.multihash.code === sha256.code && digest.byteLength === KEY_BYTES) this.seen.set(digest, 1)
    else this.others.add(hexKey(cid.bytes))
    return cid
  }
}

/** Import one byte stream as a file; its bytes are read as the blocks are stored (backpressure), never buffered whole. */
export async function importFile (content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, store: WritableStorage, options: { storeWindow?: number, signal?: AbortSignal } = {}): Promise<AddResult> {
  let size = 0
  async function * counted (): AsyncGenerator<Uint8Array> {
    for await (const chunk of content) {
      options.signal?.throwIfAborted()
      size += chunk.byteLength
      yield chunk
    }
  }
  const counting = new CountingStore(store)
  const behind = new WriteBehind(counting, options.storeWindow ?? DEFAULT_STORE_WINDOW)
  let root: CID | undefined
  try {
    for await (const entry of importer([{ content: counted() }], behind, importerOptions(options.storeWindow))) root = entry.cid
  } finally {
    await behind.flush().catch(() => {})
  }
  await behind.flush()
  if (root == null) throw new InvalidInputError('the importer produced no root')
  return { cid: root, size, blocks: counting.blocks }
}

/**
 * Import a directory tree: `entries` are files and directories with paths
 * relative to the directory (`a.txt`, `sub/b.bin`); the root is the last
 * entry the importer yields, the directory wrapping them all.
 */
export async function importDirectory (entries: AsyncIterable<ImportCandidate> | Iterable<ImportCandidate>, store: WritableStorage, options: { storeWindow?: number, signal?: AbortSignal } = {}): Promise<AddResult> {
  const counting = new CountingStore(store)
  let size = 0
  async function * counted (): AsyncGenerator<ImportCandidate> {
    for await (const entry of entries) {
      options.signal?.throwIfAborted()
      if (!('content' in entry) || entry.content == null) {
        yield entry
        continue
      }
      const content = entry.content
      yield {
        ...entry,
        content: (async function * () {
          for await (const chunk of (content instanceof Uint8Array ? [content] : content)) {
            size += chunk.byteLength
            yield chunk
          }
        })()
      }
    }
  }
  const behind = new WriteBehind(counting, options.storeWindow ?? DEFAULT_STORE_WINDOW)
  let root: CID | undefined
  try {
    for await (const entry of importer(counted(), behind, { ...importerOptions(options.storeWindow), wrapWithDirectory: true })) root = entry.cid
  } finally {
    await behind.flush().catch(() => {})
  }
  await behind.flush()
  if (root == null) throw new InvalidInputError('the importer produced no root')
  return { cid: root, size, blocks: counting.blocks }
}
