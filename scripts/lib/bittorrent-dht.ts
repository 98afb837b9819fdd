/**
 * bittorrent-dht (WebTorrent's BEP 5 / BEP 44 DHT over node:dgram) behind the
 * benchmark's ImplNode interface, for comparison only (a devDependency).
 *
 * put/get are BEP 44 immutable items (key = SHA-1 of the bencoded value),
 * publish/resolve BEP 44 mutable items signed with Ed25519 (node:crypto).
 * BEP 44 caps a value at 999 bytes (maxValueBytes), so this implementation's
 * values are 999 bytes where the others carry 1 KiB. Gets pass `cache: false`
 * so no node answers from its own store: every get goes over the network.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import type { ImplNode, ImplNodeOptions } from './impl.ts'

/** PKCS#8 prefix of a raw 32-byte Ed25519 seed. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
/** SPKI prefix of a raw 32-byte Ed25519 public key. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

function verifyEd25519 (signature: Buffer, message: Buffer, publicKey: Buffer): boolean {
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
    return verify(null, message, key, signature)
  } catch {
    return false
  }
}

interface Publisher { publicKey: Buffer, sign(message: Buffer): Buffer }

function publisher (seed: Uint8Array): Publisher {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(seed)]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' })
  return { publicKey: Buffer.from(spki.subarray(SPKI_PREFIX.length)), sign: (message: Buffer) => sign(null, message, key) }
}

async function callback<T> (signal: AbortSignal, start: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
  signal.throwIfAborted()
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    start((err, value) => {
      signal.removeEventListener('abort', onAbort)
      if (err != null) reject(err)
      else resolve(value)
    })
  })
}

export class BittorrentBenchNode implements ImplNode {
  readonly impl = 'bittorrent-dht' as const
  readonly maxValueBytes = 999
  private readonly publishers = new Map<string, Publisher>()
  private readonly counts: Record<string, number> = {}

  private constructor (private readonly dht: any) {
    const rpc = dht._rpc
    const query = rpc.query.bind(rpc)
    rpc.query = (node: unknown, message: any, cb: unknown) => {
      const label = String(message?.q)
      this.counts[label] = (this.counts[label] ?? 0) + 1
      return query(node, message, cb)
    }
  }

  static async create (options: ImplNodeOptions): Promise<BittorrentBenchNode> {
    const { default: DHT } = await import('bittorrent-dht' as string)
    const dht = new DHT({ bootstrap: options.bootstrap != null ? [options.bootstrap] : false, host: '127.0.0.1', verify: verifyEd25519 })
    await new Promise<void>((resolve, reject) => {
      dht.once('error', reject)
      dht.listen(0, '127.0.0.1', () => { resolve() })
    })
    if (options.bootstrap != null && dht.ready !== true) await new Promise(resolve => dht.once('ready', resolve))
    return new BittorrentBenchNode(dht)
  }

  addr (): string { return `127.0.0.1:${this.dht.address().port as number}` }

  /** A lookup of our own id, what bittorrent-dht's bootstrap does. */
  async refresh (signal: AbortSignal): Promise<void> {
    await callback<void>(signal, cb => { this.dht._rpc.populate(this.dht._rpc.id, { q: 'find_node', a: { id: this.dht._rpc.id, target: this.dht._rpc.id } }, () => { cb(null) }) })
  }

  async put (value: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    return callback<Uint8Array>(signal, cb => { this.dht.put({ v: Buffer.from(value) }, (err: Error | null, hash: Buffer) => { cb(err, hash) }) })
  }

  async get (key: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const res = await callback<any>(signal, cb => { this.dht.get(Buffer.from(key), { cache: false }, cb) })
    return res?.v
  }

  holds (): boolean { return false }

  canPublish (): boolean { return true }

  async prepareKeys (seeds: Uint8Array[]): Promise<void> {
    for (const seed of seeds) {
      const hex = Buffer.from(seed).toString('hex')
      if (!this.publishers.has(hex)) this.publishers.set(hex, publisher(seed))
    }
  }

  async publish (seed: Uint8Array, value: Uint8Array, seq: bigint, signal: AbortSignal): Promise<Uint8Array> {
    await this.prepareKeys([seed])
    const p = this.publishers.get(Buffer.from(seed).toString('hex'))!
    return callback<Uint8Array>(signal, cb => {
      this.dht.put({ k: p.publicKey, seq: Number(seq), v: Buffer.from(value), sign: (buf: Buffer) => p.sign(buf) }, (err: Error | null, hash: Buffer) => { cb(err, hash) })
    })
  }

  async resolve (id: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const res = await callback<any>(signal, cb => { this.dht.get(Buffer.from(id), { cache: false }, cb) })
    return res?.v
  }

  tableSize (): number { return this.dht.nodes.count() }

  requestCounts (): Record<string, number> { return { ...this.counts } }

  newConnections (): number { return 0 }

  async stop (): Promise<void> { await new Promise<void>(resolve => { this.dht.destroy(() => { resolve() }) }) }
}
