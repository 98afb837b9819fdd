/**
 * Where an item store keeps item bodies: inline in each stored record (a
 * datastore of its own: memory in tests, an embedder's), or in the value log
 * of a data directory (value-log.ts), the record then holding a pointer.
 */
import type { ValueLog } from './value-log.ts'
import type { BodyAt } from './pb/store.ts'

export interface BodyStore {
  open: () => Promise<void>
  close: () => Promise<void>
  /** Keeps `body`; returns where it went, or undefined: the record keeps it inline. */
  write: (key: Uint8Array, body: Uint8Array) => Promise<BodyAt | undefined>
  /** The body a pointer leads to. */
  read: (key: Uint8Array, at: BodyAt) => Promise<Uint8Array<ArrayBuffer>>
  /** A pointer found on open; false when it leads nowhere. */
  retain: (at: BodyAt) => boolean
  /** A pointer replaced or removed. */
  release: (at: BodyAt) => void
}

/** Bodies inside the stored records, as they always were. */
export class InlineBodies implements BodyStore {
  async open (): Promise<void> {}
  async close (): Promise<void> {}
  async write (): Promise<undefined> { return undefined }
  async read (): Promise<Uint8Array<ArrayBuffer>> {
    // not a ValueLogError: the body may be fine where it is, so the item must not be dropped as unreadable
    throw new Error('this item\'s body is in a value log, and this store was opened without one (valueLogDir)')
  }

  retain (): boolean { return false }
  release (): void {}
}

/** Bodies in a value log. */
export class LoggedBodies implements BodyStore {
  constructor (readonly log: ValueLog) {}
  async open (): Promise<void> { await this.log.open() }
  async close (): Promise<void> { await this.log.close() }
  async write (key: Uint8Array, body: Uint8Array): Promise<BodyAt> { return this.log.append(key, body) }
  async read (key: Uint8Array, at: BodyAt): Promise<Uint8Array<ArrayBuffer>> { return this.log.read(key, at) }
  retain (at: BodyAt): boolean { return this.log.retain(at) }
  release (at: BodyAt): void { this.log.release(at) }
}
