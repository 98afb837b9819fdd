/**
 * Files on toyrrent: add, read, list, pin, and move as CAR, over the blocks
 * the service stores as hash items. One `Files` per service (`filesOf`),
 * shared by the HTTP routes; it holds no file data between calls.
 */
import { exporter } from 'ipfs-unixfs-exporter'
import { sha256 } from 'multiformats/hashes/sha2'
import { InvalidInputError, NotFoundError } from '../errors.ts'
import { hexKey } from '../bytes.ts'
import { BLOCK_TRIES, DEFAULT_FETCH_WINDOW, DEFAULT_STORE_WINDOW, MAX_LISTING_ENTRIES } from './constants.ts'
import { ToyrrentBlockstore, getBlock, parseCid, putBlockWithRetries } from './blocks.ts'
import { importDirectory, importFile } from './importer.ts'
import { exportCar, importCar } from './car.ts'
import { Pins } from './pins.ts'
import { readFile, stat } from './reader.ts'
import { inOrder } from './window.ts'
import { BlockLatency } from './hedge.ts'
import { claimsOf } from './add-claims.ts'
import { BatchLoader } from './batch-loader.ts'
import { KEY_BYTES, KeyTable } from './key-table.ts'
import type { AddClaims } from './add-claims.ts'
import type { BlockService } from './blocks.ts'
import type { AddResult } from './importer.ts'
import type { CarImport } from './car.ts'
import type { PinRecord } from './pins.ts'
import type { Entry, EntryType, ReadOptions } from './reader.ts'
import type { CID } from 'multiformats/cid'
import type { ImportCandidate } from 'ipfs-unixfs-importer'

export interface FilesInit {
  /** Blocks fetched at once (cat, pin add, export). @default 32 */
  fetchWindow?: number
  /** Blocks stored at once (add, import). @default 8 */
  storeWindow?: number
  /** Deadline of one block's get or put, in ms. @default the service's operation timeout */
  blockTimeout?: number
  /**
   * Ask holders for several blocks at once (FETCH_MANY) when the service can;
   * `false` fetches one block per request (the files bench's
   * `--fetch-many off`). @default true
   */
  fetchMany?: boolean
}

/** One entry of a directory listing. */
export interface ListEntry {
  name: string
  cid: string
  type: EntryType
  /** File bytes (0 for directories). */
  size: number
}

export class Files {
  readonly pins: Pins
  private readonly service: BlockService
  private readonly init: Required<Omit<FilesInit, 'blockTimeout' | 'fetchMany'>> & FilesInit
  /** How long block gets have been taking: when to ask a second holder (hedge.ts). */
  private readonly latency = new BlockLatency()
  /** Several blocks per request from one holder (batch-loader.ts), when the service offers it. */
  readonly batches?: BatchLoader

  constructor (service: BlockService, init: FilesInit = {}) {
    this.service = service
    this.init = { fetchWindow: DEFAULT_FETCH_WINDOW, storeWindow: DEFAULT_STORE_WINDOW, ...init }
    if (service.blockBatches != null && init.fetchMany !== false) {
      this.batches = new BatchLoader(service.blockBatches, this.loadOne, {
        hedgeMs: () => this.latency.hedgeMs(),
        onBlock: ms => { this.latency.observe(ms) },
        ...(init.blockTimeout == null ? {} : { singleMs: BLOCK_TRIES * init.blockTimeout })
      })
    }
    this.pins = new Pins(service.localPins, this.load)
  }

  /** A block by CID, verified: in a batch with others of this turn when the service can (FETCH_MANY), else on its own. */
  readonly load = async (cid: CID, signal?: AbortSignal): Promise<Uint8Array> => {
    return this.batches != null ? this.batches.load(cid, signal) : this.loadOne(cid, signal)
  }

  /**
   * A block by CID, on its own, tried again once when it could not be had (a
   * replica that just died, a lookup that met only busy peers): a cat
   * survives the loss of R − 1 nodes without waiting for repair.
   */
  private readonly loadOne = async (cid: CID, signal?: AbortSignal): Promise<Uint8Array> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const started = performance.now()
        const block = await getBlock(this.service, cid, { signal, timeout: this.init.blockTimeout, hedgeMs: this.latency.hedgeMs() })
        this.latency.observe(performance.now() - started)
        return block
      } catch (err: any) {
        if (attempt >= BLOCK_TRIES || signal?.aborted === true || err instanceof InvalidInputError || err?.code === 'wrong-kind') throw err
      }
    }
  }

  /** Import a byte stream as a file, store its blocks (pinned here, R copies), and record the pin. */
  async add (content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { name?: string, signal?: AbortSignal } = {}): Promise<AddResult & { bytes: number }> {
    return this.adding(options, async store => importFile(content, store, { storeWindow: this.init.storeWindow, signal: options.signal }))
  }

  /** Import entries with relative paths (a multipart upload) as one directory, store its blocks, and record the pin. */
  async addDirectory (entries: AsyncIterable<ImportCandidate>, options: { name?: string, signal?: AbortSignal } = {}): Promise<AddResult & { bytes: number }> {
    return this.adding(options, async store => importDirectory(entries, store, { storeWindow: this.init.storeWindow, signal: options.signal }))
  }

  /**
   * An add: the import stores through a SizedStore, then the root is pinned.
   * Every block is claimed before it is stored (add-claims.ts). An add that
   * fails (bad input part-way, the client gone) unpins the blocks it pinned
   * that no other add or pin needs and were not pinned before, so they
   * expire like others' items rather than staying as pins nobody asked for.
   */
  private async adding (options: { name?: string, signal?: AbortSignal }, work: (store: SizedStore) => Promise<AddResult>): Promise<AddResult & { bytes: number }> {
    const store = new SizedStore(this.service, { signal: options.signal, blockTimeout: this.init.blockTimeout, cidsOfTheseBytes: true })
    let result: AddResult
    try {
      result = await work(store)
    } catch (err) {
      // puts still running (the importer stops at the first failure) finish before their blocks are let go
      await store.settled()
      await this.pins.abandon(store.claimed).catch(() => {})
      throw err
    }
    try {
      await this.pins.record(result.cid, { blocks: result.blocks, bytes: store.bytes, ...(options.name == null ? {} : { name: options.name }) })
    } catch (err) {
      await this.pins.abandon(store.claimed).catch(() => {})
      throw err
    }
    claimsOf(this.service.localPins).release(store.claimed)
    return { ...result, bytes: store.bytes }
  }

  /** What `path` (`CID` or `CID/sub/dir/file`) names. */
  async stat (path: string, signal?: AbortSignal): Promise<Entry> {
    const slash = path.indexOf('/')
    const root = parseCid(slash < 0 ? path : path.slice(0, slash))
    if (slash < 0 || path.slice(slash + 1).replace(/\/+$/, '') === '') return stat(root, this.load, signal)
    let target: CID
    try {
      target = (await exporter(path.replace(/\/+$/, ''), new ToyrrentBlockstore(this.service, { signal, blockTimeout: this.init.blockTimeout }), { signal })).cid
    } catch (err: any) {
      if (err.name === 'NotFoundError' || err.code === 'ERR_NOT_FOUND' || err.name === 'NoPropError') throw new NotFoundError(`${path}: no such entry`)
      throw err
    }
    return stat(target, this.load, signal)
  }

  /** A file's bytes (or a range of them), in order, through the fetch window. */
  read (entry: Entry, options: ReadOptions = {}): AsyncGenerator<Uint8Array> {
    return readFile(entry, this.load, { window: this.init.fetchWindow, ...options })
  }

  /** A directory's entries with their types and file sizes (each entry's root block is read). */
  async list (entry: Entry, signal?: AbortSignal): Promise<ListEntry[]> {
    if (entry.type !== 'directory') throw new InvalidInputError(`${entry.cid.toString()} is a ${entry.type}, not a directory`)
    const dir = await exporter(entry.cid, new ToyrrentBlockstore(this.service, { signal, blockTimeout: this.init.blockTimeout }), { signal })
    if (dir.type !== 'directory') throw new InvalidInputError(`${entry.cid.toString()} is not a directory`)
    const out: ListEntry[] = []
    const named = dir.entries({ signal, length: MAX_LISTING_ENTRIES })
    for await (const child of inOrder(named, this.init.fetchWindow, async (e, s) => ({ name: e.name, entry: await stat(e.cid, this.load, s) }), signal)) {
      out.push({ name: child.name, cid: child.entry.cid.toString(), type: child.entry.type, size: child.entry.size })
    }
    return out
  }

  /** The DAG under `root` as CAR bytes. */
  exportCar (root: CID, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    return exportCar(root, this.load, { window: this.init.fetchWindow, signal })
  }

  /** Store every block of a CAR stream (verified, pinned here, R copies), then pin its roots. */
  async importCar (source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<CarImport & { pins: PinRecord[] }> {
    const result = await importCar(source, async (cid, bytes, s) => {
      await putBlockWithRetries(this.service, bytes, cid, { signal: s, timeout: this.init.blockTimeout })
    }, { window: this.init.storeWindow, signal })
    const pins: PinRecord[] = []
    // every block is here now, so this walk reads locally and proves the DAG complete
    for (const root of result.roots) pins.push(await this.pins.add(root, { signal, window: this.init.fetchWindow }))
    return { ...result, pins }
  }
}

/** The blockstore of an add: counts the distinct blocks and their bytes, and claims each before storing it. */
class SizedStore extends ToyrrentBlockstore {
  bytes = 0
  /**
   * Per distinct block: CLAIMED, COUNTED (typed arrays, key-table.ts: as hex
   * strings in two Sets plus a Uint8Array each they were ~10 MiB of a 1 GiB
   * add's heap). Blocks not named by a 32-byte SHA-256 (identity CIDs, never
   * from our importer) are counted in `others`.
   */
  private readonly blocks = new KeyTable()
  private readonly others = new Set<string>()
  private readonly claims: AddClaims
  private readonly running = new Set<Promise<unknown>>()

  constructor (service: BlockService, options: ConstructorParameters<typeof ToyrrentBlockstore>[1]) {
    super(service, options)
    this.claims = claimsOf(service.localPins)
  }

  /** Keys of the blocks this add claimed (add-claims.ts), each once. */
  get claimed (): Iterable<Uint8Array> {
    return this.blocks.keysWhere(flags => (flags & CLAIMED) !== 0)
  }

  override async put (...args: Parameters<ToyrrentBlockstore['put']>): Promise<CID> {
    const [given, block] = args
    const digest = given.multihash.digest
    const keyed = given.multihash.code === sha256.code && digest.byteLength === KEY_BYTES
    if (keyed && ((this.blocks.get(digest) ?? 0) & CLAIMED) === 0) {
      this.blocks.set(digest, (this.blocks.get(digest) ?? 0) | CLAIMED)
      await this.claims.claim(digest)
    }
    const running = super.put(...args)
    this.running.add(running)
    try {
      const cid = await running
      if (block instanceof Uint8Array && this.firstCount(given, keyed)) this.bytes += block.byteLength
      return cid
    } finally {
      this.running.delete(running)
    }
  }

  /** Resolves once no put of this add is running (whatever their outcome). */
  async settled (): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  /** Is this the first time this block is counted (and mark it counted)? */
  private firstCount (cid: CID, keyed: boolean): boolean {
    if (!keyed) {
      const id = hexKey(cid.bytes)
      if (this.others.has(id)) return false
      this.others.add(id)
      return true
    }
    const flags = this.blocks.get(cid.multihash.digest) ?? 0
    if ((flags & COUNTED) !== 0) return false
    this.blocks.set(cid.multihash.digest, flags | COUNTED)
    return true
  }
}

const CLAIMED = 1
const COUNTED = 2

const perService = new WeakMap<object, Files>()

/** The Files of a service (one per service, made on first use). */
export function filesOf (service: BlockService, init?: FilesInit): Files {
  let files = perService.get(service)
  if (files == null) perService.set(service, files = new Files(service, init))
  return files
}
