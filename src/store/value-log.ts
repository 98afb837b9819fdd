/**
 * Item bodies outside LevelDB: append-only segment files in a directory
 * (`<data>/values/000001.log`, ...). LevelDB keeps only each item's
 * metadata and a pointer (segment, offset, length; protocols/store.proto
 * BodyAt), so its compactions move ~100-byte records, not 64 KiB bodies.
 *
 * Why: LevelDB 1.20 (classic-level) reads its tables through mmap and a
 * compaction reads its inputs whole, so with bodies inside LevelDB the pages
 * of the tables a compaction takes count in the daemon's RSS (tens of MiB
 * during a 1 GiB add; level-options.ts). Here a body is written with a
 * positional write and read with a positional read into a buffer of exactly
 * its record's size: no mapping, so the file's pages stay page cache, never
 * the process's.
 *
 * Writes go to the active segment, reserved in order and written in
 * parallel (those of one turn in one writev: coalesced-writes.ts); at `segmentBytes` it is sealed and a new one begins, and every
 * open begins a new one too, so an earlier run's torn tail is never written
 * after (it is unreferenced bytes, dropped with its segment). The caller
 * writes a body first and its pointer after, so a crash leaves at worst
 * unreferenced bytes. Live bytes per segment are counted from the pointers
 * (retain on open, release on replace or removal); a sealed segment with
 * less than half a segment's worth live is compacted (log-compactor.ts).
 */
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { base32 } from 'multiformats/bases/base32'
import { checkRecord, MAX_RECORD_BODY_BYTES, RECORD_HEADER_BYTES, recordHeader, ValueLogError } from './log-record.ts'
import { SegmentHandles } from './segment-handles.ts'
import { CoalescedWrites } from './coalesced-writes.ts'
import type { BodyAt } from './pb/store.ts'
import type { FileHandle } from 'node:fs/promises'

export { ValueLogError }
export type { BodyAt }

/** Default segment size: 1,024 bodies of 64 KiB. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
const NAME = /^(\d{6,})\.log$/

export interface ValueLogInit {
  /** Segments roll at this size (at least one largest record, at most 4 GiB − 1: offsets are uint32). @default 64 MiB */
  segmentBytes?: number
  /** Read handles kept open (least recently used closed first). @default 32 */
  maxOpenHandles?: number
  /** Hears a sealed segment that became worth compacting (log-compactor.ts schedules it). */
  onGarbage?: (segment: number) => void
}

interface Segment {
  id: number
  /** bytes written or reserved */
  size: number
  /** bytes of records that a pointer leads to */
  live: number
  sealed: boolean
}

interface Active extends Segment {
  fh: FileHandle
  /** its appends, joined into one writev when several come in one turn */
  writes: CoalescedWrites
  /** writes not finished yet (the handle closes when the segment is sealed and this is 0) */
  writing: number
}

export class ValueLog {
  readonly dir: string
  readonly segmentBytes: number
  private readonly init: ValueLogInit
  private readonly segments = new Map<number, Segment>()
  private readonly handles: SegmentHandles
  private active: Active | undefined
  private rolling: Promise<void> | undefined
  private nextId = 1
  private opened = false

  constructor (dir: string, init: ValueLogInit = {}) {
    this.dir = dir
    this.init = init
    this.segmentBytes = init.segmentBytes ?? DEFAULT_SEGMENT_BYTES
    if (this.segmentBytes < RECORD_HEADER_BYTES + MAX_RECORD_BODY_BYTES || this.segmentBytes >= 2 ** 32) {
      throw new RangeError(`segmentBytes must be between ${RECORD_HEADER_BYTES + MAX_RECORD_BODY_BYTES} and 2^32 − 1; got ${this.segmentBytes}`)
    }
    this.handles = new SegmentHandles(id => this.path(id), init.maxOpenHandles ?? 32)
  }

  /** Finds the segments on disk (all sealed, live 0 until retained); creates the directory. */
  async open (): Promise<void> {
    await this.close()
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    this.segments.clear()
    this.nextId = 1
    for (const name of await readdir(this.dir)) {
      const match = NAME.exec(name)
      if (match == null) continue
      const id = Number(match[1])
      const { size } = await stat(join(this.dir, name))
      this.segments.set(id, { id, size, live: 0, sealed: true })
      this.nextId = Math.max(this.nextId, id + 1)
    }
    this.opened = true
  }

  /** Waits for writes in flight, closes every handle. */
  async close (): Promise<void> {
    this.opened = false
    await this.rolling?.catch(() => {})
    const active = this.active
    this.active = undefined
    if (active != null) {
      active.sealed = true
      await this.closeWhenIdle(active)
    }
    await this.handles.closeAll()
  }

  /** Appends `body` under `key`; its bytes count as live until released. */
  async append (key: Uint8Array, body: Uint8Array): Promise<BodyAt> {
    const header = recordHeader(key, body)
    const size = RECORD_HEADER_BYTES + body.byteLength
    const segment = await this.room(size)
    // reserved before any await: parallel appends write disjoint ranges
    const offset = segment.size
    segment.size += size
    segment.live += size
    segment.writing++
    try {
      await segment.writes.write(offset, [header, body], size)
    } catch (err) {
      segment.live -= size
      throw err
    } finally {
      segment.writing--
      if (segment.sealed) void this.closeWhenIdle(segment)
    }
    return { segment: segment.id, offset, length: body.byteLength }
  }

  /** The body at `at`, checked against its header (length, key, CRC). */
  async read (key: Uint8Array, at: BodyAt): Promise<Uint8Array<ArrayBuffer>> {
    const where = `item ${base32.baseEncode(key)}: value log ${this.path(at.segment)} at ${at.offset}`
    // a length no record can have is corruption, found before allocating
    if (at.length > MAX_RECORD_BODY_BYTES) throw new ValueLogError('corrupt', `${where}: a body of ${at.length} bytes is over the limit of ${MAX_RECORD_BODY_BYTES}`)
    if (!this.opened) throw new Error(`value log ${this.dir} is closed`)
    if (!this.segments.has(at.segment)) throw new ValueLogError('missing-segment', `${where}: the segment is missing`)
    const record = new Uint8Array(RECORD_HEADER_BYTES + at.length)
    const read = await this.handles.use(at.segment, async fh => {
      let done = 0
      while (done < record.byteLength) {
        const { bytesRead } = await fh.read(record, done, record.byteLength - done, at.offset + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return done
    }).catch(err => {
      if (err.code === 'ENOENT') throw new ValueLogError('missing-segment', `${where}: the segment is missing`)
      throw err
    })
    return checkRecord(record.subarray(0, read), key, at.length, where)
  }

  /** A pointer found on open: its record is live. False when its segment is not on disk. */
  retain (at: BodyAt): boolean {
    const segment = this.segments.get(at.segment)
    if (segment == null) return false
    segment.live += RECORD_HEADER_BYTES + at.length
    return true
  }

  /** Its pointer was replaced or removed: the record is garbage now. */
  release (at: BodyAt): void {
    const segment = this.segments.get(at.segment)
    if (segment == null) return
    segment.live = Math.max(0, segment.live - (RECORD_HEADER_BYTES + at.length))
    if (this.worthCompacting(segment)) this.init.onGarbage?.(segment.id)
  }

  /** A sealed segment with less than half a segment's worth live: its live records are copied out and the file deleted. */
  worthCompacting (segment: Segment): boolean {
    return segment.sealed && segment.live * 2 < this.segmentBytes
  }

  /** Sealed segments worth compacting now (after open and retain). */
  garbage (): number[] {
    return [...this.segments.values()].filter(s => this.worthCompacting(s)).map(s => s.id)
  }

  /** Live and total bytes of a segment (undefined once deleted). */
  stats (id: number): { live: number, size: number, sealed: boolean } | undefined {
    const s = this.segments.get(id)
    return s == null ? undefined : { live: s.live, size: s.size, sealed: s.sealed }
  }

  /** Segment numbers on disk, oldest first. */
  segmentIds (): number[] {
    return [...this.segments.keys()].sort((a, b) => a - b)
  }

  /** Live bytes and file bytes over every segment. */
  totals (): { live: number, size: number, segments: number } {
    let live = 0
    let size = 0
    for (const s of this.segments.values()) { live += s.live; size += s.size }
    return { live, size, segments: this.segments.size }
  }

  /** Deletes a sealed segment; reads already under way finish on the open handle. */
  async removeSegment (id: number): Promise<void> {
    const segment = this.segments.get(id)
    if (segment == null) return
    if (!segment.sealed) throw new Error(`segment ${id} is the active one`)
    this.segments.delete(id)
    this.handles.drop(id)
    await unlink(this.path(id)).catch(err => { if (err.code !== 'ENOENT') throw err })
  }

  path (id: number): string {
    return join(this.dir, `${String(id).padStart(6, '0')}.log`)
  }

  /** The active segment once it has room for `size` more bytes. */
  private async room (size: number): Promise<Active> {
    for (;;) {
      if (!this.opened) throw new Error(`value log ${this.dir} is not open`)
      const active = this.active
      if (active != null && active.size + size <= this.segmentBytes) return active
      this.rolling ??= this.roll().finally(() => { this.rolling = undefined })
      await this.rolling
    }
  }

  /** Seals the active segment and starts the next one. */
  private async roll (): Promise<void> {
    const id = this.nextId++
    // 'wx': a segment is never written by two runs
    const fh = await open(this.path(id), 'wx', 0o600)
    const previous = this.active
    const next: Active = { id, size: 0, live: 0, sealed: false, fh, writes: new CoalescedWrites(fh, this.path(id)), writing: 0 }
    this.segments.set(id, next)
    this.active = next
    if (previous != null) {
      previous.sealed = true
      void this.closeWhenIdle(previous)
      if (this.worthCompacting(previous)) this.init.onGarbage?.(previous.id)
    }
  }

  private async closeWhenIdle (segment: Active): Promise<void> {
    if (segment.writing > 0) return
    await segment.fh.close().catch(() => {})
  }
}
