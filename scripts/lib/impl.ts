/**
 * One benchmark node of either implementation behind one small interface, so
 * the same workload drives toyrrent and the @libp2p/kad-dht baseline, in this
 * process or in a child process (scripts/bench-node.ts).
 *
 * Both run the identical libp2p stack of createToyrrentNode: TCP on
 * 127.0.0.1, Noise, Yamux, identify, ping, the same connection-manager
 * settings, an in-memory datastore. The toyrrent node is createToyrrentNode
 * itself; the baseline node swaps the toyrrent service for a kad-dht with a validator and
 * selector for the `bench` / `benchpub` namespaces and a passthrough
 * peer-info mapper (loopback addresses kept).
 */
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT } from '@libp2p/kad-dht'
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { MemoryDatastore } from 'datastore-core'
import { multiaddr } from '@multiformats/multiaddr'
import { createToyrrentNode } from '../../src/node.ts'
import { sha256 } from '../../src/keyspace.ts'
import { internals } from '../../src/service/toyrrent.ts'
import { toHex } from './stats.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'

export type ImplName = 'toyrrent' | 'kad-dht' | 'hyperdht' | 'bittorrent-dht'

export const IMPL_NAMES: readonly ImplName[] = ['toyrrent', 'hyperdht', 'bittorrent-dht', 'kad-dht']

export interface ImplNodeOptions {
  /** Dial address (with /p2p) of an earlier node; none for the first. */
  bootstrap?: string
  replicas?: number
  writeQuorum?: number
  /** toyrrent: forwarded reads on (default) or off (the cold-read phase's "before"). */
  forwardReads?: boolean
  /** toyrrent: listen (and so be dialled) on TCP (default) or QUIC only. */
  transport?: BenchTransport
}

export type BenchTransport = 'tcp' | 'quic'

/** The one loopback listen address of each transport a bench node may use. */
export const LOOPBACK_LISTEN: Record<BenchTransport, string> = { tcp: '/ip4/127.0.0.1/tcp/0', quic: '/ip4/127.0.0.1/udp/0/quic-v1' }

export function parseBenchTransport (text: string): BenchTransport {
  if (text !== 'tcp' && text !== 'quic') throw new Error(`--transport must be tcp or quic, not "${text}"`)
  return text
}

export interface ImplNode {
  readonly impl: ImplName
  /** Loopback dial address with /p2p. */
  addr(): string
  /** Look ourselves up again (after everyone joined). */
  refresh(signal: AbortSignal): Promise<void>
  /** Resolves once the work a join leaves for later is over (toyrrent: the self lookup 30 s after it); absent: none. */
  settled?(signal: AbortSignal): Promise<void>
  /** Store a 1 KiB value; returns the key to read it back with. */
  put(value: Uint8Array, signal: AbortSignal): Promise<Uint8Array>
  get(key: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined>
  /** True when this build has publish/resolve. */
  canPublish(): boolean
  /** Publish `value` at `seq` under the id of the Ed25519 key derived from `seed`; returns the id. */
  publish(seed: Uint8Array, value: Uint8Array, seq: bigint, signal: AbortSignal): Promise<Uint8Array>
  resolve(id: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined>
  /** Derive (and cache) publisher keys before anything is timed. */
  prepareKeys(seeds: Uint8Array[]): Promise<void>
  /** How many peers the node's routing table holds. */
  tableSize(): number
  /** Outbound requests this node sent, by message type (counted by wrapping the RPC client). */
  requestCounts(): Record<string, number>
  /** Does this node hold `key` in its own store (a get here would not go over the network)? */
  holds(key: Uint8Array): boolean
  /** Connections this node opened or accepted so far (0 for the UDP DHTs, which have none). */
  newConnections(): number
  /** Connections open now (connection-based implementations). */
  openConnections?(): number
  /** Connections the node's own trim closed so far (toyrrent: src/node/connection-trim.ts). */
  trimmedConnections?(): number
  /** The same, by kind: table members, and peers outside the table (src/node/connection-trim.ts). */
  trimmedByKind?(): { members: number, nonMembers: number }
  /** The largest value this implementation can store, when below the workload's size. */
  readonly maxValueBytes?: number
  /** The node's libp2p peer id (connection-based implementations): where it sits in the key space. */
  peerIdString?(): string
  /** Close every connection to these peers (the cold-read phase: a reader with no connection to a key's replica set). */
  hangUp?(peers: string[]): Promise<void>
  /** Dial these loopback addresses (with /p2p) again (the cold-read phase's --cold-restore). */
  redial?(addrs: string[]): Promise<void>
  stop(): Promise<void>
}

/** Count the connections a libp2p node opens or accepts. */
function countConnections (libp2p: Libp2p): { count: number } {
  const counter = { count: 0 }
  libp2p.addEventListener('connection:open', () => { counter.count++ })
  return counter
}

const LISTEN = [LOOPBACK_LISTEN.tcp]

/** toyrrent's operation timeout in the bench: what bounds the start-up join's stalls (the bench's own operations pass --op-timeout-ms). */
const BENCH_OPERATION_TIMEOUT_MS = 120_000

export async function createImplNode (impl: ImplName, options: ImplNodeOptions = {}): Promise<ImplNode> {
  switch (impl) {
    case 'toyrrent': return ToyrrentBenchNode.create(options)
    case 'kad-dht': return KadBenchNode.create(options)
    case 'hyperdht': return (await import('./hyperdht.ts')).HyperdhtBenchNode.create(options)
    case 'bittorrent-dht': return (await import('./bittorrent-dht.ts')).BittorrentBenchNode.create(options)
    default: throw new Error(`unknown implementation ${String(impl)}`)
  }
}

function loopbackAddr (libp2p: Libp2p, transport: BenchTransport = 'tcp'): string {
  const prefix = transport === 'quic' ? '/ip4/127.0.0.1/udp/' : '/ip4/127.0.0.1/tcp/'
  const addr = libp2p.getMultiaddrs().find(a => a.toString().startsWith(prefix))
  if (addr == null) throw new Error('node has no loopback address')
  return addr.toString()
}

/** Publisher keys derived from 32-byte seeds, cached so signing is the only key work timed. */
class KeyCache {
  private readonly keys = new Map<string, PrivateKey>()

  async get (seed: Uint8Array): Promise<PrivateKey> {
    const hex = toHex(seed)
    let key = this.keys.get(hex)
    if (key == null) {
      key = await generateKeyPairFromSeed('Ed25519', seed)
      this.keys.set(hex, key)
    }
    return key
  }
}

/**
 * Count calls of owner[field][method] by a label taken from the arguments:
 * a scripts-only probe (no hook in src/), so it reaches a private field.
 */
function countRequests (owner: any, field: string, method: string, label: (...args: any[]) => string, counts: Record<string, number>): void {
  const target = owner?.[field]
  if (target == null || typeof target[method] !== 'function') return
  const original = target[method].bind(target)
  target[method] = (...args: any[]) => {
    const l = label(...args)
    counts[l] = (counts[l] ?? 0) + 1
    return original(...args)
  }
}

// ---------------------------------------------------------------- toyrrent

/** The typed client's methods and the wire request type each sends. */
const RPC_TYPES = {
  findBeforeN: 'FIND_BEFORE_N',
  fetch: 'FETCH',
  store: 'STORE',
  digest: 'DIGEST',
  syncKeys: 'SYNC_KEYS',
  holds: 'HOLDS',
  handoff: 'HANDOFF',
  acknowledgeHandoff: 'HANDOFF',
  forward: 'FORWARD',
  forwardStore: 'FORWARD_STORE'
}

export class ToyrrentBenchNode implements ImplNode {
  readonly impl = 'toyrrent' as const
  private readonly keys = new KeyCache()

  private readonly counts: Record<string, number> = {}

  private readonly connections: { count: number }

  private constructor (private readonly node: ToyrrentNode, private readonly transport: BenchTransport = 'tcp') {
    this.connections = countConnections(node.libp2p)
    // requests counted by wire type around the service's typed RPC client
    for (const [method, type] of Object.entries(RPC_TYPES)) countRequests(node.toyrrent[internals], 'rpc', method, () => type, this.counts)
    // where a cold read's round trips go: new RPC streams (the client's transport), forwarded reads' direct-path starts by reason
    countRequests(node.toyrrent[internals].rpc, 'transport', 'openChannel', () => 'new RPC stream', this.counts)
    // bench --no-optimistic-select (the "before" of rpc/optimistic-select.ts): new streams negotiate in full first
    const frames = (node.toyrrent[internals].rpc as any).transport
    if (process.env.BENCH_NO_OPTIMISTIC_SELECT === '1' && frames != null && 'optimistic' in frames) frames.optimistic = false
    const forwarded = (node.toyrrent as any).hashItems?.init?.forwarded
    countRequests({ forwarded }, 'forwarded', 'fellBack', (why: string) => `FORWARD fallback (${why})`, this.counts)
    // bench --one-forwarder: no second forwarder before the direct path (the "before" of forwardersFor's second)
    if (process.env.BENCH_ONE_FORWARDER === '1' && typeof forwarded?.forwardersFor === 'function') {
      const forwardersFor = forwarded.forwardersFor.bind(forwarded)
      forwarded.forwardersFor = (key: Uint8Array, needOpen: number) => forwardersFor(key, needOpen, 1)
    }
    // bench --no-doubt-view: the "before" of Neighbourhood.mayMiss (reads forward only when no replica of our view is connected; a put takes far acknowledgers for the replica set)
    const neighbourhood = forwarded?.init?.neighbourhood
    if (process.env.BENCH_NO_DOUBT_VIEW === '1' && neighbourhood != null) neighbourhood.mayMiss = () => false
    // bench --dial-view: the "before" of ForwardedReads.overOpen (the direct path of a view that looks right dials)
    if (process.env.BENCH_DIAL_VIEW === '1' && forwarded != null) forwarded.overOpen = async (signal: AbortSignal, direct: (s: AbortSignal, mayAsk: () => boolean) => Promise<unknown>) => direct(signal, () => true)
    // bench --no-quorum-hints: FORWARD without enough / shortAtOnce (the "before" of rpc.md's "Quorum hints")
    if (process.env.BENCH_NO_QUORUM_HINTS === '1' && typeof forwarded?.ask === 'function') {
      const ask = forwarded.ask.bind(forwarded)
      forwarded.ask = async (forwarder: unknown, key: Uint8Array, mode: string, signal: AbortSignal) => ask(forwarder, key, mode, signal)
    }
    // joins after this node's own first one: the rejoins after a pause (cas-local.ts), one self lookup and handoff each
    countRequests({ toyrrent: node.toyrrent }, 'toyrrent', 'join', () => 'rejoin', this.counts)
    const writer = (node.toyrrent as any).hashItems?.init?.writer
    // forwarded puts whose acks fell short (the direct path finished them); bench --no-forward-puts: none (the "before" of forwarded-put.ts)
    countRequests(writer?.init, 'forwardedPuts', 'fellBack', () => 'FORWARD_STORE fallback', this.counts)
    if (process.env.BENCH_NO_FORWARD_PUTS === '1' && writer?.init != null) delete writer.init.forwardedPuts
  }

  static async create (options: ImplNodeOptions): Promise<ToyrrentBenchNode> {
    const node = await createToyrrentNode({
      listen: [LOOPBACK_LISTEN[options.transport ?? 'tcp']],
      bootstrap: options.bootstrap != null ? [options.bootstrap] : [],
      replicas: options.replicas,
      writeQuorum: options.writeQuorum,
      // the join each node runs at start-up gives up after 30 s without progress by default: in a 200-node
      // network on 2 loaded cores it can stall that long; every bench operation still passes its own deadline
      operationTimeout: BENCH_OPERATION_TIMEOUT_MS,
      // BENCH_MAX_CONNECTIONS: another connection cap than the node's default (src/node/connection-trim.ts), to measure what the cap costs
      ...(process.env.BENCH_MAX_CONNECTIONS != null ? { maxConnections: Number(process.env.BENCH_MAX_CONNECTIONS) } : {}),
      ...(options.forwardReads != null ? { forwardReads: options.forwardReads } : {}),
      // bench --one-hop: forwarded reads are never passed on (the "before" of rpc.md's "A second hop")
      ...(process.env.BENCH_ONE_HOP === '1' ? { forwardHops: 0 } : {}),
      // forwarded puts (off by default in the service) on unless --no-forward-puts
      forwardPuts: process.env.BENCH_NO_FORWARD_PUTS !== '1'
    })
    return new ToyrrentBenchNode(node, options.transport)
  }

  get toyrrent (): ToyrrentNode['toyrrent'] { return this.node.toyrrent }

  addr (): string { return loopbackAddr(this.node.libp2p, this.transport) }

  /** Bounded by the formation deadline (`signal`, --form-timeout-s), not the 30 s operation default: 50 self lookups at once on a loaded machine take longer. */
  async refresh (signal: AbortSignal): Promise<void> { await this.node.toyrrent.refresh({ signal, timeout: 3_600_000 }) }

  async settled (signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    const aborted = new Promise<never>((resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true }) })
    await Promise.race([this.node.toyrrent[internals].settleLookupDone?.(), aborted])
  }

  async put (value: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    return (await this.node.toyrrent.put(value, { signal })).key
  }

  async get (key: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    return this.node.toyrrent.get(key, { signal })
  }

  canPublish (): boolean {
    const t = this.node.toyrrent as any
    return typeof t.publish === 'function' && typeof t.resolve === 'function'
  }

  async prepareKeys (seeds: Uint8Array[]): Promise<void> {
    for (const seed of seeds) await this.keys.get(seed)
  }

  /**
   * publish(privateKey, value, { seq }) signs here (the key stays with the
   * caller) and stores on the replica set; seq is given so no resolve runs first.
   */
  async publish (seed: Uint8Array, value: Uint8Array, seq: bigint, signal: AbortSignal): Promise<Uint8Array> {
    const privateKey = await this.keys.get(seed)
    const result = await (this.node.toyrrent as any).publish(privateKey, value, { seq, signal })
    return result.id
  }

  async resolve (id: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const result = await (this.node.toyrrent as any).resolve(id, { signal })
    if (result instanceof Uint8Array) return result
    return result?.value ?? result?.record?.value
  }

  tableSize (): number { return this.node.toyrrent[internals].table.size }

  get libp2p (): ToyrrentNode['libp2p'] { return this.node.libp2p }

  /** One raw RPC to another node over the service's own client (for the per-request floor). */
  async rawRequest (to: ToyrrentBenchNode, frame: object, signal: AbortSignal): Promise<unknown> {
    return (this.node.toyrrent as any).rpc.request(to.node.libp2p.peerId, frame, { signal, timeout: 5_000 })
  }

  requestCounts (): Record<string, number> { return { ...this.counts } }

  holds (key: Uint8Array): boolean { return this.node.toyrrent[internals].store.has(key) }

  newConnections (): number { return this.connections.count }

  openConnections (): number { return this.node.libp2p.getConnections().length }

  trimmedByKind (): { members: number, nonMembers: number } {
    const { members, nonMembers } = this.node.libp2p.services.connectionTrim.closed
    return { members, nonMembers }
  }

  trimmedConnections (): number {
    const closed = this.trimmedByKind()
    return closed.members + closed.nonMembers
  }

  peerIdString (): string { return this.node.libp2p.peerId.toString() }

  async hangUp (peers: string[]): Promise<void> {
    const wanted = new Set(peers)
    const open = this.node.libp2p.getConnections().filter(c => wanted.has(c.remotePeer.toString()))
    await Promise.all(open.map(async c => c.close().catch(() => { c.abort(new Error('cold read: hung up')) })))
  }

  async redial (addrs: string[]): Promise<void> {
    await Promise.all(addrs.map(async a => this.node.libp2p.dial(multiaddr(a)).then(() => {}, () => {})))
  }

  async stop (): Promise<void> { await this.node.stop() }
}

// ---------------------------------------------------------------- kad-dht

const KAD_PROTOCOL = '/bench/kad/1.0.0'
const HASH_NS = 'bench'
const PUBLISH_NS = 'benchpub'
const encoder = new TextEncoder()

/** `/bench/<hex sha256(value)>`: the hash item of the baseline. */
function hashKey (value: Uint8Array): Uint8Array {
  return encoder.encode(`/${HASH_NS}/${toHex(sha256(value))}`)
}

/** `/benchpub/<hex id>`: the publish item of the baseline, id = sha256(public key). */
function publishKey (id: Uint8Array): Uint8Array {
  return encoder.encode(`/${PUBLISH_NS}/${toHex(id)}`)
}

/**
 * Baseline publish record: seq (u64 be) ‖ public key (32) ‖ signature (64)
 * over ("benchpub" ‖ seq ‖ value) ‖ value. The validator checks the key
 * matches the id and the signature verifies, as toyrrent's store does.
 */
const PUB_HEADER = 8 + 32 + 64

function signedPayload (seq: Uint8Array, value: Uint8Array): Uint8Array {
  const payload = new Uint8Array(PUBLISH_NS.length + 8 + value.byteLength)
  payload.set(encoder.encode(PUBLISH_NS), 0)
  payload.set(seq, PUBLISH_NS.length)
  payload.set(value, PUBLISH_NS.length + 8)
  return payload
}

function decodeBaselineRecord (bytes: Uint8Array): { seq: bigint, publicKey: Uint8Array, signature: Uint8Array, value: Uint8Array, seqBytes: Uint8Array } {
  if (bytes.byteLength < PUB_HEADER) throw new Error('record too short')
  const seqBytes = bytes.subarray(0, 8)
  return {
    seqBytes,
    seq: new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0),
    publicKey: bytes.subarray(8, 40),
    signature: bytes.subarray(40, PUB_HEADER),
    value: bytes.subarray(PUB_HEADER)
  }
}

const decoder = new TextDecoder()

async function validateHash (key: Uint8Array, value: Uint8Array): Promise<void> {
  const expected = decoder.decode(key)
  if (expected !== decoder.decode(hashKey(value))) throw new Error('value does not hash to key')
}

async function validatePublish (key: Uint8Array, value: Uint8Array): Promise<void> {
  const record = decodeBaselineRecord(value)
  if (decoder.decode(key) !== decoder.decode(publishKey(sha256(record.publicKey)))) throw new Error('key does not match id')
  const ok = await publicKeyFromRaw(record.publicKey).verify(signedPayload(record.seqBytes, record.value), record.signature)
  if (!ok) throw new Error('bad signature')
}

function selectHighestSeq (_key: Uint8Array, records: Uint8Array[]): number {
  let best = 0
  let bestSeq = -1n
  records.forEach((r, i) => {
    try {
      const seq = decodeBaselineRecord(r).seq
      if (seq > bestSeq) { best = i; bestSeq = seq }
    } catch {}
  })
  return best
}

type KadLibp2p = Libp2p<{ dht: KadDHT, identify: unknown, ping: unknown }>

class KadBenchNode implements ImplNode {
  readonly impl = 'kad-dht' as const
  private readonly keys = new KeyCache()

  private readonly counts: Record<string, number> = {}

  private readonly connections: { count: number }

  private constructor (private readonly libp2p: KadLibp2p) {
    this.connections = countConnections(libp2p)
    countRequests(libp2p.services.dht as any, 'network', 'sendRequest', (_peer: unknown, msg: any) => String(msg?.type), this.counts)
  }

  requestCounts (): Record<string, number> { return { ...this.counts } }

  static async create (options: ImplNodeOptions): Promise<KadBenchNode> {
    const libp2p = await createLibp2p({
      datastore: new MemoryDatastore(),
      addresses: { listen: LISTEN },
      connectionManager: { inboundConnectionThreshold: 200, maxIncomingPendingConnections: 64 },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        ping: ping(),
        dht: kadDHT({
          protocol: KAD_PROTOCOL,
          clientMode: false,
          peerInfoMapper: peer => peer,
          validators: { [HASH_NS]: validateHash, [PUBLISH_NS]: validatePublish },
          selectors: { [HASH_NS]: () => 0, [PUBLISH_NS]: selectHighestSeq }
        })
      }
    })
    const node = new KadBenchNode(libp2p)
    if (options.bootstrap != null) {
      await libp2p.dial(multiaddr(options.bootstrap), { signal: AbortSignal.timeout(10_000) })
      await node.refresh(AbortSignal.timeout(30_000))
    }
    return node
  }

  addr (): string { return loopbackAddr(this.libp2p) }

  /** kad-dht's own self-lookup, what its querySelf does. */
  async refresh (signal: AbortSignal): Promise<void> {
    for await (const _ of this.libp2p.services.dht.getClosestPeers(this.libp2p.peerId.toMultihash().bytes, { signal })) {}
  }

  async put (value: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const key = hashKey(value)
    for await (const _ of this.libp2p.services.dht.put(key, value, { signal })) {}
    return key
  }

  /** The first VALUE event is kad-dht's selected best value (what libp2p.contentRouting.get returns). */
  async get (key: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    for await (const event of this.libp2p.services.dht.get(key, { signal })) {
      if (event.name === 'VALUE') return event.value
    }
    return undefined
  }

  canPublish (): boolean { return true }

  async prepareKeys (seeds: Uint8Array[]): Promise<void> {
    for (const seed of seeds) await this.keys.get(seed)
  }

  async publish (seed: Uint8Array, value: Uint8Array, seq: bigint, signal: AbortSignal): Promise<Uint8Array> {
    const privateKey = await this.keys.get(seed)
    const publicKey = privateKey.publicKey.raw
    const id = sha256(publicKey)
    const seqBytes = new Uint8Array(8)
    new DataView(seqBytes.buffer).setBigUint64(0, seq)
    const signature = await privateKey.sign(signedPayload(seqBytes, value))
    const record = new Uint8Array(PUB_HEADER + value.byteLength)
    record.set(seqBytes, 0)
    record.set(publicKey, 8)
    record.set(signature, 40)
    record.set(value, PUB_HEADER)
    for await (const _ of this.libp2p.services.dht.put(publishKey(id), record, { signal })) {}
    return id
  }

  async resolve (id: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const bytes = await this.get(publishKey(id), signal)
    if (bytes == null) return undefined
    const record = decodeBaselineRecord(bytes)
    // the reader re-verifies, as toyrrent's does
    const ok = await publicKeyFromRaw(record.publicKey).verify(signedPayload(record.seqBytes, record.value), record.signature)
    return ok ? record.value : undefined
  }

  tableSize (): number {
    return (this.libp2p.services.dht as any).routingTable?.size ?? -1
  }

  /** kad-dht answers a get from its datastore first; not probed here. */
  holds (): boolean { return false }

  newConnections (): number { return this.connections.count }

  async stop (): Promise<void> { await this.libp2p.stop() }
}
