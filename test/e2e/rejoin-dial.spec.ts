/**
 * rejoin() (src/node/rejoin.ts) between two real libp2p nodes over TCP on
 * loopback, in one process: the connection a rejoin dials stays up, and a
 * dial that hangs stops as soon as the peer connects to us by itself.
 *
 * The first case is the cause of the flaky `rejoined:` line of
 * cli-rough-edges item 11: rejoin stopped a dial on any new connection to
 * the peer, and libp2p announces the dial's own connection before the dial
 * resolves; the abort destroyed that connection (TCP keeps the dial's signal
 * on its socket), so the count was 1 or 0 by a race and the rejoin itself
 * left no connection.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { createToyrrentNode } from '../../src/node.ts'
import { rejoin, rememberedPeers } from '../../src/node/rejoin.ts'
import { REMEMBERED_DIAL_TIMEOUT_MS, RPC_PROTOCOL } from '../../src/constants.ts'
import { waitFor } from '../helpers/wait.ts'
import type { ToyrrentNode, ToyrrentNodeOptions } from '../../src/node.ts'
import type { Ping } from '@libp2p/ping'
import type { Connection } from '@libp2p/interface'
import type { Server, Socket } from 'node:net'

const quiet: ToyrrentNodeOptions = { listen: ['/ip4/127.0.0.1/tcp/0'], autoJoin: false, bootstrapRetry: false, leaveTimeout: 0, repairInterval: 0, refreshInterval: 0, quic: false }

/** B meets A (so its peer store remembers A's protocol and addresses), then hangs up. */
async function meetAndHangUp (a: ToyrrentNode, b: ToyrrentNode): Promise<void> {
  await b.libp2p.dial(a.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  await waitFor('B to remember A as a toyrrent peer', async () => (await b.libp2p.peerStore.get(a.libp2p.peerId)).protocols.includes(RPC_PROTOCOL))
  await b.libp2p.hangUp(a.libp2p.peerId)
  await waitFor('no connection between A and B', () => b.libp2p.getConnections(a.libp2p.peerId).length === 0 && a.libp2p.getConnections(b.libp2p.peerId).length === 0)
}

describe('rejoin: dialling remembered peers', function () {
  this.timeout(60_000)
  const nodes: ToyrrentNode[] = []
  let silent: Server | undefined
  const sockets = new Set<Socket>()

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => await n.stop()))
    for (const s of sockets) s.destroy()
    silent?.close()
  })

  it('keeps the connection its own dial made, and counts it', async () => {
    const a = await createToyrrentNode(quiet)
    const b = await createToyrrentNode(quiet)
    nodes.push(a, b)
    await meetAndHangUp(a, b)

    const remembered = await rememberedPeers(b.libp2p, RPC_PROTOCOL, 8)
    assert.deepEqual(remembered.map(String), [a.libp2p.peerId.toString()])
    const closed: Connection[] = []
    b.libp2p.addEventListener('connection:close', evt => { if (evt.detail.remotePeer.equals(a.libp2p.peerId)) closed.push(evt.detail) })

    assert.equal(await rejoin(b.libp2p, remembered, 8), 1)
    const [connection] = b.libp2p.getConnections(a.libp2p.peerId)
    assert.ok(connection != null, 'a connection to A after the rejoin')
    // a round trip on it: a connection torn down by the rejoin has closed by the time this answers (or fails)
    let pingError: unknown
    try {
      await (b.libp2p.services.ping as Ping).ping(a.libp2p.peerId, { signal: AbortSignal.timeout(10_000) })
    } catch (err) {
      pingError = err
    }
    assert.deepEqual(closed.map(c => c.id), [], 'no connection to A closed')
    assert.equal(pingError, undefined, 'A answers a ping')
    assert.equal(connection.status, 'open')
    assert.deepEqual(b.libp2p.getConnections(a.libp2p.peerId).map(c => c.id), [connection.id], 'the ping went over the rejoin\'s connection')
  })

  it('stops waiting for a dial that hangs once the peer connects in, and counts it', async () => {
    const a = await createToyrrentNode(quiet)
    const b = await createToyrrentNode(quiet)
    nodes.push(a, b)
    await meetAndHangUp(a, b)
    // B remembers A only at a port that accepts TCP and never answers: its dial can only hang
    silent = createServer(socket => { sockets.add(socket); socket.on('error', () => {}) })
    await new Promise<void>(resolve => silent!.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    await b.libp2p.peerStore.patch(a.libp2p.peerId, { multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${port}`)] })
    const remembered = await rememberedPeers(b.libp2p, RPC_PROTOCOL, 8)
    assert.deepEqual(remembered.map(String), [a.libp2p.peerId.toString()])

    const started = Date.now()
    const rejoining = rejoin(b.libp2p, remembered, 8)
    await waitFor('B\'s dial to reach the silent port', () => sockets.size > 0)
    await a.libp2p.dial(b.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    assert.equal(await rejoining, 1)
    // a rejoin that waited for the hung dial would take its whole deadline
    assert.ok(Date.now() - started < REMEMBERED_DIAL_TIMEOUT_MS, `rejoin took ${Date.now() - started} ms`)
  })
})
