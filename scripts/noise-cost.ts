/**
 * What one Noise handshake costs in CPU, both ends in this process, with
 * @chainsafe/libp2p-noise as it comes and with the node's Noise
 * (src/node/noise.ts): handshakes over in-memory connection pairs, no
 * transport or muxer, in alternating rounds so both see the same load; prints
 * each variant's median CPU per handshake and their ratio.
 *
 *   node dist/scripts/noise-cost.js [--handshakes 200] [--rounds 6]
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
import type { ConnectionEncrypter } from '@libp2p/interface'

const { values: args } = parseArgs({ options: { handshakes: { type: 'string', default: '200' }, rounds: { type: 'string', default: '6' } } })

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
    loadavg: os.loadavg().map(x => round(x, 2))
  }) + '\n')
}

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`noise-cost: ${err.stack ?? err}\n`)
  process.exit(1)
})
