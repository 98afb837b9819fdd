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

/**
 * Blocks stored at once by add and import: each one is R writes of 64 KiB
 * to the same few neighbours' channels, so fewer than reads (at 16, a loaded
 * machine let stores queue past the request deadline and drop peers).
 */
export const DEFAULT_STORE_WINDOW = 8

/**
 * Tries of one block's store when the answer is retryable (busy, too few
 * peers reachable, a deadline), with a doubling back-off from
 * STORE_BACKOFF_MS: long enough for bootstrap healing to find peers again.
 */
export const STORE_TRIES = 4
export const STORE_BACKOFF_MS = 500

/** Tries of one block before cat names it missing (each is a whole lookup with the service's fallbacks). */
export const BLOCK_TRIES = 2

/** Most entries a directory listing returns (GET /v1/files/:cid on a directory, `toyrrent ls`). */
export const MAX_LISTING_ENTRIES = 10_000
