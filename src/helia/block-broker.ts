/**
 * A Helia block broker that reads blocks from toyrrent: a block whose CID
 * has a sha2-256 multihash is the hash item keyed by that digest (toyrrent
 * keys hash items by SHA-256 of their bytes), so `toyrrent.get(digest)`
 * fetches it from its replicas. toyrrent re-hashes every copy it returns;
 * the broker checks the size Helia allows and runs Helia's own verifier
 * before handing the block back, so a block is verified block by block
 * whatever the codec (raw or dag-pb).
 *
 * @example A Helia node that reads files toyrrent holds
 * ```ts
 * import { createHeliaLight } from 'helia'
 * import { withLibp2pLight } from '@helia/libp2p'
 * import { unixfs } from '@helia/unixfs'
 * import { toyrrent } from 'toyrrent'
 * import { toyrrentBlockBroker } from 'toyrrent/helia'
 *
 * const helia = withLibp2pLight(createHeliaLight({
 *   // Helia makes its libp2p when it starts: the broker finds the service then
 *   blockBrokers: [toyrrentBlockBroker({ toyrrent: () => helia.libp2p.services.toyrrent })]
 * }), { ...yourLibp2pConfig, services: { identify: identify(), toyrrent: toyrrent() } })
 * await helia.start()
 * for await (const chunk of unixfs(helia).cat(cid)) process.stdout.write(chunk)
 * ```
 */
import { InvalidParametersError } from '@libp2p/interface'
import { POSITION_BYTES } from '../keyspace.ts'
import { TooLargeError } from '../errors.ts'
import type { BlockBroker, BlockRetrievalOptions } from '@helia/interface'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** The part of the toyrrent service the broker reads through (ToyrrentApi.get). */
export interface BlockSource {
  get(key: Uint8Array, options?: AbortOptions): Promise<Uint8Array>
}

export interface ToyrrentBlockBrokerInit {
  /** The toyrrent service, or a function giving it once it exists (Helia creates its libp2p on start). */
  toyrrent: BlockSource | (() => BlockSource)
}

const SHA2_256 = 0x12

export class ToyrrentBlockBroker implements BlockBroker {
  readonly name = 'toyrrent'
  private readonly source: () => BlockSource

  constructor (init: ToyrrentBlockBrokerInit) {
    const { toyrrent } = init
    this.source = typeof toyrrent === 'function' ? toyrrent : () => toyrrent
  }

  /**
   * The block named `cid`, from toyrrent. Only sha2-256 CIDs can be there
   * (InvalidParametersError otherwise); toyrrent's typed errors (NotFoundError,
   * InsufficientPeersError, WrongKindError) pass through, and Helia moves on
   * to its other brokers.
   */
  async retrieve (cid: CID, options: BlockRetrievalOptions = {}): Promise<Uint8Array> {
    const { code, digest } = cid.multihash
    if (code !== SHA2_256 || digest.byteLength !== POSITION_BYTES) {
      throw new InvalidParametersError(`toyrrent keys blocks by SHA-256; ${cid.toString()} has multihash code 0x${code.toString(16)}`)
    }
    const block = await this.source().get(digest, { signal: options.signal })
    if (options.maxSize != null && block.byteLength > options.maxSize) {
      throw new TooLargeError(`block ${cid.toString()} is ${block.byteLength} bytes; Helia allows ${options.maxSize}`)
    }
    await options.validateFn?.(block)
    return block
  }
}

/** Helia's `blockBrokers` entry: `createHelia({ blockBrokers: [toyrrentBlockBroker({ toyrrent })] })`. */
export function toyrrentBlockBroker (init: ToyrrentBlockBrokerInit): () => BlockBroker {
  return () => new ToyrrentBlockBroker(init)
}
