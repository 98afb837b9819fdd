/**
 * Positional writes to one file, joined when they follow each other in the
 * file and are issued in the same turn of the event loop: one `writev` (one
 * thread-pool job, one system call) for the value log's records of several
 * concurrent puts instead of one each. A write resolves once its batch is
 * written; a failed or short batch fails every write in it.
 *
 * Why: each `FileHandle.writev` costs the main thread a hand-off to libuv's
 * thread pool (~35 µs on an idle machine; in a CPU profile of the files
 * bench's add, under load, 15 % of the adding thread's samples were in it,
 * README Files → Benchmark), and an add's puts arrive several at a time.
 */
import type { FileHandle } from 'node:fs/promises'

/** At most this many buffers in one writev (IOV_MAX is 1,024 on Linux). */
export const MAX_BATCH_BUFFERS = 64

interface Batch {
  offset: number
  buffers: Uint8Array[]
  size: number
  done: PromiseWithResolvers<void>
}

export class CoalescedWrites {
  private readonly fh: FileHandle
  private readonly path: string
  private pending: Batch | undefined

  constructor (fh: FileHandle, path: string) {
    this.fh = fh
    this.path = path
  }

  /** Write `buffers` (`size` bytes in all) at `offset`, with any writes right before it this turn. */
  async write (offset: number, buffers: Uint8Array[], size: number): Promise<void> {
    const open = this.pending
    if (open != null && open.offset + open.size === offset && open.buffers.length + buffers.length <= MAX_BATCH_BUFFERS) {
      open.buffers.push(...buffers)
      open.size += size
      return open.done.promise
    }
    const batch: Batch = { offset, buffers: [...buffers], size, done: Promise.withResolvers<void>() }
    this.pending = batch
    // after the I/O callbacks of this turn: the writes they issue join this batch
    setImmediate(() => {
      if (this.pending === batch) this.pending = undefined
      this.flush(batch)
    })
    return batch.done.promise
  }

  private flush (batch: Batch): void {
    this.fh.writev(batch.buffers, batch.offset).then(({ bytesWritten }) => {
      if (bytesWritten !== batch.size) throw new Error(`short write to ${this.path}: ${bytesWritten} of ${batch.size} bytes at ${batch.offset}`)
      batch.done.resolve()
    }).catch((err: unknown) => { batch.done.reject(err) })
  }
}
