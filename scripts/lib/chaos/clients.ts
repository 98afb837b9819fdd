/**
 * The clients of a chaos run: concurrent loops, each sending operations
 * through the HTTP API (ToyrrentClient) of a random node that is up, and
 * recording every one in the history.
 *
 * Each client does a mix of:
 * - hash puts of new values and gets of keys put before;
 * - single-writer publishes under its own key (seq 1, 2, 3, ...);
 * - CAS writes under a key it shares with the other clients of its CAS group:
 *   resolve (or reuse the group's last known seq, so clients race with the
 *   same expected seq), then `POST /v1/records?cas=S` with seq S + 1;
 * - resolves of any publish id.
 * Records are signed here, on the client side. Every value written is unique
 * (it names its operation), so a value read identifies the write behind it.
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { createHash } from 'node:crypto'
import { ApiError, DaemonNotRunningError, ToyrrentClient } from '../../../src/api/client.ts'
import { isFinal } from '../../../src/refusals.ts'
import { createPublishRecord, encodePublishRecord, publishId } from '../../../src/records/publish-record.ts'
import { rng } from '../stats.ts'
import type { ChaosNode } from './daemons.ts'
import type { Op, OpKind, Outcome, Recorder } from './history.ts'
import type { Ed25519PrivateKey } from '@libp2p/interface'

export interface ClientsOptions {
  seed: number
  clients: number
  /** Clients per shared CAS key. */
  casGroupSize: number
  /** Each request's client-side deadline. */
  requestTimeoutMs: number
  /** Pause between two operations of one client, ms (uniform in [min, max]). */
  thinkMs: [number, number]
}

export interface PublishKey {
  key: Ed25519PrivateKey
  id: string
}

/** How long a CAS race waits for other members of its group. */
const RACE_WINDOW_MS = 150

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A deterministic Ed25519 key for (seed, name). */
export async function keyFor (seed: number, name: string): Promise<PublishKey> {
  const material = createHash('sha256').update(`toyrrent-chaos/${seed}/${name}`).digest()
  const key = await generateKeyPairFromSeed('Ed25519', material)
  return { key, id: hex(publishId(key.publicKey.raw, new Uint8Array(0))) }
}

/** What an error means for an operation: definitely not done (`fail`) or maybe (`unknown`). */
export function classify (err: unknown, write: boolean): { outcome: Outcome, error: string } {
  if (err instanceof ApiError) {
    // a final refusal is about the request itself: nothing was stored
    if (isFinal(err.code)) return { outcome: 'fail', error: err.code }
    return { outcome: write ? 'unknown' : 'fail', error: err.code }
  }
  // nothing listened: the request was never received
  if (err instanceof DaemonNotRunningError) return { outcome: 'fail', error: 'daemon-not-running' }
  const name = (err as Error)?.name
  if (name === 'TimeoutError' || name === 'AbortError') return { outcome: 'unknown', error: 'client-timeout' }
  return { outcome: 'unknown', error: 'connection-lost' }
}

export class Clients {
  readonly stats = { started: 0 }
  private readonly options: ClientsOptions
  private readonly recorder: Recorder
  private readonly nodes: () => ChaosNode[]
  /** Keys (hex) of the hash items put so far, acknowledged or not: what gets read. */
  private readonly hashKeys: string[] = []
  private readonly own: PublishKey[] = []
  private readonly casKeys: PublishKey[] = []
  /** Last seq a member of each CAS group saw or wrote. */
  private readonly casSeen: bigint[] = []
  private stopped = false
  /** CAS races forming, per group. */
  private readonly races = new Map<number, Promise<bigint>>()

  constructor (recorder: Recorder, nodes: () => ChaosNode[], options: ClientsOptions) {
    this.recorder = recorder
    this.nodes = nodes
    this.options = options
  }

  /** Every publish id written to (for the final reads). */
  ids (): string[] {
    return [...this.own, ...this.casKeys].map(k => k.id)
  }

  async prepare (): Promise<void> {
    const groups = Math.max(1, Math.ceil(this.options.clients / this.options.casGroupSize))
    for (let i = 0; i < this.options.clients; i++) this.own.push(await keyFor(this.options.seed, `own-${i}`))
    for (let g = 0; g < groups; g++) {
      this.casKeys.push(await keyFor(this.options.seed, `cas-${g}`))
      this.casSeen.push(0n)
    }
  }

  /** Run every client until `deadline` (performance.now()); resolves when all are done. */
  async run (deadline: number): Promise<void> {
    await Promise.all(Array.from({ length: this.options.clients }, async (_, i) => this.client(i, deadline)))
  }

  stop (): void {
    this.stopped = true
  }

  private async client (i: number, deadline: number): Promise<void> {
    const random = rng(this.options.seed * 1009 + i * 7919 + 1)
    const name = `c${i}`
    const group = i % this.casKeys.length
    let ownSeq = 0n
    let n = 0
    while (!this.stopped && performance.now() < deadline) {
      const roll = random()
      if (roll < 0.2 || (roll < 0.4 && this.hashKeys.length === 0)) {
        const value = Buffer.concat([Buffer.from(`h${name}.${n++}:`), Buffer.from(Array.from({ length: 16 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)))])
        await this.put(name, random, value)
      } else if (roll < 0.4) {
        await this.get(name, random, this.hashKeys[Math.floor(random() * this.hashKeys.length)])
      } else if (roll < 0.55) {
        ownSeq++
        await this.write('publish', name, random, this.own[i], ownSeq, undefined)
      } else if (roll < 0.85) {
        let expected = this.casSeen[group]
        const race = random() < 0.4 ? this.joinRace(group) : undefined
        if (race != null) {
          // a race: every member of the group that arrives within the window
          // posts with the same expected seq at the same moment
          expected = await race
        } else if (random() < 0.5) {
          const read = await this.resolve(name, random, this.casKeys[group].id)
          if (read.outcome === 'ok' && read.read != null) expected = BigInt(read.read.seq)
          else if (read.outcome === 'fail' && read.error === 'not-found') expected = 0n
          else expected = -1n // no answer: nothing to compare against this time
          if (expected > this.casSeen[group]) this.casSeen[group] = expected
        }
        if (expected >= 0n) {
          const op = await this.write('cas', name, random, this.casKeys[group], expected + 1n, expected)
          if (op.outcome === 'ok' && expected + 1n > this.casSeen[group]) this.casSeen[group] = expected + 1n
        }
      } else {
        const ids = this.ids()
        await this.resolve(name, random, ids[Math.floor(random() * ids.length)])
      }
      const [min, max] = this.options.thinkMs
      await new Promise(resolve => setTimeout(resolve, min + random() * (max - min)))
    }
  }

  /**
   * Join the group's race forming now, or start one: resolves, after a short
   * window, to the expected seq every participant uses.
   */
  private joinRace (group: number): Promise<bigint> {
    const forming = this.races.get(group)
    if (forming != null) return forming
    const race = new Promise<bigint>(resolve => setTimeout(() => {
      this.races.delete(group)
      resolve(this.casSeen[group])
    }, RACE_WINDOW_MS))
    this.races.set(group, race)
    return race
  }

  private pick (random: () => number): ChaosNode | undefined {
    const up = this.nodes().filter(node => node.state === 'up')
    return up[Math.floor(random() * up.length)]
  }

  /** Send one operation through a random node that is up and record it. */
  private async send (kind: OpKind, client: string, random: () => number, fields: Partial<Op>, write: boolean,
    work: (api: ToyrrentClient, signal: AbortSignal) => Promise<Partial<Op>>): Promise<Op> {
    const node = this.pick(random)
    const op = this.recorder.invoke({ client, kind, node: node?.name ?? 'none', phase: 'run', ...fields })
    this.stats.started++
    if (node == null) return this.recorder.complete(op, 'fail', { error: 'no-node-up' })
    try {
      const result = await work(new ToyrrentClient(node.api), AbortSignal.timeout(this.options.requestTimeoutMs))
      return this.recorder.complete(op, 'ok', result)
    } catch (err) {
      const { outcome, error } = classify(err, write)
      return this.recorder.complete(op, outcome, { error })
    }
  }

  private async put (client: string, random: () => number, value: Buffer): Promise<Op> {
    const key = createHash('sha256').update(value).digest('hex')
    this.hashKeys.push(key)
    return await this.send('put', client, random, { key, value: value.toString('hex') }, true, async (api, signal) => {
      const res = await api.put(value, { signal })
      if (res.hex !== key) throw new Error(`put answered key ${res.hex}, expected ${key}`)
      return {}
    })
  }

  private async get (client: string, random: () => number, key: string): Promise<Op> {
    return await this.send('get', client, random, { key }, false, async (api, signal) => {
      return { value: hex(await api.get(key, { signal })) }
    })
  }

  private async write (kind: 'publish' | 'cas', client: string, random: () => number, key: PublishKey, seq: bigint, cas: bigint | undefined): Promise<Op> {
    // the value names the operation: unique, so a read tells which write it saw
    const text = `${kind}:${client}:${seq}:${this.recorder.ops.length}:${Math.floor(random() * 1e9)}`
    const record = encodePublishRecord(await createPublishRecord({ privateKey: key.key, seq, value: new TextEncoder().encode(text) }))
    return await this.send(kind, client, random, { id: key.id, seq: seq.toString(), cas: cas?.toString(), text }, true, async (api, signal) => {
      const res = await api.publishRecord(record, { expectedSeq: cas, signal })
      if (res.seq !== seq.toString()) throw new Error(`publish answered seq ${res.seq}, expected ${seq}`)
      return {}
    })
  }

  private async resolve (client: string, random: () => number, id: string): Promise<Op> {
    return await this.send('resolve', client, random, { id }, false, async (api, signal) => {
      const record = await api.resolve(id, { signal })
      return { read: { seq: record.seq, text: Buffer.from(record.value, 'base64').toString('utf8') } }
    })
  }
}

/** Final-phase reads: one operation through a given node, recorded like the clients' ones. */
export async function finalRead (recorder: Recorder, node: ChaosNode, kind: 'get' | 'resolve' | 'holders', target: string, timeoutMs: number): Promise<Op> {
  const fields: Partial<Op> = kind === 'resolve' ? { id: target } : { key: target }
  const op = recorder.invoke({ client: 'final', kind, node: node.name, phase: 'final', ...fields })
  const api = new ToyrrentClient(node.api)
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    if (kind === 'get') return recorder.complete(op, 'ok', { value: hex(await api.get(target, { signal })) })
    if (kind === 'resolve') {
      const record = await api.resolve(target, { signal })
      return recorder.complete(op, 'ok', { read: { seq: record.seq, text: Buffer.from(record.value, 'base64').toString('utf8') } })
    }
    const res = await api.holders(target, { signal })
    return recorder.complete(op, 'ok', { holders: { holding: res.holding, replicas: res.replicas } })
  } catch (err) {
    const { outcome, error } = classify(err, false)
    return recorder.complete(op, outcome, { error })
  }
}

/** Hash keys put so far (acknowledged or not): for the final phase. */
export function hashKeysOf (recorder: Recorder): string[] {
  return [...new Set(recorder.ops.filter(op => op.kind === 'put' && op.outcome !== 'fail' && op.key != null).map(op => op.key as string))]
}
