/**
 * The RPC over a limited (circuit relay v2) connection, with real libp2p
 * nodes on 127.0.0.1: a relay R with libp2p's default limits (2 min,
 * 128 KiB), a toyrrent server B holding a reservation on it, and a node A
 * whose only way to B is through R (both sides' connection gaters refuse
 * direct connections between A and B until the test allows them).
 * protocols/rpc.md, "Limited connections", is the contract checked here.
 */
import { expect } from 'chai'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Toyrrent, internals } from '../../src/service/toyrrent.ts'
import { WalkPacer } from '../../src/reachability/walk-pacer.ts'
import { exchangeOnLimited } from '../../src/rpc/limited-exchange.ts'
import { Frame, Status } from '../../src/rpc/pb/rpc.ts'
import { itemToWire } from '../../src/rpc/wire.ts'
import { RPC_PROTOCOL } from '../../src/constants.ts'
import { toItem } from '../../src/store/item-store.ts'
import { peerPosition } from '../../src/keyspace.ts'
import type { Item } from '../../src/records/item.ts'
import { waitFor } from '../helpers/wait.ts'
import type { ToyrrentComponents } from '../../src/service/toyrrent.ts'
import type { Connection, ConnectionGater, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { FoundPeer } from '../../src/found-peer.ts'

type Node = Libp2p<{ toyrrent: Toyrrent, identify: unknown, walkPacer: unknown }>

/** Refuses connections between the two named peers unless they run through a relay, while `blocked`. */
class NoDirectGater implements ConnectionGater {
  blocked = true
  constructor (private readonly pair: string[]) {}
  private deny (peer: PeerId, addr: string): boolean {
    return this.blocked && this.pair.includes(peer.toString()) && !addr.includes('/p2p-circuit')
  }

  denyInboundEncryptedConnection = (peer: PeerId, conn: { remoteAddr: { toString: () => string } }): boolean => this.deny(peer, conn.remoteAddr.toString())
  denyOutboundEncryptedConnection = (peer: PeerId, conn: { remoteAddr: { toString: () => string } }): boolean => this.deny(peer, conn.remoteAddr.toString())
}

describe('the RPC over a relayed (limited) connection', function () {
  this.timeout(60_000)
  let relay: Libp2p
  let a: Node
  let b: Node
  let gater: NoDirectGater
  let bPeer: FoundPeer

  const toyrrentNode = async (key: PrivateKey, gate: NoDirectGater, listen: string[]): Promise<Node> => createLibp2p({
    privateKey: key,
    addresses: { listen },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gate,
    services: {
      identify: identify(),
      // the relay transport's random walk would spin on our empty routing table (see walk-pacer.ts)
      walkPacer: () => new WalkPacer(() => true),
      toyrrent: (components: ToyrrentComponents) => new Toyrrent(components, { serve: true, replicas: 1, writeQuorum: 1, allowPrivateAddresses: true, leaveTimeout: 0, requestTimeout: 2000 })
    }
  })

  /** The item B holds under `key`, as it travels. */
  const itemOf = async (key: Uint8Array): Promise<Item> => toItem(key, (await b.services.toyrrent[internals].store.get(key))!)

  /** A's connections to B, all of them relayed while the gater blocks direct ones. */
  const connectionsToB = (): Connection[] => a.getConnections(b.peerId).filter(c => c.status === 'open')

  before(async () => {
    relay = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), relay: circuitRelayServer() }
    })
    const [aKey, bKey] = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')]
    gater = new NoDirectGater([peerIdFromPrivateKey(aKey).toString(), peerIdFromPrivateKey(bKey).toString()])
    b = await toyrrentNode(bKey, gater, ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'])
    a = await toyrrentNode(aKey, gater, ['/ip4/127.0.0.1/tcp/0'])
    await b.dial(relay.getMultiaddrs()[0])
    await waitFor('B to hold a reservation on the relay', () => b.getMultiaddrs().some(m => m.toString().includes('/p2p-circuit')))
    const circuit = b.getMultiaddrs().find(m => m.toString().includes('/p2p-circuit'))!
    const conn = await a.dial(circuit)
    expect(conn.limits, 'the connection through the relay is limited').to.not.equal(undefined)
    await waitFor('identify over the relayed connection', async () => (await a.peerStore.get(b.peerId)).addresses.length > 0)
    bPeer = { peerId: b.peerId, multiaddrs: [], position: peerPosition(b.peerId) }
  })

  after(async () => {
    await Promise.allSettled([a?.stop(), b?.stop(), relay?.stop()])
  })

  it('carries FIND_BEFORE_N and a small FETCH, each on a stream of its own', async () => {
    const rpc = a.services.toyrrent[internals].rpc
    const small = await b.services.toyrrent.put(new TextEncoder().encode('small enough for a relay'))
    const found = await rpc.findBeforeN(bPeer, small.key, 20, { timeout: 5000 })
    expect(found.peers.map(p => p.peerId.toString())).to.include(b.peerId.toString())
    expect(found.holds).to.equal(true)
    const fetched = await rpc.fetch(bPeer, small.key, 0, { timeout: 5000 })
    expect(new TextDecoder().decode(fetched.item?.body)).to.equal('small enough for a relay')
    // an answer near the 32 KiB cap arrives in several pieces and is read whole
    const near = await b.services.toyrrent.put(new Uint8Array(30_000).fill(3))
    const nearly = await rpc.fetch(bPeer, near.key, 0, { timeout: 5000 })
    expect(nearly.item?.body.byteLength).to.equal(30_000)
    const conns = connectionsToB()
    expect(conns.length).to.be.greaterThan(0)
    // a lookup (A's table is empty: it starts from its connections) goes through the relay too
    const looked = await a.services.toyrrent.findBeforeN(small.key, 20)
    expect(looked.map(p => p.peerId.toString())).to.include(b.peerId.toString())
    // B answered, but through a relay only: it is no routing-table entry of A's (no replica, no repair peer)
    expect(a.services.toyrrent[internals].table.get(b.peerId) != null, 'B in A\'s table').to.equal(false)
    expect(conns.every(c => c.limits != null), 'still only relayed connections').to.equal(true)
    // one request per stream: nothing of the RPC is left open on the relayed connection
    await waitFor('the RPC streams to close', () => conns.every(c => c.streams.every(s => s.protocol !== RPC_PROTOCOL)))
  })

  it('refuses a FETCH whose answer does not fit, and STORE, without breaking the relayed connection', async () => {
    const rpc = a.services.toyrrent[internals].rpc
    const big = await b.services.toyrrent.put(new Uint8Array(60_000).fill(7))
    let refused: any
    await rpc.fetch(bPeer, big.key, 0, { timeout: 1500 }).catch(err => { refused = err })
    expect(refused?.code, String(refused)).to.equal('busy')
    expect(refused.message).to.match(/does not fit this limited \(relayed\) connection/)
    // A itself never sends a STORE on a relayed connection: it waits for a direct one, within the deadline
    const item = await itemOf(big.key)
    let failed: any
    await rpc.store(bPeer, item, {}, { timeout: 1000 }).catch(err => { failed = err })
    expect(failed?.name, String(failed)).to.equal('DirectConnectionNeededError')
    // and B refuses one sent anyway, with the reason
    const conn = connectionsToB().find(c => c.limits != null)!
    const raw = await exchangeOnLimited(conn, RPC_PROTOCOL, { type: Frame.Type.STORE, storeRequest: { item: itemToWire({ ...item, body: new Uint8Array(10) }), closerCount: 0 } }, AbortSignal.timeout(5000))
    expect(raw.response.status).to.equal(Status.BUSY)
    expect(raw.response.message).to.match(/STORE is not served on a limited \(relayed\) connection/)
    expect(conn.status).to.equal('open')
  })

  it('uses the direct connection once there is one', async () => {
    const rpc = a.services.toyrrent[internals].rpc
    const relayed = connectionsToB().find(c => c.limits != null)!
    let relayedStreams = 0
    const newStream = relayed.newStream.bind(relayed)
    relayed.newStream = async (...args) => { relayedStreams++; return newStream(...args) }
    gater.blocked = false
    // a STORE needs a direct connection: it dials B's direct addresses (learned by identify over the relay)
    const item = await itemOf((await b.services.toyrrent.put(new TextEncoder().encode('direct'))).key)
    await rpc.store(bPeer, item, {}, { timeout: 5000 })
    expect(connectionsToB().some(c => c.limits == null), 'a direct connection to B').to.equal(true)
    const found = await rpc.findBeforeN(bPeer, item.key, 20, { timeout: 5000 })
    expect(found.holds).to.equal(true)
    expect(relayedStreams, 'streams opened on the relayed connection').to.equal(0)
    expect(a.services.toyrrent[internals].table.get(b.peerId) != null, 'B in A\'s table once reached directly').to.equal(true)
  })
})
