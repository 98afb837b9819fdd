/**
 * Routing-table upkeep (the seeds' "keep routing table fresh with periodic
 * checks"): every `interval` ms, a lookup of our own position (finds and
 * refreshes our nearest neighbours) and then one lookup of a random position
 * in each distance band 2^i..2^(i+1) from us that holds fewer than
 * `bucketSize` peers. The nearest nodes to a position in band i are the nodes
 * in band i, so such a lookup finds them if any exist and the table learns
 * them as they answer. Bands nearer than our nearest known peer (less one,
 * for margin) hold no node and are skipped. In each full band where newcomers
 * wait for a place, the member not heard from for longest (and not within the
 * interval) is looked up by its own position, which asks it: if it is gone,
 * it leaves the table and the newest newcomer takes its place.
 */
import { randomBytes } from 'node:crypto'
import { POSITION_BYTES, distanceBand } from '../keyspace.ts'
import type { FoundPeer } from '../found-peer.ts'
import { FILL_ASKS_PER_BAND, FILL_VERIFY_MAX, MIN_STALE_MS, REFRESH_CONCURRENCY, SETTLE_LOOKUP_MS } from '../constants.ts'
import type { PeerTable } from './peer-table.ts'
import type { Logger } from '@libp2p/interface'
import { systemClock } from '../clock.ts'
import type { Clock, ClockTimer } from '../clock.ts'
import { eachBounded } from '../each-bounded.ts'

export interface TableRefresherInit {
  table: PeerTable
  bucketSize: number
  /** ms between refreshes; 0 = never on its own. */
  interval: number
  /** Lookups run at once. @default 3 */
  concurrency?: number
  log: Logger
  /** Run a lookup of `target`; peers that answer land in the table. */
  lookup(target: Uint8Array, signal: AbortSignal): Promise<void>
  clock?: Clock
}

export interface RefreshResult {
  /** Bands looked up (besides ourselves). */
  bands: number[]
  /** Members of full bands asked whether they are still there. */
  checked: number
  /** Lookups that failed. */
  failed: number
}

export class TableRefresher {
  private readonly init: TableRefresherInit
  private timer?: ClockTimer
  private settleTimer?: ClockTimer
  private controller = new AbortController()
  private running?: Promise<RefreshResult>
  private settling?: Promise<void>

  constructor (init: TableRefresherInit) {
    this.init = init
  }

  start (): void {
    this.controller = new AbortController()
    this.schedule()
  }

  stop (): void {
    (this.init.clock ?? systemClock).clearTimeout(this.timer);
    (this.init.clock ?? systemClock).clearTimeout(this.settleTimer)
    this.timer = undefined
    this.settleTimer = undefined
    this.controller.abort()
  }

  /** One refresh round; concurrent callers share the round in progress. */
  async refresh (signal?: AbortSignal): Promise<RefreshResult> {
    this.running ??= this.round(signal == null ? this.controller.signal : AbortSignal.any([signal, this.controller.signal]))
      .finally(() => { this.running = undefined })
    return this.running
  }

  /**
   * After a join (refresh on): one more self lookup, SETTLE_LOOKUP_MS later.
   * Nodes that joined at the same time may each have looked themselves up
   * before the other was there, and the join's band filling only hears of
   * peers; this lookup asks the nearest of them, so they become members.
   */
  settleAfterJoin (): void {
    if (this.init.interval <= 0 || this.controller.signal.aborted || this.settleTimer != null) return
    const clock = this.init.clock ?? systemClock
    const { promise, resolve } = Promise.withResolvers<void>()
    this.settling = promise
    this.settleTimer = clock.setTimeout(() => {
      this.settleTimer = undefined
      this.init.lookup(this.init.table.self, this.controller.signal).catch((err: Error) => {
        this.init.log('the self lookup after the join failed: %s', err.message)
      }).finally(resolve)
    }, Math.min(SETTLE_LOOKUP_MS, this.init.interval))
    this.settleTimer.unref?.()
    this.controller.signal.addEventListener('abort', () => { resolve() }, { once: true })
  }

  /** Resolves once the self lookup after the join (settleAfterJoin) has run, or at once when none is due (a benchmark measures a network that has settled). */
  async settled (): Promise<void> {
    await this.settling
  }

  private schedule (): void {
    if (this.init.interval <= 0 || this.controller.signal.aborted) return
    this.timer = (this.init.clock ?? systemClock).setTimeout(() => {
      this.refresh().then(result => {
        this.init.log('refreshed %d bands, asked %d stale members, %d lookups failed, %d peers in the table', result.bands.length, result.checked, result.failed, this.init.table.size)
      }, (err: Error) => {
        this.init.log('refresh failed: %s', err.message)
      }).finally(() => { this.schedule() })
    }, this.init.interval)
    this.timer.unref?.()
  }

  /**
   * Kademlia's join step after the self lookup, the cheap way: for each band
   * farther than the self lookup reached that is not full, ask the peers
   * it met (up to FILL_ASKS_PER_BAND of them, the next only while the band
   * is not full and answers still bring new peers of it) for their peers
   * nearest to the band's edge. Each of them is nearer to us than any of
   * those bands, so its band i is our band i: one request on a connection
   * the self lookup already opened, where a lookup per band asked ~17 peers, most of them
   * new connections. The peers named are kept as heard of (PeerTable): a
   * later lookup that starts from them verifies them. Returns the bands asked
   * about.
   */
  async fillBands (signal: AbortSignal, selfLookup: FoundPeer[], ask: (peer: FoundPeer, target: Uint8Array, n: number, signal: AbortSignal) => Promise<FoundPeer[]>): Promise<number[]> {
    const self = this.init.table.self
    // every band nearer than the farthest peer a self lookup found holds only peers it found
    const complete = selfLookup.reduce((far, p) => Math.max(far, distanceBand(self, p.position)), -1)
    const neighbours = selfLookup.filter(p => distanceBand(self, p.position) >= 0)
    const bands = this.bandsToRefresh(this.init.table.bandsKnown()).filter(band => band >= complete)
    if (neighbours.length === 0) return bands
    const known = (band: number): number => this.init.table.bandsKnown().get(band) ?? 0
    await Promise.all(bands.map(async (band, i) => {
      const edge = edgeOfBand(self, band)
      // spread the bands over the peers met; ask the next only while answers bring new peers of the band
      for (let k = 0; k < Math.min(FILL_ASKS_PER_BAND, neighbours.length) && known(band) < this.init.bucketSize; k++) {
        if (signal.aborted) return
        const before = known(band)
        await ask(neighbours[(i + k) % neighbours.length], edge, this.init.bucketSize, signal).catch(() => [])
        if (k > 0 && known(band) === before) return
      }
    }))
    if (!signal.aborted) await this.verifyHeardOf(signal, bands, ask)
    return bands
  }

  /**
   * Ask up to FILL_VERIFY_MAX peers heard of in the bands just filled, where
   * a band has room, farthest band first (band 255 holds half of all keys'
   * replica sets): each that answers becomes a member, so a small network's
   * tables hold every node and a put finds its replica set among them.
   */
  private async verifyHeardOf (signal: AbortSignal, bands: number[], ask: (peer: FoundPeer, target: Uint8Array, n: number, signal: AbortSignal) => Promise<FoundPeer[]>): Promise<void> {
    const { table, bucketSize } = this.init
    const members = table.bands()
    const picks: Array<{ peer: FoundPeer, band: number }> = []
    for (const band of [...bands].sort((a, b) => b - a)) {
      const room = bucketSize - (members.get(band)?.length ?? 0)
      for (const peer of table.heardOfIn(band).slice(0, Math.max(0, room))) {
        if (picks.length < FILL_VERIFY_MAX) picks.push({ peer, band })
      }
    }
    await Promise.all(picks.map(async ({ peer, band }) => ask(peer, edgeOfBand(table.self, band), bucketSize, signal).catch(() => [])))
  }

  /** Look up every target, `concurrency` at a time; returns how many failed. */
  private async lookups (targets: Uint8Array[], signal: AbortSignal): Promise<number> {
    let failed = 0
    await eachBounded(targets, this.init.concurrency ?? REFRESH_CONCURRENCY, signal, async target => {
      await this.init.lookup(target, signal).catch(() => { failed++ })
    })
    return failed
  }

  private async round (signal: AbortSignal): Promise<RefreshResult> {
    const { table } = this.init
    let failed = 0
    await this.init.lookup(table.self, signal).catch(() => { failed++ })
    signal.throwIfAborted()
    const bands = this.bandsToRefresh()
    const stale = table.stalestWithReplacements((this.init.clock ?? systemClock).now() - Math.max(this.init.interval, MIN_STALE_MS))
    const targets = [...bands.map(band => randomInBand(table.self, band)), ...stale.map(entry => entry.position)]
    failed += await this.lookups(targets, signal)
    signal.throwIfAborted()
    return { bands, checked: stale.length, failed }
  }

  /** Bands from just below our nearest known peer up to the farthest that are not full (peers per band: members by default). */
  private bandsToRefresh (counts: Map<number, number> = new Map([...this.init.table.bands()].map(([band, peers]) => [band, peers.length]))): number[] {
    if (counts.size === 0) return []
    const nearest = Math.min(...counts.keys())
    const out: number[] = []
    for (let band = Math.max(0, nearest - 1); band < POSITION_BYTES * 8; band++) {
      if ((counts.get(band) ?? 0) < this.init.bucketSize) out.push(band)
    }
    return out
  }
}

/** A random position whose distance from `self` is in [2^band, 2^(band+1)): same bits above `band`, bit `band` flipped, random below. */
export function randomInBand (self: Uint8Array, band: number): Uint8Array {
  const out = randomBytes(POSITION_BYTES)
  const byte = POSITION_BYTES - 1 - Math.floor(band / 8)
  const bit = band % 8
  for (let i = 0; i < byte; i++) out[i] = self[i]
  const below = (1 << bit) - 1
  out[byte] = (self[byte] & ~((below << 1) | 1) & 0xff) | ((self[byte] ^ (1 << bit)) & (1 << bit)) | (out[byte] & below)
  return new Uint8Array(out)
}

/**
 * Our position with bit `band` flipped: the nearest point of band `band`, so
 * the nodes nearest to it are exactly that band's (no randomness, which keeps
 * the virtual-time simulation deterministic).
 */
export function edgeOfBand (self: Uint8Array, band: number): Uint8Array {
  const out = new Uint8Array(self)
  out[POSITION_BYTES - 1 - Math.floor(band / 8)] ^= 1 << (band % 8)
  return out
}
