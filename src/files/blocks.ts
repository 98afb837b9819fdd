/**
 * Blocks as toyrrent items: a block named by a CID is the hash item whose key
 * is the CID's sha2-256 digest. Hash items are verified by the SHA-256 of
 * their bytes on every hop, so dag-pb nodes verify exactly as raw leaves do;
 * the codec (raw or dag-pb) lives in the CID the parent links with.
 *
 * `getBlock` / `putBlock` are the block layer for anything that speaks CIDs
 * (the UnixFS importer and exporter here, a Helia blockstore elsewhere);
 * `ToyrrentBlockstore` is the same pair in interface-blockstore's shape.
 */
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { InvalidInputError, NotFoundError } from '../errors.ts'
import { equalPositions } from '../keyspace.ts'
import { hashItemKey } from '../records/hash-item.ts'
import { ToyrrentError } from '../errors.ts'
import { isFinal } from '../refusals.ts'
import { sleep } from '../signals.ts'
import { handOverDigest } from '../service/known-digests.ts'
import { STORE_BACKOFF_MS, STORE_TRIES } from './constants.ts'
import type { ToyrrentApi, ToyrrentOperationOptions } from '../service/types.ts'
import type { AbortOptions } from '@libp2p/interface'

/** The parts of the service the block layer uses. */
export type BlockService = Pick<ToyrrentApi, 'put' | 'get' | 'localPins' | 'blockBatches'>

/** A block's bytes do not hash to the CID it came with (a CAR import, a blockstore put). */
export class BlockMismatchError extends ToyrrentError {
  static override name = 'BlockMismatchError'
  override name = 'BlockMismatchError'
  override code = 'hash-mismatch'
}

/** The key of the hash item holding the block `cid` names: its sha2-256 digest. */
export function blockKey (cid: CID): Uint8Array {
  if (cid.multihash.code !== sha256.code || cid.multihash.digest.byteLength !== 32) {
    throw new InvalidInputError(`${cid.toString()} is not a sha2-256 CID (multihash 0x${cid.multihash.code.toString(16)}); toyrrent blocks are named by SHA-256`)
  }
  return cid.multihash.digest
}

/** Parse a CID given by a person, with the reason when it is not one. */
export function parseCid (text: string): CID {
  try {
    return CID.parse(text.trim())
  } catch {
    throw new InvalidInputError(`not a valid CID: "${text.length > 80 ? `${text.slice(0, 77)}...` : text}"`)
  }
}

/** The CID of raw bytes stored as one block (what `toyrrent put` prints). */
export function rawCid (key: Uint8Array): CID {
  return CID.createV1(raw.code, Digest.create(sha256.code, key))
}

/**
 * The bytes of the block `cid` names: this node's copy or the nearest
 * replica's, verified against the digest (the service re-hashes every copy).
 * Identity CIDs carry their bytes inline.
 */
export async function getBlock (service: BlockService, cid: CID, options: ToyrrentOperationOptions = {}): Promise<Uint8Array> {
  if (cid.multihash.code === identity.code) return cid.multihash.digest
  return service.get(blockKey(cid), options)
}

/**
 * Store a block as a hash item on the R nearest nodes, pinned here (it is
 * this node's user's). When `cid` is given it must name these bytes: they
 * are hashed to check it, unless `cidOfTheseBytes` (the CID was computed
 * from these very bytes in this process: our importer). Either way the put
 * is handed that digest (known-digests.ts) instead of hashing the bytes
 * once more; the nodes that receive the block verify it as always.
 */
export async function putBlock (service: BlockService, bytes: Uint8Array, cid?: CID, options: ToyrrentOperationOptions = {}, cidOfTheseBytes = false): Promise<Uint8Array> {
  if (cid?.multihash.code === identity.code) return cid.multihash.digest
  if (cid != null) {
    const named = blockKey(cid)
    const digest = cidOfTheseBytes ? Uint8Array.from(named) : hashItemKey(bytes)
    // checked before anything is stored: a block under the wrong name changes nothing
    if (!equalPositions(named, digest)) throw new BlockMismatchError(`block does not hash to ${cid.toString()}`)
    handOverDigest(bytes, digest)
  }
  const { key } = await service.put(bytes, options)
  return key
}

/**
 * `putBlock`, tried again (with a doubling back-off) while the failure is
 * retryable: busy peers, too few reachable, a deadline. A big add under load
 * must not fail on one block's bad moment.
 */
export async function putBlockWithRetries (service: BlockService, bytes: Uint8Array, cid: CID | undefined, options: ToyrrentOperationOptions = {}, cidOfTheseBytes = false): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await putBlock(service, bytes, cid, options, cidOfTheseBytes)
    } catch (err: any) {
      const retryable = err instanceof ToyrrentError ? !isFinal(err.code) : err?.name === 'TimeoutError'
      if (!retryable || attempt >= STORE_TRIES || options.signal?.aborted === true) throw err
      await sleep(STORE_BACKOFF_MS * 2 ** (attempt - 1) * (0.75 + Math.random() / 2), options.signal)
    }
  }
}

/** Block reads and writes with a deadline per block rather than per file. */
export interface BlockOptions extends AbortOptions {
  /** Deadline of one block's get or put, in ms (default: the service's operation timeout). */
  blockTimeout?: number
  /**
   * The CIDs put come from hashing these very bytes in this process (our own
   * importer): the block is not hashed again, to check it or to key it
   * (putBlock). Never for blocks from outside (a CAR).
   */
  cidsOfTheseBytes?: boolean
}

/**
 * The toyrrent network as the blockstore the UnixFS importer and exporter
 * (and Helia) expect: put stores a pinned hash item on the R nearest nodes,
 * get fetches and verifies one. Only what those callers use is here.
 */
export class ToyrrentBlockstore {
  private readonly service: BlockService
  private readonly options: BlockOptions
  /** Blocks put through this store (an add's block count). */
  puts = 0

  constructor (service: BlockService, options: BlockOptions = {}) {
    this.service = service
    this.options = options
  }

  async put (cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: AbortOptions = {}): Promise<CID> {
    const block = bytes instanceof Uint8Array ? bytes : await collect(bytes)
    await putBlockWithRetries(this.service, block, cid, this.opOptions(options), this.options.cidsOfTheseBytes === true)
    this.puts++
    return cid
  }

  async * get (cid: CID, options: AbortOptions = {}): AsyncGenerator<Uint8Array> {
    yield await getBlock(this.service, cid, this.opOptions(options))
  }

  async has (cid: CID, options: AbortOptions = {}): Promise<boolean> {
    try {
      await getBlock(this.service, cid, this.opOptions(options))
      return true
    } catch (err: any) {
      if (err instanceof NotFoundError) return false
      throw err
    }
  }

  private opOptions (options: AbortOptions): ToyrrentOperationOptions {
    const signals = [options.signal, this.options.signal].filter(s => s != null)
    return {
      signal: signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals),
      timeout: this.options.blockTimeout
    }
  }
}

async function collect (chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}
