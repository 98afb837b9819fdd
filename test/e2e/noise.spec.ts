/**
 * The node's Noise (src/node/noise.ts: kept key objects, node's HKDF, the
 * static-key signature remembered) speaks the same Noise as
 * @chainsafe/libp2p-noise as it comes: real TCP on loopback, a handshake in
 * each direction with a stock node and between two of ours, each proven by
 * a ping (encrypted both ways with the session keys) and by the peer id each
 * end authenticated. Repeated connections reuse the signature and still
 * authenticate. Megabytes each way (full 64 KiB Noise frames, through our
 * ChaCha20-Poly1305 with kept key objects and one buffer per frame) arrive
 * intact at a stock node and from one.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { ping } from '@libp2p/ping'
import { toyrrentNoise } from '../../src/node/noise.ts'
import { waitFor } from '../helpers/wait.ts'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

type Node = Libp2p<{ ping: Ping }>

/** Answers each stream with the SHA-256 of all it received. */
const DIGEST_PROTOCOL = '/toyrrent-test/sha256/1'
const TRANSFER_BYTES = 3 * 1024 * 1024

async function node (ours: boolean): Promise<Node> {
  const created = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [ours ? toyrrentNoise() : noise()],
    streamMuxers: [yamux()],
    services: { ping: ping() },
    connectionMonitor: { enabled: false },
    // libp2p refuses more than 5 inbound connections a second from one address by default; here all come from 127.0.0.1
    connectionManager: { inboundConnectionThreshold: 1_000 }
  })
  await created.handle(DIGEST_PROTOCOL, async (stream) => {
    const hash = createHash('sha256')
    for await (const chunk of stream) hash.update(chunk.subarray())
    stream.send(hash.digest())
    await stream.close()
  })
  return created
}

/** Sends TRANSFER_BYTES in uneven chunks from `from` to `to` and checks the digest `to` computed. */
async function transfer (from: Node, to: Node): Promise<void> {
  const data = randomBytes(TRANSFER_BYTES)
  const stream = await from.dialProtocol(to.getMultiaddrs()[0], DIGEST_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  for (let at = 0, n = 0; at < data.byteLength; n++) {
    const size = [200_000, 65_519, 1_000, 131_072, 70_000][n % 5]
    if (!stream.send(data.subarray(at, at + size))) await stream.onDrain({ signal: AbortSignal.timeout(10_000) })
    at += size
  }
  await stream.close({ signal: AbortSignal.timeout(10_000) })
  const answer: Uint8Array[] = []
  for await (const chunk of stream) answer.push(chunk.subarray())
  expect(Buffer.concat(answer).toString('hex')).to.equal(createHash('sha256').update(data).digest('hex'))
}

async function connectAndPing (from: Node, to: Node): Promise<void> {
  const connection = await from.dial(to.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  expect(connection.remotePeer.equals(to.peerId)).to.equal(true)
  const rtt = await from.services.ping.ping(to.peerId, { signal: AbortSignal.timeout(10_000) })
  expect(rtt).to.be.a('number')
  const back = to.getConnections(from.peerId)
  expect(back, 'the listener authenticated the dialler').to.have.length.greaterThan(0)
  await from.hangUp(to.peerId)
  // the next handshake must be a new one, not the old connection the other end has not yet seen closed
  await waitFor('both ends closed the connection', () => to.getConnections(from.peerId).length === 0 && from.getConnections(to.peerId).length === 0)
}

describe('e2e: the node\'s Noise handshake against stock libp2p-noise', function () {
  this.timeout(60_000)
  const nodes: Node[] = []
  after(async () => { await Promise.all(nodes.map(async n => n.stop())) })

  it('connects ours → stock, stock → ours and ours → ours, again and again', async () => {
    const [a, b, stock] = await Promise.all([node(true), node(true), node(false)])
    nodes.push(a, b, stock)
    for (let round = 0; round < 3; round++) {
      await connectAndPing(a, stock)
      await connectAndPing(stock, a)
      await connectAndPing(a, b)
      await connectAndPing(b, a)
    }
  })

  it('carries megabytes intact ours → stock, stock → ours and ours → ours', async () => {
    const [a, b, stock] = await Promise.all([node(true), node(true), node(false)])
    nodes.push(a, b, stock)
    await transfer(a, stock)
    await transfer(stock, a)
    await transfer(a, b)
    await transfer(b, a)
  })
})
