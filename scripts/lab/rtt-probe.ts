/**
 * Round trips of a request to a peer with no connection: run inside a lab
 * namespace, it dials TARGET (a multiaddr with /p2p/), opens a libp2p ping
 * stream on the new connection (protocol negotiation included), sends one
 * ping and waits for the first byte of the answer, TRIES times, each on a new
 * connection. Prints one JSON line: per try, ms until the connection was up
 * and ms until the answer arrived (the stream's close is not counted).
 *
 *   node dist/scripts/lab/rtt-probe.js /ip4/…/udp/4001/quic-v1/p2p/… 10
 */
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { quic } from '@chainsafe/libp2p-quic'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'

const PING_PROTOCOL = '/ipfs/ping/1.0.0'

const [target, triesText = '10'] = process.argv.slice(2)
const tries = Number(triesText)
const ma = multiaddr(target)
const node = await createLibp2p({
  addresses: { listen: [] },
  transports: [tcp(), quic()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), ping: ping() }
})
const samples: Array<{ connectMs: number, requestMs: number }> = []
for (let i = 0; i < tries; i++) {
  const started = performance.now()
  const connection = await node.dial(ma, { signal: AbortSignal.timeout(10_000) })
  const connected = performance.now()
  const stream = await connection.newStream(PING_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const answer = new Promise<void>((resolve, reject) => {
    stream.addEventListener('message', () => { resolve() }, { once: true })
    stream.addEventListener('close', () => { reject(new Error('ping stream closed unanswered')) }, { once: true })
  })
  stream.send(crypto.getRandomValues(new Uint8Array(32)))
  await answer
  const answered = performance.now()
  stream.abort(new Error('measured'))
  samples.push({ connectMs: connected - started, requestMs: answered - started })
  await connection.close()
  await node.hangUp(connection.remotePeer)
}
process.stdout.write(JSON.stringify({ target, samples }) + '\n')
await node.stop()
