/**
 * The node's Noise (src/node/noise.ts: kept key objects, node's HKDF, the
 * static-key signature remembered) speaks the same Noise as
 * @chainsafe/libp2p-noise as it comes: real TCP on loopback, a handshake in
 * each direction with a stock node and between two of ours, each proven by
 * a ping (encrypted both ways with the session keys) and by the peer id each
 * end authenticated. Repeated connections reuse the signature and still
 * authenticate.
 */
import { expect } from 'chai'
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

async function node (ours: boolean): Promise<Node> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [ours ? toyrrentNoise() : noise()],
    streamMuxers: [yamux()],
    services: { ping: ping() },
    connectionMonitor: { enabled: false },
    // libp2p refuses more than 5 inbound connections a second from one address by default; here all come from 127.0.0.1
    connectionManager: { inboundConnectionThreshold: 1_000 }
  })
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
})
