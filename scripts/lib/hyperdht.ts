/**
 * hyperdht (the Holepunch DHT, UDP over udx-native) behind the benchmark's
 * ImplNode interface, for comparison only (a devDependency).
 *
 * Nodes are persistent (ephemeral: false, firewalled: false) and bound to
 * 127.0.0.1, as in hyperdht's own testnet; each joins through an earlier node.
 * put/get are immutablePut/immutableGet (key = BLAKE2b of the value),
 * publish/resolve are mutablePut/mutableGet with hyperdht's defaults
 * (mutableGet with `latest: true`: the highest seq among the replies, as
 * toyrrent's resolve returns the highest seq of its read quorum).
 * hyperdht has no local read path: every get goes over the network.
 */
import { createRequire } from 'node:module'
import { untilAborted } from '../../src/signals.ts' // hyperdht queries take no signal
import type { ImplNode, ImplNodeOptions } from './impl.ts'

const require = createRequire(import.meta.url)

function parseHostPort (addr: string): { host: string, port: number } {
  const i = addr.lastIndexOf(':')
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) }
}

export class HyperdhtBenchNode implements ImplNode {
  readonly impl = 'hyperdht' as const
  private readonly keyPairs = new Map<string, any>()
  private readonly counts: Record<string, number> = {}

  private constructor (private readonly dht: any) {
    // requests counted by command around dht-rpc's request path
    const original = dht._request.bind(dht)
    dht._request = (...args: any[]) => {
      // dht-rpc's _request(to, force, internal, command, ...): internal commands are dht-rpc's own (ping, find_node, ...)
      const label = `${args[2] === true ? 'internal' : 'cmd'}${String(args[3])}`
      this.counts[label] = (this.counts[label] ?? 0) + 1
      return original(...args)
    }
  }

  static async create (options: ImplNodeOptions): Promise<HyperdhtBenchNode> {
    const DHT = require('hyperdht')
    const bootstrap = options.bootstrap != null ? [parseHostPort(options.bootstrap)] : []
    const dht = new DHT({ ephemeral: false, firewalled: false, bootstrap, host: '127.0.0.1', port: 0 })
    await dht.fullyBootstrapped()
    return new HyperdhtBenchNode(dht)
  }

  addr (): string {
    const a = this.dht.address()
    return `127.0.0.1:${a.port as number}`
  }

  async refresh (signal: AbortSignal): Promise<void> {
    // the table's id: `id` stays null while a node still counts itself ephemeral
    await untilAborted(this.dht.findNode(this.dht.table.id).finished(), signal)
  }

  async put (value: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const { hash } = await untilAborted<any>(this.dht.immutablePut(Buffer.from(value)), signal)
    return hash
  }

  async get (key: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const node = await untilAborted<any>(this.dht.immutableGet(Buffer.from(key)), signal)
    return node?.value
  }

  holds (): boolean { return false }

  canPublish (): boolean { return true }

  async prepareKeys (seeds: Uint8Array[]): Promise<void> {
    const DHT = require('hyperdht')
    for (const seed of seeds) {
      const hex = Buffer.from(seed).toString('hex')
      if (!this.keyPairs.has(hex)) this.keyPairs.set(hex, DHT.keyPair(Buffer.from(seed)))
    }
  }

  async publish (seed: Uint8Array, value: Uint8Array, seq: bigint, signal: AbortSignal): Promise<Uint8Array> {
    await this.prepareKeys([seed])
    const keyPair = this.keyPairs.get(Buffer.from(seed).toString('hex'))
    await untilAborted(this.dht.mutablePut(keyPair, Buffer.from(value), { seq: Number(seq) }), signal)
    return keyPair.publicKey
  }

  async resolve (id: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const node = await untilAborted<any>(this.dht.mutableGet(Buffer.from(id)), signal)
    return node?.value
  }

  tableSize (): number { return this.dht.toArray().length }

  requestCounts (): Record<string, number> { return { ...this.counts } }

  newConnections (): number { return 0 }

  async stop (): Promise<void> { await this.dht.destroy() }
}
