/**
 * The numbers of the files layer. The first two are the DAG's shape and so
 * part of every root CID: changing them changes the name of every file.
 */
import { MAX_VALUE_BYTES } from '../constants.ts'

/** Leaf size: one hash item (`ipfs add --chunker=size-65536`). */
export const CHUNK_BYTES = MAX_VALUE_BYTES

/** Links per interior node of the balanced DAG: Kubo's and the importer's default (174 links fit a 256 KiB chunk's node with room to spare). */
export const MAX_CHILDREN_PER_NODE = 174

/**
 * Blocks fetched at once by cat, pin add and export (in order on the
 * output): enough to hide a round trip per block, and at 64 KiB each at most
 * 2 MiB held, whatever the file size.
 */
export const DEFAULT_FETCH_WINDOW = 32

/** Blocks stored at once by add and import: each one is R writes, so fewer than reads. */
export const DEFAULT_STORE_WINDOW = 16

/** Tries of one block before cat names it missing (each is a whole lookup with the service's fallbacks). */
export const BLOCK_TRIES = 2

/** Most entries a directory listing returns (GET /v1/files/:cid on a directory, `toyrrent ls`). */
export const MAX_LISTING_ENTRIES = 10_000
