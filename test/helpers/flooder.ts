/**
 * A flooding peer in its own process (so its CPU is not the measured node's):
 * `node flooder.js TARGET_MULTIADDR HELD_KEY_HEX REQUESTS STREAMS`. Opens STREAMS
 * raw RPC streams to the target, writes REQUESTS requests as fast as the
 * streams take them (in bursts), reads every reply, and prints one JSON line
 * `{"started":true}` when the flood begins and one with the reply counts at the end.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { createToyrrentNode } from '../../src/node.ts'
import { Frame, ItemKind } from '../../src/rpc/pb/rpc.ts'
import { encodeVarint } from '../../src/rpc/frame-stream.ts'
import { RawRpc, concat } from './raw-rpc.ts'

const [target, keyHex, requestsArg, streamsArg] = process.argv.slice(2)
const requests = Number(requestsArg)
const streams = Number(streamsArg)
const key = Uint8Array.from(Buffer.from(keyHex, 'hex'))
const BATCH = 64
// mostly small fetches of a held item; every 16th a 60 KiB store the node refuses (the body does not hash to the key)
const body = new Uint8Array(60_000).fill(7)
const request = (id: bigint, i: number): Uint8Array => i % 16 === 0
  ? Frame.encode({ id, type: Frame.Type.STORE, storeRequest: { item: { kind: ItemKind.HASH, key: new Uint8Array(32).fill(i % 256), body, ttlSeconds: 0, acceptors: [] }, closerCount: 0 } })
  : Frame.encode({ id, type: Frame.Type.FETCH, fetchRequest: { key, closerCount: 0 } })

const node = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
const deadline = AbortSignal.timeout(50_000)
deadline.addEventListener('abort', () => { process.stdout.write(JSON.stringify({ error: 'flood deadline' }) + '\n'); process.exit(1) })
await node.libp2p.dial(multiaddr(target), { signal: AbortSignal.timeout(10_000) })
const statuses: Record<string, number> = {}
const perStream = Math.ceil(requests / streams)
process.stdout.write(JSON.stringify({ started: true }) + '\n')
await Promise.all(Array.from({ length: streams }, async (_, s) => {
  const rpc = await RawRpc.open(node, peerIdFromString(multiaddr(target).getComponents().find(c => c.name === 'p2p')?.value ?? ''))
  const reader = (async () => {
    for (let i = 0; i < perStream; i++) {
      const outcome = await rpc.next(20_000)
      if (outcome.kind !== 'response') throw new Error(`flood stream ${s} ended after ${i} replies: ${outcome.kind}`)
      statuses[outcome.frame.status] = (statuses[outcome.frame.status] ?? 0) + 1
    }
  })()
  for (let i = 0; i < perStream; i += BATCH) {
    const frames: Uint8Array[] = []
    for (let j = i; j < Math.min(i + BATCH, perStream); j++) {
      const frame = request(BigInt(s * perStream + j + 1), j)
      frames.push(encodeVarint(frame.byteLength), frame)
    }
    await rpc.sendRaw(concat(...frames), 20_000)
  }
  await reader
  rpc.abort()
}))
process.stdout.write(JSON.stringify({ replies: statuses, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) }) + '\n')
await node.stop()
process.exit(0)
