/**
 * An in-memory network of real toyrrent services, for tests (hyperdht's
 * `createTestnet`, kad-dht's `TestDHT`): the real lookup, replication,
 * repair, onboarding and leave-handoff code, with no sockets, no libp2p
 * stack and no timers of its own.
 *
 * Each node is a `Toyrrent` with a MemoryDatastore, minimal stand-ins for
 * the libp2p components it uses, and a `MemoryTransport` in place of libp2p
 * streams (memory-member.ts); who is connected and the partition are
 * memory-links.ts, one exchange as bytes is memory-exchange.ts. Every request goes through the target's real server path: encoded
 * with `Frame.encode`, decoded on the other side, put through the target's
 * inbound queue and handler dispatch (`RpcServer.answer`), its response
 * encoded and decoded in turn, and the bytes counted.
 *
 * Nodes join as real ones do: a newcomer "connects" to one node already in
 * the network, both sides hear of it through the registrar's topology
 * (`onConnect`), and the newcomer's own auto-join (self lookup, then
 * onboarding) runs; `add()` waits for it. Two nodes also "connect" the first
 * time one asks the other something, so a node learns of those that ask it,
 * as over libp2p.
 *
 * Faults: a node that is `down` (or `remove`d, or on the other side of a
 * `partition`) is refused at once, as a refused connection is
 * (`ConnectionRefusedError`, which takes it out of the asker's table); a
 * request in flight to a node that goes down fails with
 * `ConnectionResetError`. `delay` adds latency to every exchange.
 *
 * Unlike a real node, the periodic repair and table refresh are off unless
 * `init` turns them on (`repairInterval`, `refreshInterval`): tests run
 * `repair()` and `refreshTable()` when they mean to. With repair off,
 * `trialPeriod` defaults to 0 as it does on a real node (one repair
 * interval), so an item leaves a node as soon as its new holders confirmed it.
 *
 * @example
 * ```ts
 * import { createMemoryNetwork } from 'toyrrent/testing'
 *
 * const net = await createMemoryNetwork(10)
 * try {
 *   const { key } = await net.nodes[0].put(new TextEncoder().encode('hello'))
 *   const value = await net.nodes[9].get(key)        // 'hello', from a replica
 *   await net.remove(net.nearest(key)[0])            // its nearest replica crashes
 *   await net.nodes[3].get(key)                      // still there
 * } finally {
 *   await net.stop()
 * }
 * ```
 */
import { quietLogger } from '../quiet-logger.ts'
import { NotConnectedError } from '../rpc/not-connected.ts'
import { Frame } from '../rpc/pb/rpc.ts'
import { ConnectionRefusedError, ConnectionResetError, MemoryTransport } from './memory-transport.ts'
import { internals } from '../service/toyrrent.ts'
import { nearestN, peerPosition } from '../keyspace.ts'
import { sleep } from '../signals.ts'
import { systemClock } from '../clock.ts'
import { seededRandom } from './seeded-random.ts'
import { createMember, memberKey } from './memory-member.ts'
import { MemoryLinks } from './memory-links.ts'
import { answerEncoded, underDeadline } from './memory-exchange.ts'
import type { Delay, FrameCarrier } from './memory-transport.ts'
import type { Member } from './memory-member.ts'
import type { FailOn, MemoryNetworkStats } from './memory-exchange.ts'
import type { Toyrrent } from '../service/toyrrent.ts'
import type { Clock } from '../clock.ts'
import type { ToyrrentInit } from '../service/options.ts'
import type { Exchange } from '../rpc/channel.ts'
import type { ExchangeOptions } from '../rpc/client.ts'
import type { ComponentLogger, PeerId } from '@libp2p/interface'

export type { MemoryNetworkStats }

export interface MemoryNetworkOptions {
  /** Added to every exchange before the request reaches the target. @default 0 */
  delay?: Delay
  /**
   * Once every node joined, each looks itself up once more, so the nodes
   * that joined early learn of the later ones near them (as the TCP testnet
   * does). @default true
   */
  refresh?: boolean
  /** Component logger of every node. @default quietLogger() (silent unless DEBUG names toyrrent) */
  logger?: ComponentLogger
  /**
   * Node keys and the node each newcomer joins through derive from this seed
   * (the virtual-time simulation's determinism). @default random keys and joins
   */
  seed?: number
  /** Told of every request sent (before delivery, refused ones too): per-node counts in the simulations. */
  onExchange?: (from: PeerId, to: PeerId, type: string) => void
  /**
   * A first exchange between two nodes not connected costs this many more
   * exchange delays: a new connection's set-up (TCP, multistream-select,
   * Noise, yamux: about 4). @default 0
   */
  connectRtts?: number
}

export interface MemoryNetwork {
  /** The nodes in the network, in the order they joined (removed and departed ones leave the list). */
  readonly nodes: Toyrrent[]
  /**
   * Start one more node and let it join through a random node of the network; resolves once its join is done.
   * With `join: false` the node only starts: it knows nobody (the simulation fills tables itself). With `settled: false`
   * it resolves when join() does, not once the work the join leaves running (the rest of its self lookup, the far bands) has settled.
   */
  add(init?: ToyrrentInit, options?: { join?: boolean, settled?: boolean }): Promise<Toyrrent>
  /** A node's peer id. */
  peerId(node: Toyrrent): PeerId
  /** A transport that sends as `node` (raw frames to other nodes, as its own client does). */
  transport(node: Toyrrent): MemoryTransport
  /** The nodes of the network nearest to `key` by XOR distance, nearest first (the first R are its replica set). */
  nearest(key: Uint8Array, count?: number): Toyrrent[]
  /** Take a node off the network: requests to and from it are refused until `up()`; it keeps its data and keeps running. */
  down(node: Toyrrent): void
  up(node: Toyrrent): void
  /**
   * Only nodes in the same group reach each other; nodes not named form one
   * more group. A new partition replaces the last one.
   */
  partition(...groups: Toyrrent[][]): void
  /** End the partition. */
  heal(): void
  /** Latency of every exchange from now on. */
  setDelay(delay: Delay): void
  /** A crash: the node stops at once, without handing anything on, and leaves the network. */
  remove(node: Toyrrent): Promise<void>
  /** A graceful leave: the node hands its items to the next nearest nodes (its `beforeStop`), then stops and leaves the network. */
  leave(node: Toyrrent): Promise<void>
  readonly stats: MemoryNetworkStats
  /** Connections opened between two nodes so far: a pair that exchanged nothing before (or since `disconnect`) and now does (forwarded reads count what they save). */
  connectionsOpened(): number
  /** Are the two nodes connected (they exchanged something, and were not disconnected since)? */
  connected(a: Toyrrent, b: Toyrrent): boolean
  /** Close the connection between two nodes; they keep each other in their tables (as when libp2p prunes a connection). */
  disconnect(a: Toyrrent, b: Toyrrent): void
  /** Stop every node (no handoff: nobody is left to hand items to). */
  stop(): Promise<void>
}

/**
 * Start `size` real toyrrent services on an in-memory network, each joined
 * through a node that was there before it. `init` applies to every node
 * (`add(init)` may add to it for one).
 */
export async function createMemoryNetwork (size: number, init: ToyrrentInit = {}, options: MemoryNetworkOptions = {}): Promise<MemoryNetwork> {
  const network = new Network(init, options)
  try {
    for (let i = 0; i < size; i++) await network.add()
    if (options.refresh !== false && size > 1) await Promise.all(network.nodes.map(async n => n.refresh()))
  } catch (err) {
    await network.stop()
    throw err
  }
  return network
}

class Network implements MemoryNetwork, FrameCarrier {
  readonly nodes: Toyrrent[] = []
  readonly stats: MemoryNetworkStats = { exchanges: 0, bytes: 0, refused: 0, bytesByType: {} }
  private readonly init: ToyrrentInit
  private readonly logger: ComponentLogger
  private readonly members = new Map<string, Member>()
  private readonly byNode = new Map<Toyrrent, Member>()
  private readonly links = new MemoryLinks()
  private delay: Delay
  private nextId = 1n
  private stopped = false
  /** The nodes' clock (init.clock): delays and exchange deadlines run on it too. */
  private readonly clock: Clock
  private readonly seed?: number
  private readonly random: () => number
  private keysMade = 0
  private readonly onExchange?: MemoryNetworkOptions['onExchange']
  private readonly connectRtts: number

  constructor (init: ToyrrentInit, options: MemoryNetworkOptions) {
    this.onExchange = options.onExchange
    this.connectRtts = options.connectRtts ?? 0
    this.init = { repairInterval: 0, refreshInterval: 0, ...init }
    this.clock = init.clock ?? systemClock
    this.seed = options.seed
    this.random = options.seed == null ? Math.random : seededRandom(options.seed)
    this.delay = options.delay ?? 0
    this.logger = options.logger ?? quietLogger()
  }

  /**
   * Start a node and join it through a random live node. `settled` (default
   * true) also waits for the work the join leaves running (the rest of its
   * self lookup, the far bands), so a test sees the table a join leads to;
   * the virtual-time simulation passes false to time the join itself.
   */
  async add (init: ToyrrentInit = {}, options: { join?: boolean, settled?: boolean } = {}): Promise<Toyrrent> {
    if (this.stopped) throw new Error('the memory network was stopped')
    const member = await this.start({ ...this.init, ...init })
    this.nodes.push(member.node)
    if (options.join === false) return member.node
    const reachable = [...this.byNode.values()].filter(m => !m.down && m !== member)
    if (reachable.length === 0) return member.node
    const via = reachable[Math.floor(this.random() * reachable.length)]
    this.links.connect(member, via)
    // onConnect learns the peer after a peer-store read (a few microtasks):
    // once they have run, the service's own join is under way and join() shares it
    await new Promise(resolve => setImmediate(resolve))
    await member.node.join()
    if (options.settled !== false) await member.node[internals].joinSettled?.()
    return member.node
  }

  peerId (node: Toyrrent): PeerId {
    return this.member(node).peerId
  }

  transport (node: Toyrrent): MemoryTransport {
    return new MemoryTransport(this, this.peerId(node))
  }

  nearest (key: Uint8Array, count = this.nodes.length): Toyrrent[] {
    return nearestN(key, this.nodes, count, node => peerPosition(this.peerId(node)))
  }

  down (node: Toyrrent): void {
    const member = this.member(node)
    if (member.down) return
    member.down = true
    member.alive.abort(new ConnectionResetError(`${member.peerId} went down`))
    this.links.disconnect(member)
  }

  up (node: Toyrrent): void {
    const member = this.member(node)
    if (!member.down) return
    member.down = false
    member.alive = new AbortController()
  }

  partition (...groups: Toyrrent[][]): void {
    this.links.partition(groups.map(group => group.map(node => this.member(node).peerId.toString())))
  }

  heal (): void {
    this.links.heal()
  }

  setDelay (delay: Delay): void {
    this.delay = delay
  }

  connectionsOpened (): number {
    return this.links.opened
  }

  connected (a: Toyrrent, b: Toyrrent): boolean {
    return this.links.isLinked(this.peerId(a).toString(), this.peerId(b).toString())
  }

  disconnect (a: Toyrrent, b: Toyrrent): void {
    this.links.disconnectPair(this.peerId(a).toString(), this.peerId(b).toString())
  }

  isLinked (from: PeerId, to: PeerId): boolean {
    return this.links.isLinked(from.toString(), to.toString())
  }

  async remove (node: Toyrrent): Promise<void> {
    const member = this.member(node)
    this.down(node)
    await node.stop()
    this.forget(member)
  }

  async leave (node: Toyrrent): Promise<void> {
    const member = this.member(node)
    await node.beforeStop()
    await node.stop()
    this.down(node)
    this.forget(member)
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    const members = [...this.byNode.values()]
    for (const m of members) m.alive.abort(new ConnectionResetError('the memory network stopped'))
    await Promise.allSettled(members.map(async m => m.node.stop()))
    for (const m of members) this.forget(m)
  }

  /**
   * One request from `from` to `to` and its response, through the target's
   * real server path. Settles with the response, or fails on the caller's
   * signal, the deadline, or the target going down, whichever comes first.
   */
  async exchange (from: PeerId, to: PeerId, frame: Partial<Frame>, options: ExchangeOptions): Promise<Exchange> {
    options.signal?.throwIfAborted()
    // a forwarded read goes only over a connection already open (the forwarder never dials)
    if (options.noDial === true && !this.links.isLinked(from.toString(), to.toString())) throw new NotConnectedError(`${from} has no connection to ${to}`)
    this.onExchange?.(from, to, String(frame.type))
    const request = Frame.encode({ ...frame, id: this.nextId++, response: false })
    return underDeadline(this.clock, options, async failOn => this.deliver(from, to, request, options.signal, failOn))
  }

  /** Carry an encoded request to its target's server and bring the response back encoded, counting both. */
  private async deliver (from: PeerId, to: PeerId, request: Uint8Array, signal: AbortSignal | undefined, failOn: FailOn): Promise<Exchange> {
    this.reach(from, to)
    const ms = typeof this.delay === 'number' ? this.delay : this.delay(from, to)
    const setUp = this.connectRtts > 0 && !this.links.isLinked(from.toString(), to.toString()) ? this.connectRtts * ms : 0
    if (ms + setUp > 0) await sleep(ms + setUp, signal, this.clock)
    // the target may have gone down while the request travelled
    const { sender, target } = this.reach(from, to)
    this.links.connect(sender, target)
    const alive = target.alive.signal
    failOn(alive)
    return answerEncoded(target.node[internals].server, from, request, alive, this.stats)
  }

  /** The target, when `from` can reach `to`; else ConnectionRefusedError. */
  private reach (from: PeerId, to: PeerId): { sender: Member, target: Member } {
    const sender = this.members.get(from.toString())
    const target = this.members.get(to.toString())
    if (this.stopped) throw this.refuse(to, 'the memory network was stopped')
    if (sender == null || sender.down) throw this.refuse(to, 'the sender is not on the network')
    if (target == null) throw this.refuse(to, 'no such node on the network')
    if (target.down) throw this.refuse(to, 'the node is down')
    if (!target.handled.has(this.protocol(target))) throw this.refuse(to, 'the node does not serve toyrrent (stopped)')
    if (!this.links.sameSide(from.toString(), to.toString())) throw this.refuse(to, 'partitioned away')
    return { sender, target }
  }

  private refuse (to: PeerId, why: string): ConnectionRefusedError {
    this.stats.refused++
    return new ConnectionRefusedError(`${to}: ${why}`)
  }

  private protocol (member: Member): string {
    return member.node[internals].settings.protocol
  }

  private member (node: Toyrrent): Member {
    const member = this.byNode.get(node)
    if (member == null) throw new Error('not a node of this memory network')
    return member
  }

  private forget (member: Member): void {
    this.links.disconnect(member)
    this.members.delete(member.peerId.toString())
    this.byNode.delete(member.node)
    const at = this.nodes.indexOf(member.node)
    if (at >= 0) this.nodes.splice(at, 1)
  }

  private async start (init: ToyrrentInit): Promise<Member> {
    const member = createMember(await memberKey(this.seed, this.keysMade++), init, this, this.logger)
    this.members.set(member.peerId.toString(), member)
    this.byNode.set(member.node, member)
    await member.node.start()
    return member
  }
}
