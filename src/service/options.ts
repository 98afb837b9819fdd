/**
 * The service's options, and the one place their defaults are applied (the
 * default values themselves live in src/constants.ts). Every duration is in
 * milliseconds; only the command line speaks seconds.
 */
import * as c from '../constants.ts'
import { InvalidInputError } from '../errors.ts'
import type { InboundQueueInit } from '../rpc/inbound-queue.ts'
import type { Datastore } from 'interface-datastore'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { RoutingNamespace } from '../routing/namespaces.ts'

export interface ToyrrentInit {
  /** Replication factor R: how many of the nearest nodes keep each item. @default 3 */
  replicas?: number
  /** Write quorum W: acknowledgements a put needs. @default majority of R */
  writeQuorum?: number
  /** Lookup concurrency (Kademlia alpha). @default 3 */
  alpha?: number
  /** RPC protocol id. @default '/toyrrent/rpc/1.0.0' */
  protocol?: string
  /** Where items are kept. @default the libp2p datastore */
  datastore?: Datastore
  /**
   * Keep item bodies in a value log in this directory (src/store/value-log.ts), the
   * datastore only their metadata: LevelDB's compactions then never map them (the daemon
   * passes `<data>/values`). One directory per node and datastore: segments no record of this
   * datastore points to are garbage and get deleted. @default none: bodies inside the datastore's records
   */
  valueLogDir?: string
  /** Pass on loopback and private addresses (LAN or local networks). @default true */
  allowPrivateAddresses?: boolean
  /** Deadline of a whole operation. @default 30000 ms */
  operationTimeout?: number
  /** Deadline of one request to one peer. @default 5000 ms */
  requestTimeout?: number
  /** Shortlist size of every lookup (Kademlia k). @default 20 */
  lookupWidth?: number
  /** Lifetime of an item on a holder that is not its owner. @default 48 h */
  itemTtl?: number
  /** Bytes of others' items this node keeps before answering `full`. @default 1 GiB */
  maxStorageBytes?: number
  /** Between anti-entropy rounds; 0 turns the loop off. @default 60000 ms */
  repairInterval?: number
  /** Between republishes of this node's own items. @default 12 h */
  republishInterval?: number
  /** How long a node keeps serving an item after it stopped being among its R nearest. @default one repair interval */
  trialPeriod?: number
  /** On stop, hand every item to the next nearest nodes first, for at most this long, then announce the leave (LEAVE, at most 2 s more); 0 = neither. @default 10000 ms */
  leaveTimeout?: number
  /** Peers kept per distance band. @default 20 */
  bucketSize?: number
  /** Between routing-table refreshes (self lookup + a lookup per band that is not full); 0 = off. @default 600000 ms */
  refreshInterval?: number
  /** Limits of the inbound request queue (concurrency 16, 256 waiting, 32 per peer by default). */
  inboundQueue?: InboundQueueInit
  /** A request frame that has begun must arrive whole within this long, or its stream is reset. @default 10000 ms */
  frameTimeout?: number
  /** An inbound RPC stream with nothing in flight for this long is closed. @default 300000 ms */
  idleTimeout?: number
  /** Join (self lookup, then onboarding handoff) by itself when the first peers connect. @default true */
  autoJoin?: boolean
  /** Time: timers, deadlines and now (the virtual-time simulation injects its own). @default systemClock */
  clock?: Clock
  /** Routing-record namespaces besides the built-in `ipns` (validator, selector, version), keyed by name (`pk` for `/pk/...`). @default {} */
  routingNamespaces?: Record<string, RoutingNamespace>
  /**
   * libp2p content routing's provide/findProviders: 'refuse' answers them
   * with UnsupportedOperationError (toyrrent keeps no provider records);
   * 'skip' leaves them out so libp2p asks only the other routers (kad-dht,
   * delegated routing) the application runs. @default 'refuse'
   */
  providerRecords?: 'refuse' | 'skip'
  /**
   * Serve the network: answer the RPC protocol, so peers put us in their routing tables and replica
   * sets. `false`: a client (behind a NAT), which reads and writes through servers (see setServing()). @default true
   */
  /**
   * A get or resolve whose replicas we have no open connection to asks a
   * peer we are connected to first (forwarded-read.ts; protocols/rpc.md,
   * "Forwarded reads"). FORWARD requests are served either way. @default true
   */
  forwardReads?: boolean
  /**
   * How many times a forwarder may pass our forwarded reads and puts on
   * when what it reaches is not enough (protocols/rpc.md, "A second hop",
   * "A second hop for puts"): 1, a read or put takes at most two hops over
   * open connections before the direct path; 0, one hop. @default 1
   */
  forwardHops?: number
  /**
   * A join starts with a routed find of its own position through the peer
   * it is connected to (routed-find.ts; protocols/rpc.md, "Routed find"),
   * and pulls at once from the neighbours it names. Routed finds are
   * served either way; `false` joins with the self lookup alone.
   * @default true
   */
  routedJoin?: boolean
  /**
   * A hash put whose replicas we have open connections to fewer than W of
   * hands the item to a peer we are connected to, which collects the
   * replicas' signed store acknowledgements (forwarded-put.ts; protocols/rpc.md,
   * "Forwarded puts"). Needs forwardReads (it shares the forwarder choice).
   * A put that reaches W but not all R replicas without a dial places the
   * other copies the same way (writer.ts `placeWithoutDials`). FORWARD_STORE
   * requests are served either way. Over 20 ms RTT at 50
   * nodes it takes a cold put from 4.99 to 2.80 RTT p50 (README,
   * Performance). The daemon's --forward-puts off turns it off. @default true
   */
  forwardPuts?: boolean
  serve?: boolean
}

/** ToyrrentInit with every default applied and checked. */
export type Settings = Required<Omit<ToyrrentInit, 'datastore' | 'inboundQueue' | 'valueLogDir'>> & Pick<ToyrrentInit, 'datastore' | 'inboundQueue' | 'valueLogDir'> & {
  /** R − W + 1: answers a resolve needs to meet every W-acknowledged write. */
  readQuorum: number
}

export function settings (init: ToyrrentInit): Settings {
  const replicas = init.replicas ?? c.DEFAULT_REPLICAS
  if (!Number.isInteger(replicas) || replicas < 1) throw new InvalidInputError(`replicas must be a positive integer, got ${replicas}`)
  const writeQuorum = init.writeQuorum ?? Math.floor(replicas / 2) + 1
  if (!Number.isInteger(writeQuorum) || writeQuorum < 1 || writeQuorum > replicas) {
    throw new InvalidInputError(`write quorum must be between 1 and replicas (${replicas}), got ${writeQuorum}`)
  }
  const repairInterval = init.repairInterval ?? c.DEFAULT_REPAIR_INTERVAL_MS
  return {
    replicas,
    writeQuorum,
    readQuorum: replicas - writeQuorum + 1,
    alpha: init.alpha ?? c.DEFAULT_ALPHA,
    protocol: init.protocol ?? c.RPC_PROTOCOL,
    datastore: init.datastore,
    valueLogDir: init.valueLogDir,
    allowPrivateAddresses: init.allowPrivateAddresses ?? true,
    serve: init.serve ?? true,
    forwardReads: init.forwardReads ?? true,
    forwardHops: forwardHops(init.forwardHops),
    routedJoin: init.routedJoin ?? true,
    forwardPuts: init.forwardPuts ?? true,
    operationTimeout: init.operationTimeout ?? c.DEFAULT_OPERATION_TIMEOUT_MS,
    requestTimeout: init.requestTimeout ?? c.DEFAULT_REQUEST_TIMEOUT_MS,
    lookupWidth: init.lookupWidth ?? c.DEFAULT_FIND_N,
    itemTtl: init.itemTtl ?? c.DEFAULT_ITEM_TTL_MS,
    maxStorageBytes: init.maxStorageBytes ?? c.DEFAULT_MAX_STORAGE_BYTES,
    repairInterval,
    republishInterval: init.republishInterval ?? c.DEFAULT_REPUBLISH_INTERVAL_MS,
    trialPeriod: init.trialPeriod ?? repairInterval,
    leaveTimeout: init.leaveTimeout ?? c.DEFAULT_LEAVE_TIMEOUT_MS,
    bucketSize: init.bucketSize ?? c.DEFAULT_BUCKET_SIZE,
    refreshInterval: init.refreshInterval ?? c.DEFAULT_REFRESH_INTERVAL_MS,
    inboundQueue: init.inboundQueue,
    frameTimeout: init.frameTimeout ?? c.DEFAULT_FRAME_TIMEOUT_MS,
    idleTimeout: init.idleTimeout ?? c.DEFAULT_IDLE_TIMEOUT_MS,
    autoJoin: init.autoJoin ?? true,
    clock: init.clock ?? systemClock,
    routingNamespaces: init.routingNamespaces ?? {},
    providerRecords: providerRecords(init.providerRecords)
  }
}

function providerRecords (value: ToyrrentInit['providerRecords']): 'refuse' | 'skip' {
  if (value == null) return 'refuse'
  if (value !== 'refuse' && value !== 'skip') throw new InvalidInputError(`providerRecords must be 'refuse' or 'skip', got ${String(value)}`)
  return value
}

function forwardHops (hops: number | undefined): number {
  if (hops == null) return 1
  if (hops !== 0 && hops !== 1) throw new InvalidInputError(`forwardHops must be 0 or 1, got ${hops}`)
  return hops
}
