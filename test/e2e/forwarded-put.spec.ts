/**
 * Forwarded puts over real TCP (protocols/rpc.md, "Forwarded puts"): on a
 * 7-node network a writer hangs up on the replica set of each value it puts
 * (it stays connected to the other nodes, which are connected to the
 * replicas) and the put is acknowledged through a forwarder with the
 * replicas' signed store acknowledgements: libp2p's `connection:open` events
 * count every connection the writer opens or accepts meanwhile, and there
 * are none; every peer the put reports holds the value (connected stand-ins
 * answer in one round trip), and the forward puts the copies on all R replicas. The direct path's
 * hedge is set long (hedgeMs) so a slow moment on a loaded machine cannot
 * start a dial beside it; the fallbacks are the unit spec's concern
 * (test/unit/service/forwarded-put.spec.ts).
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createTestnet, nearestNodes } from '../helpers/testnet.ts'
import { waitFor } from '../helpers/wait.ts'
import { internals } from '../../src/service/toyrrent.ts'
import { sha256 } from '../../src/keyspace.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'

const R = 3
const W = 2
const NODES = 7
const LONG_HEDGE_MS = 20_000

describe('forwarded puts over TCP', function () {
  this.timeout(120_000)
  let net: Testnet

  before(async () => { net = await createTestnet(NODES) })
  after(async () => { await net?.stop() })

  const connected = (a: ToyrrentNode, b: ToyrrentNode): boolean => a.libp2p.getConnections(b.libp2p.peerId).some(c => c.status === 'open')

  /** Every node but the writer connected to the replicas, the writer connected to every node but the replicas. */
  async function coldFor (writer: ToyrrentNode, replicas: ToyrrentNode[]): Promise<void> {
    const others = net.nodes.filter(n => n !== writer && !replicas.includes(n))
    for (const o of others) {
      for (const r of replicas) if (!connected(o, r)) await o.libp2p.dial(r.libp2p.peerId)
      if (!connected(writer, o)) await writer.libp2p.dial(o.libp2p.peerId)
    }
    for (const r of replicas) await writer.libp2p.hangUp(r.libp2p.peerId)
    await waitFor('the writer to hold no connection to the replica set', () => replicas.every(r => !connected(writer, r) && !connected(r, writer)), 5000)
  }

  it('a writer puts values whose replicas it is not connected to: no connection opened, R copies placed through a forwarder', async () => {
    const writer = net.nodes[NODES - 1]
    let puts = 0
    while (puts < 3) {
      const value = new Uint8Array(randomBytes(1024))
      const key = sha256(value)
      const replicas = nearestNodes(net.nodes, key, R)
      if (replicas.includes(writer)) continue
      await coldFor(writer, replicas)
      const peers: string[] = []
      const listener = (event: CustomEvent<{ remotePeer: { toString(): string } }>): void => { peers.push(event.detail.remotePeer.toString()) }
      writer.libp2p.addEventListener('connection:open', listener as any)
      let stored
      try {
        ({ stored } = await writer.toyrrent.put(value, { hedgeMs: LONG_HEDGE_MS }))
      } finally {
        writer.libp2p.removeEventListener('connection:open', listener as any)
      }
      expect(peers, 'connections the put opened').to.deep.equal([])
      expect(replicas.filter(r => connected(writer, r)), 'replicas connected after the put').to.deep.equal([])
      // counted: connected stand-ins (hinted copies, one round trip) or replicas through their signed acks
      expect(stored.length).to.be.at.least(W)
      for (const p of stored) expect(net.nodes.find(n => n.libp2p.peerId.equals(p))!.toyrrent[internals].store.has(key)).to.equal(true)
      // the forward places the copies on the replica set without the writer dialling it
      await waitFor('all R replicas to hold the value', () => replicas.every(r => r.toyrrent[internals].store.has(key)), 10_000)
      expect(replicas.filter(r => connected(writer, r)), 'replicas connected after the put').to.deep.equal([])
      puts++
    }
  })
})
