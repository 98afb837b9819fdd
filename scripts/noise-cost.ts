/**
 * What one Noise handshake costs in CPU, both ends in this process, with
 * @chainsafe/libp2p-noise as it comes and with the node's Noise
 * (src/node/noise.ts): handshakes over in-memory connection pairs, no
 * transport or muxer, in alternating rounds so both see the same load; prints
 * each variant's median CPU per handshake and their ratio. With --mib N it
 * also sends N MiB one way over a secured pair in 64 KiB writes (what a
 * block costs in Noise alone, both ends: encrypt and decrypt) and counts the
 * buffers Noise hands the connection below it per Noise frame.
 *
 *   node dist/scripts/noise-cost.js [--handshakes 200] [--rounds 6] [--mib 0]
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import { noise } from '@chainsafe/libp2p-noise'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { toyrrentNoise } from '../src/node/noise.ts'
import { percentile, round } from './lib/stats.ts'
import type { NoiseComponents } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

const { values: args } = parseArgs({ options: { handshakes: { type: 'string', default: '200' }, rounds: { type: 'string', default: '6' }, mib: { type: 'string', default: '0' } } })

const WRITE_BYTES = 64 * 1024
/** A Noise frame's bytes besides its plaintext: the length and the tag. */
const FRAME_OVERHEAD_BYTES = 2 + 16

async function encrypter (variant: string): Promise<ConnectionEncrypter> {
  const privateKey = await generateKeyPair('Ed25519')
  const components = {
    privateKey,
    peerId: peerIdFromPrivateKey(privateKey),
    logger: defaultLogger(),
    upgrader: { getStreamMuxers: () => new Map() }
  } as unknown as NoiseComponents
  return (variant === 'toyrrent' ? toyrrentNoise() : noise())(components)
}

/** CPU ms per handshake (both ends) over `n` handshakes between `a` and `b`. */
async function handshakes (a: ConnectionEncrypter, b: ConnectionEncrypter, n: number): Promise<number> {
  const cpu = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const [outbound, inbound] = multiaddrConnectionPair()
    const [x, y] = await Promise.all([a.secureOutbound(outbound), b.secureInbound(inbound)])
    await Promise.all([x.connection.close(), y.connection.close()])
  }
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / 1000 / n
}

/** Buffers and bytes handed to `connection.send` are counted in `counts`. */
function counted (connection: MessageStream, counts: { buffers: number, bytes: number }): MessageStream {
  const send = connection.send.bind(connection)
  connection.send = (data: Uint8Array | Uint8ArrayList) => {
    counts.buffers += data instanceof Uint8Array ? 1 : [...data].length
    counts.bytes += data.byteLength
    return send(data)
  }
  return connection
}

/** CPU ms per MiB sent from `a` to `b` over one secured pair, and buffers sent below Noise per frame. */
async function messages (a: ConnectionEncrypter, b: ConnectionEncrypter, mib: number): Promise<{ cpuMsPerMiB: number, buffersPerFrame: number }> {
  const [outbound, inbound] = multiaddrConnectionPair()
  const counts = { buffers: 0, bytes: 0 }
  const [x, y] = await Promise.all([a.secureOutbound(counted(outbound, counts)), b.secureInbound(inbound)])
  const total = mib * 1024 * 1024
  let received = 0
  const done = new Promise<void>(resolve => {
    y.connection.addEventListener('message', (evt) => {
      received += evt.data.byteLength
      if (received >= total) resolve()
    })
  })
  const data = new Uint8Array(WRITE_BYTES).fill(7)
  const before = { ...counts }
  const cpu = process.cpuUsage()
  for (let sent = 0; sent < total; sent += WRITE_BYTES) {
    if (!x.connection.send(data)) await x.connection.onDrain()
  }
  await done
  const used = process.cpuUsage(cpu)
  // each frame adds its length and tag to the bytes below Noise
  const frames = (counts.bytes - before.bytes - total) / FRAME_OVERHEAD_BYTES
  // done with the pair: a graceful close of both at once can wait on a drain the other end's close cancels
  x.connection.abort(new Error('measured'))
  y.connection.abort(new Error('measured'))
  return { cpuMsPerMiB: (used.user + used.system) / 1000 / mib, buffersPerFrame: (counts.buffers - before.buffers) / frames }
}

/** Per variant, the median CPU ms per MiB over alternating rounds, and the buffers per frame. */
async function messageCost (pairs: Record<string, readonly ConnectionEncrypter[]>, variants: string[], mib: number): Promise<Record<string, unknown>> {
  const perRound: Record<string, number[]> = Object.fromEntries(variants.map(v => [v, []]))
  const buffersPerFrame: Record<string, number> = {}
  for (const v of variants) await messages(pairs[v][0], pairs[v][1], Math.min(mib, 4))
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
      const result = await messages(pairs[v][0], pairs[v][1], mib)
      perRound[v].push(result.cpuMsPerMiB)
      buffersPerFrame[v] = round(result.buffersPerFrame, 2)
    }
  }
  const med = Object.fromEntries(variants.map(v => [v, percentile([...perRound[v]].sort((x, y) => x - y), 50)]))
  return {
    mibPerRound: mib,
    cpuMsPerMiB: Object.fromEntries(variants.map(v => [v, { median: round(med[v], 2), rounds: perRound[v].map(x => round(x, 2)) }])),
    buffersPerFrame,
    toyrrentOverDefault: round(med.toyrrent / med.default, 2)
  }
}

async function main (): Promise<void> {
  const n = Number(args.handshakes)
  const variants = ['default', 'toyrrent']
  const pairs = Object.fromEntries(await Promise.all(variants.map(async v => [v, [await encrypter(v), await encrypter(v)]] as const)))
  for (const v of variants) await handshakes(pairs[v][0], pairs[v][1], 20)
  const perRound: Record<string, number[]> = { default: [], toyrrent: [] }
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) perRound[v].push(await handshakes(pairs[v][0], pairs[v][1], n))
  }
  const med = Object.fromEntries(variants.map(v => [v, percentile([...perRound[v]].sort((x, y) => x - y), 50)]))
  process.stdout.write(JSON.stringify({
    handshakesPerRound: n,
    cpuMsPerHandshake: Object.fromEntries(variants.map(v => [v, { median: round(med[v], 3), rounds: perRound[v].map(x => round(x, 3)) }])),
    toyrrentOverDefault: round(med.toyrrent / med.default, 2),
    ...(Number(args.mib) > 0 ? { messages: await messageCost(pairs, variants, Number(args.mib)) } : {}),
    loadavg: os.loadavg().map(x => round(x, 2))
  }) + '\n')
}

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`noise-cost: ${err.stack ?? err}\n`)
  process.exit(1)
})
