/**
 * Frees the value log's garbage (value-log.ts): a sealed segment with less
 * than half a segment's worth of live records has each live record copied
 * to the active segment by its owner (the item store, under the item's own
 * lock, so a concurrent replace or removal either comes first and the copy
 * is skipped, or comes after and sees the new pointer), then the file is
 * deleted. One segment at a time, one record at a time, in the background;
 * reads never wait for it (a read that loses its segment meanwhile reads the
 * pointer again, item-store.ts).
 */
import type { ValueLog } from './value-log.ts'

export interface CompactionOwner {
  /** Keys whose bodies are in `segment` now. */
  keysIn: (segment: number) => Uint8Array[]
  /** Moves `key`'s body out of `segment`, if it is still there. */
  relocate: (key: Uint8Array, segment: number) => Promise<void>
}

/** Between passes over a segment whose live bytes include appends not yet pointed to. */
const SETTLE_MS = 50
const MAX_PASSES = 100

export class LogCompactor {
  private readonly queue = new Set<number>()
  /** segments a copy failed in (an unreadable record): kept, not tried again until the next open */
  private readonly failed = new Set<number>()
  private running: Promise<void> | undefined
  private stopped = true
  /** Segments deleted since start. */
  compacted = 0

  constructor (private readonly log: ValueLog, private readonly owner: CompactionOwner, private readonly onError: (err: Error) => void = () => {}) {}

  /** Compacts what the open found worth it, and from now on what becomes so. */
  start (): void {
    this.stopped = false
    this.failed.clear()
    for (const id of this.log.garbage()) this.schedule(id)
  }

  schedule (segment: number): void {
    if (this.stopped || this.failed.has(segment)) return
    this.queue.add(segment)
    this.running ??= this.drain().finally(() => { this.running = undefined })
  }

  /** Resolves once the queue is empty (tests). */
  async idle (): Promise<void> {
    while (this.running != null) await this.running
  }

  /** Stops after the record being copied. */
  async stop (): Promise<void> {
    this.stopped = true
    this.queue.clear()
    await this.running
  }

  private async drain (): Promise<void> {
    while (!this.stopped) {
      const next = this.queue.values().next()
      if (next.done === true) return
      this.queue.delete(next.value)
      try {
        await this.compact(next.value)
      } catch (err) {
        this.failed.add(next.value)
        this.onError(err as Error)
      }
    }
  }

  private async compact (id: number): Promise<void> {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const stats = this.log.stats(id)
      if (stats == null || !stats.sealed) return
      if (!this.log.worthCompacting({ id, ...stats })) return
      let failure: Error | undefined
      for (const key of this.owner.keysIn(id)) {
        if (this.stopped) return
        try {
          await this.owner.relocate(key, id)
        } catch (err) {
          failure ??= err as Error
        }
      }
      if (this.stopped) return
      if (failure != null) throw failure
      // live 0: no pointer leads here, and no append in flight will point here
      if (this.log.stats(id)?.live === 0) {
        await this.log.removeSegment(id)
        this.compacted++
        return
      }
      // an append reserved here before the seal has not been pointed to yet
      if (this.owner.keysIn(id).length === 0) await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
    }
    throw new Error(`value log segment ${this.log.path(id)}: live bytes stay above 0 with no item pointing to it; left in place`)
  }
}
