/** Largest value an item may carry: 64 KiB, small enough to move in one frame. */
export const MAX_VALUE_BYTES = 65_536

/** Largest salt on a publish item. */
export const MAX_SALT_BYTES = 64

/** Publishers' public-key objects kept for signature checks (a few hundred bytes each). */
export const MAX_CACHED_PUBLIC_KEYS = 1_024

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

/**
 * The join's self lookup keeps this many queries in flight (not alpha): it
 * is the join's critical path, and every round trip of it is one of the
 * join's; the extra queries go to peers it would ask anyway.
 */
export const SELF_LOOKUP_ALPHA = 6

/** Lookup concurrency: find_before_n requests in flight during a lookup (Kademlia alpha). */
export const DEFAULT_ALPHA = 3

/** A whole lookup, put or get gives up after this long unless the caller says otherwise. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 30_000

/**
 * A join (self lookup, far bands, handoff) fails when no peer has answered
 * for an operation timeout, and at the latest after this many of them: it
 * makes many requests, and on a busy machine more than one timeout's worth.
 */
export const JOIN_MAX_OPERATION_TIMEOUTS = 10

/** One request to one peer gives up after this long. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000

/** Protocol id of toyrrent's RPC. */
export const RPC_PROTOCOL = '/toyrrent/rpc/1.0.0'

/**
 * Lifetime of an item on a holder that is not its owner: 48 h, as kad-dht's
 * records. Owners republish every 12 h, so an item outlives three missed
 * republishes before it lapses, and data whose owner left for good is gone
 * within two days.
 */
export const DEFAULT_ITEM_TTL_MS = 48 * 3600_000
export const DEFAULT_REPUBLISH_INTERVAL_MS = 12 * 3600_000

/** Anti-entropy round every minute: cheap when nothing is missing (one digest per neighbour). */
export const DEFAULT_REPAIR_INTERVAL_MS = 60_000

/** Storage quota for others' items. */
export const DEFAULT_MAX_STORAGE_BYTES = 1024 ** 3

/** Buckets a digest mismatch is narrowed down to. */
export const DIGEST_BUCKETS = 64

/** Most keys in one holds / sync-keys request, and items in one handoff batch. */
export const MAX_KEYS_PER_REQUEST = 1024
export const HANDOFF_BATCH_ITEMS = 64

/** A graceful leave hands its items on for at most this long. */
export const DEFAULT_LEAVE_TIMEOUT_MS = 10_000

/** Passes of a leave handoff: each one after the first places the share of peers found gone in the one before. */
export const MAX_LEAVE_PASSES = 3

/** Peers kept per distance band of the routing table (Kademlia k). */
export const DEFAULT_BUCKET_SIZE = 20

/**
 * Timeouts in a row before a peer leaves the table: one slow answer under
 * load is no reason to forget a peer (that erodes routing exactly when it is
 * busiest), but a host that is gone only ever times out.
 */
export const MAX_TIMEOUTS = 3

/** Routing-table refresh every ten minutes: enough to notice churn, cheap next to the traffic of a busy node. */
export const DEFAULT_REFRESH_INTERVAL_MS = 600_000

/**
 * A joined node looks itself up once more this long after its join (when
 * refresh is on): peers that joined beside it, and peers its join only heard
 * of, are met then, not at the first refresh ten minutes later.
 */
export const SETTLE_LOOKUP_MS = 30_000

/** A table member heard from within this long is not asked again by a refresh, however often refresh runs. */
export const MIN_STALE_MS = 60_000

/** Refresh lookups run at once. */
export const REFRESH_CONCURRENCY = 3

/** The join's band filling asks at most this many of the peers its self lookup met about one far band (refresh.ts). */
export const FILL_ASKS_PER_BAND = 6

/**
 * After asking about the far bands, the join's band filling asks at most this
 * many of their peers heard of (one find_before_n each, for the band's edge;
 * bands with room only, farthest first): each that answers becomes a member.
 * 0: none.
 */
export const FILL_VERIFY_MAX = 8

/** Most addresses passed on for one peer. */
export const MAX_ADDRS_PER_PEER = 8

/** Our own addresses change rarely and cost system calls to read: read at most this often. */
export const SELF_ADDRS_TTL_MS = 1000

/** Retries of a request answered BUSY, and the first back-off (doubling, jittered). */
export const BUSY_RETRIES = 2
export const BUSY_BACKOFF_MS = 50

/**
 * The longest a get or resolve that asked only its first peers waits before
 * widening: the wait when those peers have not answered us before. Measured
 * peers get three of their round trips instead (service/peer-rtt.ts).
 */
export const READ_HEDGE_MS = 200

/** Inbound queue: requests running at once, waiting in all, and queued or running per peer. */
export const DEFAULT_QUEUE_CONCURRENCY = 16
export const DEFAULT_QUEUE_MAX_QUEUED = 256
export const DEFAULT_QUEUE_MAX_PER_PEER = 32

/** RPC streams per connection and direction; one is all a client needs (requests are multiplexed by id). */
export const MAX_RPC_STREAMS = 8

/** libp2p's connection monitor pings each connection this often (its default is 10 s; node/libp2p-options.ts says why not). */
export const CONNECTION_PING_INTERVAL_MS = 300_000
/** ... and closes it only when a ping takes longer than this (libp2p's adaptive timeout starts at 5 s: a busy process missed it). */
export const CONNECTION_PING_MIN_TIMEOUT_MS = 15_000

/** A request frame begun must be complete within this long. */
export const DEFAULT_FRAME_TIMEOUT_MS = 10_000
/** A stream with no frame and nothing in flight for this long is closed (the client reopens on demand). */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000
/** Unread inbound bytes kept per stream; a peer that pipelines more while we cannot keep up is reset. */
export const DEFAULT_STREAM_BUFFER_BYTES = 4 * 1024 * 1024

/** The daemon's listen address when none is given. */
/** TCP and QUIC on port 4001, IPv4 and IPv6 (a host without IPv6 listens on IPv4 alone). */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/udp/4001/quic-v1', '/ip6/::/tcp/4001', '/ip6/::/udp/4001/quic-v1']

/** Per-stream receive window: ample for 64 KiB items, and the most a peer can have in flight to us per stream. */
export const MAX_STREAM_WINDOW_BYTES = 1024 * 1024

/** How many remembered peers a (re)starting node dials. */
export const DEFAULT_REMEMBERED_PEERS = 8

/**
 * New inbound connections accepted per second from one host. libp2p's default
 * of 5 refuses peers that share an address: every node on one machine, or
 * behind one NAT. Peers are rate-limited by toyrrent's inbound queue.
 */
export const DEFAULT_INBOUND_CONNECTION_THRESHOLD = 200

/** A dial to a bootstrap or discovered peer gives up after this long; a remembered peer after the shorter one. */
export const DIAL_TIMEOUT_MS = 10_000
export const REMEMBERED_DIAL_TIMEOUT_MS = 5_000

/** Rounds (ballots) one swap tries before giving up when other proposers keep pre-empting it. */
export const CAS_MAX_ROUNDS = 6
/** Base of the random back-off after a pre-empted round, in ms (doubles each round). */
export const CAS_BACKOFF_MS = 10

/** Open compare-and-swap slots one id may have on one acceptor; more is refused (retryable). */
export const MAX_OPEN_SLOTS = 16
/** Closed slots per id whose last accepted ballot and record hash are still kept (so a proposer can tell it lost). */
export const RETIRED_SLOTS = 8

/** Largest seq of a publish record (uint64). A record at this seq can never be replaced or deleted. */
export const MAX_SEQ = 2n ** 64n - 1n

/**
 * Limited (circuit relay) connections carry the RPC only one request per stream, and only
 * FIND_BEFORE_N and FETCH (protocols/rpc.md): a request frame at most LIMITED_REQUEST_BYTES,
 * an answer frame at most LIMITED_ANSWER_BYTES (a quarter of a relay's default 128 KiB, which
 * counts both directions together), and never a frame that would leave the connection fewer
 * than LIMITED_RESERVE_BYTES of its byte budget (identify, framing).
 */
export const LIMITED_REQUEST_BYTES = 1024
export const LIMITED_ANSWER_BYTES = 32 * 1024
export const LIMITED_RESERVE_BYTES = 4 * 1024
/** A relayed connection with fewer seconds than this left is not worth a request. */
export const LIMITED_MIN_SECONDS_LEFT = 2
/** How long a starting node waits for its signed peer record to name the addresses it listens on before it dials anyone (own-peer-record.ts). */
export const OWN_RECORD_WAIT_MS = 5_000
