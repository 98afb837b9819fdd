/**
 * Read handles of the value log's segments (value-log.ts): at most `max`
 * open, the least recently used closed first, none closed while a read
 * uses it. A dropped (deleted) segment's handle closes when its last read
 * ends, so a read that began before a compaction deleted the file still
 * finishes (the inode lives while the handle is open).
 */
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'

interface Handle {
  fh: Promise<FileHandle>
  users: number
  dropped: boolean
}

export class SegmentHandles {
  private readonly handles = new Map<number, Handle>()

  constructor (private readonly path: (id: number) => string, private readonly max: number) {}

  /** Runs `work` with segment `id`'s handle open. */
  async use<T> (id: number, work: (fh: FileHandle) => Promise<T>): Promise<T> {
    let handle = this.handles.get(id)
    if (handle == null) {
      handle = { fh: open(this.path(id), 'r'), users: 0, dropped: false }
      // a failed open is not kept: the next read tries again
      handle.fh.catch(() => { if (this.handles.get(id) === handle) this.handles.delete(id) })
    } else {
      this.handles.delete(id)
    }
    // (re)inserted last: Map order is use order
    this.handles.set(id, handle)
    handle.users++
    this.evict()
    try {
      return await work(await handle.fh)
    } finally {
      handle.users--
      if (handle.dropped && handle.users === 0) void this.close(handle)
    }
  }

  /** The segment was deleted: forget its handle, closed once unused. */
  drop (id: number): void {
    const handle = this.handles.get(id)
    if (handle == null) return
    this.handles.delete(id)
    handle.dropped = true
    if (handle.users === 0) void this.close(handle)
  }

  async closeAll (): Promise<void> {
    const all = [...this.handles.values()]
    this.handles.clear()
    for (const handle of all) handle.dropped = true
    await Promise.all(all.filter(h => h.users === 0).map(async h => this.close(h)))
  }

  private evict (): void {
    if (this.handles.size <= this.max) return
    for (const [id, handle] of this.handles) {
      if (this.handles.size <= this.max) return
      if (handle.users > 0) continue
      this.handles.delete(id)
      void this.close(handle)
    }
  }

  private async close (handle: Handle): Promise<void> {
    await handle.fh.then(async fh => fh.close()).catch(() => {})
  }
}
