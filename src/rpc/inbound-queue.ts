/**
 * The central job queue for inbound requests (the seeds' "[Central Job
 * queue]" with the fair scheduling they ask for): every request from every
 * peer goes through one bounded queue. Each peer has its own FIFO sub-queue;
 * workers take one job from each waiting peer in turn (round robin), at most
 * `concurrency` at once. A peer may have at most `maxPerPeer` jobs queued or
 * running, and the queue holds at most `maxQueued` jobs in all; a job over
 * either limit is refused at once (the server answers BUSY), so memory is
 * bounded whatever a peer sends, and a flooding peer only delays others by
 * its one turn in the rotation.
 */
import { DEFAULT_QUEUE_CONCURRENCY, DEFAULT_QUEUE_MAX_PER_PEER, DEFAULT_QUEUE_MAX_QUEUED } from '../constants.ts'

export interface InboundQueueInit {
  /** Jobs running at once, over all peers. @default 16 */
  concurrency?: number
  /** Jobs waiting (not yet running) over all peers. @default 256 */
  maxQueued?: number
  /** Jobs one peer may have waiting or running. @default 32 */
  maxPerPeer?: number
}


export type Job = () => Promise<void>

/** A job and what it counts for against the limits (a FETCH_MANY of 16 keys counts as 16 FETCHes). */
interface Queued { job: Job, cost: number }

export interface InboundQueueStats {
  running: number
  queued: number
  /** Peers with jobs waiting. */
  waitingPeers: number
  /** Jobs refused since start because a limit was reached. */
  refused: number
  /** Jobs run since start. */
  done: number
}

export type RefusedReason = 'peer-limit' | 'queue-full'

export class InboundQueue {
  readonly concurrency: number
  readonly maxQueued: number
  readonly maxPerPeer: number
  /** Waiting jobs per peer; Map order is the round-robin order. */
  private readonly waiting = new Map<string, Queued[]>()
  /** Jobs waiting or running per peer. */
  private readonly perPeer = new Map<string, number>()
  private running = 0
  private queued = 0
  private refused = 0
  private done = 0
  private idle?: PromiseWithResolvers<void>

  constructor (init: InboundQueueInit = {}) {
    this.concurrency = positive(init.concurrency ?? DEFAULT_QUEUE_CONCURRENCY, 'concurrency')
    this.maxQueued = positive(init.maxQueued ?? DEFAULT_QUEUE_MAX_QUEUED, 'maxQueued')
    this.maxPerPeer = positive(init.maxPerPeer ?? DEFAULT_QUEUE_MAX_PER_PEER, 'maxPerPeer')
  }

  /**
   * Queue a job for `peer`; returns why it was refused, or undefined when it
   * was taken. `cost` is what the job counts for against the per-peer and
   * queued limits (a request for several items counts as that many requests),
   * at most `maxPerPeer`.
   */
  push (peer: string, job: Job, cost = 1): RefusedReason | undefined {
    cost = Math.min(Math.max(1, Math.floor(cost)), this.maxPerPeer)
    const mine = this.perPeer.get(peer) ?? 0
    if (mine + cost > this.maxPerPeer) {
      this.refused++
      return 'peer-limit'
    }
    if (this.queued + cost > this.maxQueued && this.running >= this.concurrency) {
      this.refused++
      return 'queue-full'
    }
    this.perPeer.set(peer, mine + cost)
    const list = this.waiting.get(peer)
    if (list == null) this.waiting.set(peer, [{ job, cost }])
    else list.push({ job, cost })
    this.queued += cost
    this.pump()
    return undefined
  }

  stats (): InboundQueueStats {
    return { running: this.running, queued: this.queued, waitingPeers: this.waiting.size, refused: this.refused, done: this.done }
  }

  /** Resolves when nothing is queued or running. */
  async onIdle (): Promise<void> {
    if (this.running === 0 && this.queued === 0) return
    this.idle ??= Promise.withResolvers<void>()
    await this.idle.promise
  }

  private pump (): void {
    while (this.running < this.concurrency && this.waiting.size > 0) {
      // the first peer in Map order is next; after its turn it goes to the back
      const [peer, list] = this.waiting.entries().next().value as [string, Queued[]]
      const { job, cost } = list.shift() as Queued
      this.waiting.delete(peer)
      if (list.length > 0) this.waiting.set(peer, list)
      this.queued -= cost
      this.running++
      void this.run(peer, job, cost)
    }
  }

  private async run (peer: string, job: Job, cost: number): Promise<void> {
    try {
      await job()
    } catch {
      // jobs handle their own errors; one that throws must not stop the queue
    } finally {
      this.running--
      this.done++
      const mine = (this.perPeer.get(peer) ?? cost) - cost
      if (mine <= 0) this.perPeer.delete(peer)
      else this.perPeer.set(peer, mine)
      this.pump()
      if (this.running === 0 && this.queued === 0 && this.idle != null) {
        this.idle.resolve()
        this.idle = undefined
      }
    }
  }
}

function positive (value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`inbound queue ${what} must be a positive integer, got ${value}`)
  return value
}
