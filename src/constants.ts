/** Largest value an item may carry: 64 KiB, small enough to move in one frame. */
export const MAX_VALUE_BYTES = 65_536

/** Largest salt on a publish item. */
export const MAX_SALT_BYTES = 64

/** Envelope room on top of a value: keys, signature, framing, peer lists. */
export const FRAME_OVERHEAD_BYTES = 16_384

/** Largest frame accepted on an RPC stream, checked before the body is read. */
export const MAX_FRAME_BYTES = MAX_VALUE_BYTES + FRAME_OVERHEAD_BYTES

/** Replication factor: how many of the nearest nodes keep each item. */
export const DEFAULT_REPLICAS = 3

/** Most peers one find_before_n reply may carry. */
export const MAX_FIND_N = 64

/** Default n for find_before_n when the caller does not say. */
export const DEFAULT_FIND_N = 20

/**
 * n for a lookup of our own position (and the refresh lookups): we are the
 * nearest node to ourselves, so one more than DEFAULT_FIND_N finds that many
 * others, which the table and the network size estimate count on.
 */
export const SELF_LOOKUP_N = DEFAULT_FIND_N + 1

/** Lookup concurrency: find_before_n requests in flight during a lookup (Kademlia alpha). */
export const DEFAULT_ALPHA = 3

/** A whole lookup, put or get gives up after this long unless the caller says otherwise. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 30_000

/** One request to one peer gives up after this long. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000

/** Protocol ids. */
export const RPC_PROTOCOL = '/toyrrent/rpc/1.0.0'
export const DEFAULT_KAD_PROTOCOL = '/toyrrent/kad/1.0.0'

/** Requests one peer may have in flight on one RPC stream before it is answered `busy`. */
export const MAX_INFLIGHT_PER_STREAM = 128

/**
 * Lifetime of an item on a holder that is not its owner: 48 h, as kad-dht's
 * records. Owners republish every 12 h, so an item outlives three missed
 * republishes before it lapses, and data whose owner left for good is gone
 * within two days.
 */
export const DEFAULT_ITEM_TTL_SECONDS = 48 * 3600
export const DEFAULT_REPUBLISH_INTERVAL_SECONDS = 12 * 3600

/** Anti-entropy round every minute: cheap when nothing is missing (one digest per neighbour). */
export const DEFAULT_REPAIR_INTERVAL_SECONDS = 60

/** Storage quota for others' items. */
export const DEFAULT_MAX_STORAGE_BYTES = 1024 ** 3

/** Buckets a digest mismatch is narrowed down to. */
export const DIGEST_BUCKETS = 64

/** Most keys in one holds / sync-keys request, and items in one handoff batch. */
export const MAX_KEYS_PER_REQUEST = 1024
export const HANDOFF_BATCH_ITEMS = 64

/** A graceful leave hands its items on for at most this long. */
export const DEFAULT_LEAVE_TIMEOUT_MS = 10_000
