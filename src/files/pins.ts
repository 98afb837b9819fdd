/**
 * Pins: the DAGs this node's user wants kept. Every block of a pinned DAG is
 * a pinned hash item here (never expires, republished by repair); a record
 * per root under /toyrrent/pins/ in the node's datastore says which roots
 * were pinned, so `pin ls` lists files rather than blocks and `pin rm`
 * knows which blocks another pin still needs. A `toyrrent put` is a pinned
 * item with no record: `pin ls` lists it as a single block.
 */
import { Key } from 'interface-datastore'
import { NotFoundError } from '../errors.ts'
import { hexKey } from '../bytes.ts'
import { KeyedLock } from '../store/keyed-lock.ts'
import { blockKey, parseCid, rawCid } from './blocks.ts'
import { dagBlocks } from './dag.ts'
import { claimsOf } from './add-claims.ts'
import type { BlockLoader } from './reader.ts'
import type { LocalPins } from '../service/types.ts'
import type { CID } from 'multiformats/cid'

const PREFIX = '/toyrrent/pins/'

const locks = new WeakMap<LocalPins, KeyedLock>()

function lockOf (local: LocalPins): KeyedLock {
  let lock = locks.get(local)
  if (lock == null) locks.set(local, lock = new KeyedLock())
  return lock
}

/** One pinned root, as kept in the datastore. */
export interface PinRecord {
  cid: string
  /** Blocks of its DAG. */
  blocks: number
  /** Bytes of those blocks. */
  bytes: number
  /** Unix ms. */
  pinnedAt: number
  /** Name given at add (`?name=`, the file name), if any. */
  name?: string
}

/** A line of `pin ls`: a pinned DAG, or a single pinned item (a put) no pinned DAG contains. */
export interface PinEntry extends PinRecord {
  type: 'dag' | 'item'
}

export interface PinWalkOptions {
  window?: number
  signal?: AbortSignal
}

export class Pins {
  private readonly local: LocalPins
  private readonly load: BlockLoader
  /**
   * add, rm, record and a failed add's clean-up one at a time: each decides
   * what to unpin from the records another may be writing. One lock per
   * node, whichever Files the call comes through.
   */
  private readonly lock: KeyedLock

  constructor (local: LocalPins, load: BlockLoader) {
    this.local = local
    this.load = load
    this.lock = lockOf(local)
  }

  /** Record a root whose blocks are already pinned here (an add or import just stored them). */
  async record (cid: CID, facts: { blocks: number, bytes: number, name?: string }): Promise<PinRecord> {
    return this.lock.run('pins', async () => this.write({ cid: cid.toString(), ...facts, pinnedAt: Date.now() }))
  }

  /**
   * A failed add lets go of the blocks it claimed (add-claims.ts): those no
   * other add in progress claims, no pin record names, and that were not
   * pinned before, become ordinary items again. Returns how many.
   */
  async abandon (claimed: Iterable<Uint8Array>, options: PinWalkOptions = {}): Promise<number> {
    return this.lock.run('pins', async () => claimsOf(this.local).releaseFailed(claimed, async () => {
      const kept = new Set<string>()
      for (const record of await this.records()) {
        for (const key of (await this.keysOf(parseCid(record.cid), options)).keys()) kept.add(key)
      }
      return kept
    }))
  }

  /** Fetch the whole DAG (what is here already is read locally) and keep every block pinned. */
  async add (cid: CID, options: PinWalkOptions = {}): Promise<PinRecord> {
    return this.lock.run('pins', async () => {
      let blocks = 0
      let bytes = 0
      for await (const block of dagBlocks(cid, this.load, { ...options, leaves: true })) {
        if (block.bytes == null) continue
        await this.local.keep(block.bytes, { signal: options.signal })
        blocks++
        bytes += block.bytes.byteLength
      }
      const previous = await this.read(cid)
      return this.write({ cid: cid.toString(), blocks, bytes, pinnedAt: Date.now(), ...(previous?.name == null ? {} : { name: previous.name }) })
    })
  }

  /**
   * Unpin a DAG (or a single pinned item): its blocks that no other pin
   * needs become ordinary items that expire like others'. Returns how many
   * blocks were unpinned. NotFoundError when nothing is pinned under `cid`.
   */
  async rm (cid: CID, options: PinWalkOptions = {}): Promise<{ unpinned: number }> {
    return this.lock.run('pins', async () => {
      const record = await this.read(cid)
      if (record == null && !this.local.isPinned(blockKey(cid))) throw new NotFoundError(`${cid.toString()} is not pinned on this node`)
      if (record != null) await this.local.datastore.delete(this.dsKey(cid))
      const mine = await this.keysOf(cid, options)
      const kept = new Set<string>()
      for (const other of await this.records()) {
        for (const key of (await this.keysOf(parseCid(other.cid), options)).keys()) kept.add(key)
      }
      let unpinned = 0
      for (const [k, key] of mine) {
        if (!kept.has(k) && await this.local.unpin(key, { signal: options.signal })) unpinned++
      }
      return { unpinned }
    })
  }

  /** Pinned DAGs, then pinned items that belong to none of them (puts). */
  async ls (options: PinWalkOptions = {}): Promise<PinEntry[]> {
    const records = await this.records()
    const covered = new Set<string>()
    for (const record of records) {
      for (const key of (await this.keysOf(parseCid(record.cid), options)).keys()) covered.add(key)
    }
    const items: PinEntry[] = this.local.pinned()
      .filter(({ key }) => !covered.has(hexKey(key)))
      .map(({ key, bytes }) => ({ cid: rawCid(key).toString(), type: 'item', blocks: 1, bytes, pinnedAt: 0 }))
    return [...records.map(r => ({ ...r, type: 'dag' as const })), ...items]
  }

  async read (cid: CID): Promise<PinRecord | undefined> {
    try {
      return JSON.parse(new TextDecoder().decode(await this.local.datastore.get(this.dsKey(cid)))) as PinRecord
    } catch (err: any) {
      if (err.name === 'NotFoundError') return undefined
      throw err
    }
  }

  private async write (record: PinRecord): Promise<PinRecord> {
    await this.local.datastore.put(this.dsKey(parseCid(record.cid)), new TextEncoder().encode(JSON.stringify(record)))
    return record
  }

  private async records (): Promise<PinRecord[]> {
    const out: PinRecord[] = []
    for await (const { value } of this.local.datastore.query({ prefix: PREFIX })) {
      out.push(JSON.parse(new TextDecoder().decode(value)) as PinRecord)
    }
    return out
  }

  /** The keys of a DAG's blocks (hex → key); interior nodes are read, leaves only named. */
  private async keysOf (cid: CID, options: PinWalkOptions): Promise<Map<string, Uint8Array>> {
    const keys = new Map<string, Uint8Array>()
    for await (const block of dagBlocks(cid, this.load, { ...options, leaves: false })) {
      const key = blockKey(block.cid)
      keys.set(hexKey(key), key)
    }
    return keys
  }

  private dsKey (cid: CID): Key {
    // one record per block: the same DAG named with another codec or base is the same pin
    return new Key(PREFIX + hexKey(blockKey(cid)))
  }
}
