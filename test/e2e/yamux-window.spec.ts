/**
 * Yamux with window updates at half a window (src/node/yamux-window.ts)
 * moves bulk data through many windows over real TCP with Noise, both ways
 * between two of ours and with stock @chainsafe/libp2p-yamux at either end,
 * to a reader that stops reading now and then (yamux's pause: no updates
 * while paused): every byte arrives, checked by SHA-256, so no sender waits
 * for good on an update held back.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { toyrrentYamux } from '../../src/node/yamux-window.ts'
import type { Libp2p } from '@libp2p/interface'

/** Answers each stream with the SHA-256 of all it received, reading slowly. */
const SLOW_DIGEST_PROTOCOL = '/toyrrent-test/slow-sha256/1'
const TRANSFER_BYTES = 6 * 1024 * 1024
/** Pauses each slow reader made (the test checks it did pause). */
const pauses: number[] = []

async function node (ours: boolean): Promise<Libp2p> {
  const created = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [ours ? toyrrentYamux() : yamux()],
    connectionMonitor: { enabled: false },
    connectionManager: { inboundConnectionThreshold: 1_000 }
  })
  await created.handle(SLOW_DIGEST_PROTOCOL, async (stream) => {
    const hash = createHash('sha256')
    let sincePause = 0
    let paused = 0
    const ended = Promise.withResolvers<void>()
    stream.addEventListener('message', (evt) => {
      hash.update(evt.data.subarray())
      // a reader that falls behind: paused, yamux sends no window update until it resumes
      sincePause += evt.data.byteLength
      if (sincePause >= 100_000 && stream.readStatus === 'readable') {
        sincePause = 0
        stream.pause()
        paused++
        setTimeout(() => { if (stream.status === 'open') stream.resume() }, 3)
      }
    })
    stream.addEventListener('remoteCloseWrite', () => { ended.resolve() })
    await ended.promise
    pauses.push(paused)
    stream.send(hash.digest())
    await stream.close()
  })
  return created
}

async function transfer (from: Libp2p, to: Libp2p): Promise<void> {
  const data = randomBytes(TRANSFER_BYTES)
  const stream = await from.dialProtocol(to.getMultiaddrs()[0], SLOW_DIGEST_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  for (let at = 0; at < data.byteLength; at += 40_000) {
    if (!stream.send(data.subarray(at, at + 40_000))) await stream.onDrain({ signal: AbortSignal.timeout(20_000) })
  }
  await stream.close({ signal: AbortSignal.timeout(20_000) })
  const answer: Uint8Array[] = []
  for await (const chunk of stream) answer.push(chunk.subarray())
  expect(Buffer.concat(answer).toString('hex')).to.equal(createHash('sha256').update(data).digest('hex'))
}

describe('e2e: yamux window updates at half a window, bulk through many windows', function () {
  this.timeout(60_000)
  const nodes: Libp2p[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

  for (const [label, a, b] of [['ours and ours', true, true], ['ours and stock', true, false], ['stock and ours', false, true]] as const) {
    it(`6 MiB each way to a slow reader, ${label}`, async () => {
      const [x, y] = await Promise.all([node(a), node(b)])
      nodes.push(x, y)
      pauses.length = 0
      await transfer(x, y)
      await transfer(y, x)
      expect(pauses).to.have.length(2)
      for (const p of pauses) expect(p).to.be.at.least(3)
    })
  }
})
