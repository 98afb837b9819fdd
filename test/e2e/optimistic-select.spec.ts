/**
 * A new RPC stream's first request costs one round trip, not two (issue 13;
 * rpc/optimistic-select.ts): the protocol proposal goes out with the request.
 * Counted without a clock: a proxy in front of the answering node holds
 * everything it sends back, and the request must reach it all the same —
 * which it cannot while the client waits for the proposal's acceptance, as
 * libp2p's own newStream does (the control case below, the old behaviour).
 * Real TCP, Noise and yamux on loopback; the answering side is a plain
 * libp2p multistream-select listener, and a real toyrrent node.
 */
import { expect } from 'chai'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from 'node:crypto'
import { StreamTransport } from '../../src/rpc/stream-transport.ts'
import { FrameStream } from '../../src/rpc/frame-stream.ts'
import { Frame, Status } from '../../src/rpc/pb/rpc.ts'
import { peerPosition } from '../../src/keyspace.ts'
import { MAX_FRAME_BYTES, RPC_PROTOCOL } from '../../src/constants.ts'
import { GateProxy } from '../helpers/gate-proxy.ts'
import { createTestnet, dialAddr } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import { internals } from '../../src/service/toyrrent.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { FoundPeer } from '../../src/found-peer.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

async function bareNode (): Promise<Libp2p> {
  return createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
}

function tcpPort (node: Libp2p): number {
  const addr = node.getMultiaddrs().find(a => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr == null) throw new Error('no loopback address')
  return Number(addr.toString().split('/')[4])
}

function transportOf (node: Libp2p, optimisticSelect: boolean): StreamTransport {
  const components = (node as unknown as { components: any }).components
  return new StreamTransport({ connectionManager: components.connectionManager, peerStore: node.peerStore, logger: defaultLogger() }, RPC_PROTOCOL, { optimisticSelect })
}

function found (peerId: PeerId): FoundPeer {
  return { peerId, multiaddrs: [], position: peerPosition(peerId) }
}

/** Serve RPC_PROTOCOL: note every request frame as it arrives, answer each NOT_FOUND. */
function answering (node: Libp2p): Frame[] {
  const received: Frame[] = []
  void node.handle(RPC_PROTOCOL, async (stream) => {
    const frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: 4 * MAX_FRAME_BYTES })
    while (true) {
      const read = await frames.read({ frameTimeout: 10_000 }).catch(() => ({ end: true as const }))
      if (!('frame' in read)) return
      const request = Frame.decode(read.frame)
      received.push(request)
      frames.send(Frame.encode({ id: request.id, type: request.type, response: true, status: Status.NOT_FOUND }))
    }
  })
  return received
}

const fetchFrame = (): Partial<Frame> => ({ type: Frame.Type.FETCH, fetchRequest: { key: new Uint8Array(randomBytes(32)), closerCount: 0 } })

describe('optimistic protocol selection on new RPC streams', function () {
  this.timeout(60_000)
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0).reverse()) await stop().catch(() => {}) })

  /** A client connected to an answering node through a gate proxy, the connection open and quiet. */
  async function gated (): Promise<{ client: Libp2p, server: Libp2p, proxy: GateProxy, received: Frame[] }> {
    const server = await bareNode()
    stops.push(async () => server.stop())
    const received = answering(server)
    const proxy = await GateProxy.start(tcpPort(server))
    stops.push(async () => proxy.stop())
    const client = await bareNode()
    stops.push(async () => client.stop())
    await client.dial(multiaddr(`/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${server.peerId.toString()}`), { signal: AbortSignal.timeout(10_000) })
    // bare nodes run no identify: nothing else is in flight when the gate closes
    await waitFor('the server to see the connection', () => server.getConnections(client.peerId).some(c => c.status === 'open'), 10_000)
    return { client, server, proxy, received }
  }

  it('the first request on a fresh connection leaves without waiting for the proposal to be accepted, and is answered', async () => {
    const { client, server, proxy, received } = await gated()
    const transport = transportOf(client, true)
    stops.push(async () => { transport.close() })
    proxy.hold()
    const exchange = transport.exchange(found(server.peerId), fetchFrame(), { timeout: 20_000 })
    exchange.catch(() => {})
    // zero round trips: the request is there while nothing of the server's has come back
    await waitFor('the request to reach the server with its answers held', () => received.length === 1, 10_000)
    proxy.release()
    const { response } = await exchange
    expect(response.status).to.equal(Status.NOT_FOUND)
    expect(response.response).to.equal(true)
    // the channel reads on past the acceptance: a second request on it is answered too
    const second = await transport.exchange(found(server.peerId), fetchFrame(), { timeout: 20_000 })
    expect(second.response.status).to.equal(Status.NOT_FOUND)
    expect(received).to.have.length(2)
  })

  it('control: with the full negotiation (libp2p newStream) the request waits one round trip for the acceptance', async () => {
    const { client, server, proxy, received } = await gated()
    const transport = transportOf(client, false)
    stops.push(async () => { transport.close() })
    proxy.hold()
    const exchange = transport.exchange(found(server.peerId), fetchFrame(), { timeout: 20_000 })
    exchange.catch(() => {})
    // the client's proposal arrives and is answered (held); its request cannot leave before that answer
    await waitFor('the server to accept the stream', () => server.getConnections(client.peerId).some(c => c.streams.some(s => s.protocol === RPC_PROTOCOL)), 10_000)
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(received).to.have.length(0)
    proxy.release()
    await waitFor('the request once the acceptance came', () => received.length === 1, 10_000)
    expect((await exchange).response.status).to.equal(Status.NOT_FOUND)
  })

  it('a peer without the protocol fails the request at once with UnsupportedProtocolError naming it', async () => {
    const server = await bareNode()
    stops.push(async () => server.stop())
    const client = await bareNode()
    stops.push(async () => client.stop())
    await client.dial(server.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    const transport = transportOf(client, true)
    stops.push(async () => { transport.close() })
    const started = Date.now()
    const err = await transport.exchange(found(server.peerId), fetchFrame(), { timeout: 20_000 }).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('UnsupportedProtocolError')
    expect(err?.message).to.include(RPC_PROTOCOL)
    // not the request's deadline: the peer said so
    expect(Date.now() - started).to.be.below(15_000)
    // and the connection is still there for anything else
    expect(client.getConnections(server.peerId).some(c => c.status === 'open')).to.equal(true)
  })

  describe('against a toyrrent node', () => {
    let net: Testnet
    before(async () => { net = await createTestnet(1) })
    after(async () => { await net?.stop() })

    it('serves a first request that came with the proposal (FETCH of an item it holds)', async () => {
      const node = net.nodes[0]
      const key = new Uint8Array(randomBytes(32))
      await node.toyrrent[internals].store.put(key, { kind: 0, body: new Uint8Array(randomBytes(300)), pinned: false, expiresAt: 0n, storedAt: 0n, seq: 0n })
      const client = await bareNode()
      stops.push(async () => client.stop())
      await client.dial(multiaddr(dialAddr(node)), { signal: AbortSignal.timeout(10_000) })
      const transport = transportOf(client, true)
      stops.push(async () => { transport.close() })
      const { response } = await transport.exchange(found(node.libp2p.peerId), { type: Frame.Type.FETCH, fetchRequest: { key, closerCount: 0 } }, { timeout: 20_000 })
      expect(response.status).to.equal(Status.OK)
      expect(response.fetchResponse?.item).to.not.equal(undefined)
    })
  })
})
