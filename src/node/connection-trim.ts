/**
 * A bounded set of connections. A DHT node meets many peers it needs once
 * (a lookup's hops, the replicas of one key, peers that dialled it for
 * theirs), and libp2p keeps every connection open until its limit of 300
 * (its own pruner then closes only connections without a stream of ours,
 * and every toyrrent connection holds its long-lived RPC stream). Each
 * connection is a file descriptor: a daemon that meets thousands of peers
 * runs out of them, and so did the 200-node bench (200 nodes in one process,
 * nearly all connected to each other).
 *
 * When more than `maxConnections` are open, this closes the least useful
 * ones until the count is back at the cap: first connections to peers not
 * in the routing table, oldest first; then, only if the members alone are
 * more than the cap, members of the farthest bands (the nearest bands are
 * our replica neighbourhood: repair and handoff talk to them most). A
 * connection younger than `graceMs` is never closed, so an operation that
 * just dialled a peer keeps it for its requests. A closed connection is not
 * a departed peer: the table keeps its members, and the next request redials.
 * A peer another part of the node asked to keep is never closed: libp2p's
 * keep-alive tags (a relay reservation, peers an embedding application keeps)
 * and the relay server's reserved clients.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import type { Connection, Libp2pEvents, PeerId, PeerStore, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** Connections a node keeps open at most (beyond the young ones): kubo's connection manager starts trimming at 96. */
export const DEFAULT_MAX_CONNECTIONS = 64
/** A new connection is kept at least this long (kubo's grace period is 20 s; our operations time out after 10 s). */
export const DEFAULT_CONNECTION_GRACE_MS = 10_000
/** How long after the cap is passed a trim runs: a burst of new connections is trimmed once. */
const TRIM_DELAY_MS = 500
/** The tag circuit-relay-v2's server puts on a client holding a reservation. */
const RELAY_SOURCE_TAG = 'circuit-relay-source'

/** A peer-store tag that asks for the peer's connection to be kept. */
function keepsConnection (tag: string): boolean {
  return tag.startsWith(KEEP_ALIVE) || tag === RELAY_SOURCE_TAG
}

export interface ConnectionTrimInit {
  /** @default DEFAULT_MAX_CONNECTIONS */
  maxConnections?: number
  /** @default DEFAULT_CONNECTION_GRACE_MS */
  graceMs?: number
}

export interface ConnectionTrimComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: ConnectionManager
  /** Whose tags say which peers to keep connected. */
  peerStore: PeerStore
  /** The routing table by distance band (band 0 nearest): the toyrrent service's tableBands(). */
  toyrrent: { tableBands(): Map<number, Array<{ peerId: PeerId }>> }
}

export class ConnectionTrim implements Startable {
  readonly [Symbol.toStringTag] = '@toyrrent/connection-trim'
  readonly maxConnections: number
  readonly graceMs: number
  /** Connections closed so far, by why: not a table member, or a member of a far band. */
  readonly closed = { nonMembers: 0, members: 0 }
  private readonly components: ConnectionTrimComponents
  private timer?: ReturnType<typeof setTimeout>
  private running = false
  private readonly onOpen = (): void => {
    if (this.components.connectionManager.getConnections().length > this.maxConnections) this.schedule(TRIM_DELAY_MS)
  }

  constructor (components: ConnectionTrimComponents, init: ConnectionTrimInit = {}) {
    this.components = components
    this.maxConnections = init.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    this.graceMs = init.graceMs ?? DEFAULT_CONNECTION_GRACE_MS
    if (!Number.isInteger(this.maxConnections) || this.maxConnections < 1) throw new RangeError(`maxConnections must be a positive integer, not ${this.maxConnections}`)
  }

  start (): void {
    this.running = true
    this.components.events.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    this.running = false
    this.components.events.removeEventListener('connection:open', this.onOpen)
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Close connections until at most maxConnections are open (young and kept ones stay); resolves to how many it closed. */
  async trim (now = Date.now()): Promise<number> {
    const open = this.components.connectionManager.getConnections().filter(c => c.status === 'open')
    let excess = open.length - this.maxConnections
    if (excess <= 0) return 0
    let closed = 0
    // the peer store is read only for the candidates, in order, until enough are closed: a trim runs after
    // every burst of new connections, and reading every open connection's tags each time cost a 100-node
    // network in one process ~15 % of its idle CPU
    for (const { connection, member } of this.victims(open, now)) {
      if (excess <= 0) break
      if (await this.isKept(connection.remotePeer)) continue
      if (member) this.closed.members++
      else this.closed.nonMembers++
      connection.close({ signal: AbortSignal.timeout(1_000) }).catch(err => { connection.abort(err) })
      excess--
      closed++
    }
    // some of the excess was too young to close: look again once the oldest of those is old enough
    if (excess > 0) {
      const youngest = open.filter(c => now - c.timeline.open < this.graceMs).reduce((t, c) => Math.min(t, c.timeline.open), Infinity)
      if (Number.isFinite(youngest)) this.schedule(youngest + this.graceMs - now + 1)
    }
    return closed
  }

  /** Closable connections (past their grace), least useful first. */
  private victims (open: Connection[], now: number): Array<{ connection: Connection, member: boolean }> {
    const band = new Map<string, number>()
    for (const [b, peers] of this.components.toyrrent.tableBands()) for (const p of peers) band.set(p.peerId.toString(), b)
    const old = open.filter(c => now - c.timeline.open >= this.graceMs)
    const strangers = old.filter(c => !band.has(c.remotePeer.toString())).sort((a, b) => a.timeline.open - b.timeline.open)
    const out = strangers.map(connection => ({ connection, member: false }))
    // members go only beyond the cap by themselves: the nearest `maxConnections` members' connections stay
    const members = open.filter(c => band.has(c.remotePeer.toString()))
    const memberExcess = members.length - this.maxConnections
    if (memberExcess > 0) {
      const farFirst = members.filter(c => now - c.timeline.open >= this.graceMs)
        .sort((a, b) => (band.get(b.remotePeer.toString()) ?? 0) - (band.get(a.remotePeer.toString()) ?? 0) || a.timeline.open - b.timeline.open)
      out.push(...farFirst.slice(0, memberExcess).map(connection => ({ connection, member: true })))
    }
    return out
  }

  /** Whether the peer's tags ask to keep it connected. */
  private async isKept (peerId: PeerId): Promise<boolean> {
    try {
      const peer = await this.components.peerStore.get(peerId)
      return [...peer.tags.keys()].some(keepsConnection)
    } catch {
      return false // not in the peer store: nothing asked to keep it
    }
  }

  private schedule (ms: number): void {
    if (!this.running || this.timer != null) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.running) this.trim().catch(() => {})
    }, ms)
    this.timer.unref?.()
  }
}

export function connectionTrim (init: ConnectionTrimInit = {}): (components: ConnectionTrimComponents) => ConnectionTrim {
  return (components) => new ConnectionTrim(components, init)
}
