/**
 * identify-push only when our addresses or protocols change
 * (src/node/push-policy.ts), real nodes over loopback TCP. libp2p pushed to
 * every connected peer after each change of our own peer-store entry; at
 * start-up the address manager's late write of our addresses and our own
 * record made every node push twice to all the peers its join had just
 * connected to, which already had both.
 */
import { expect } from 'chai'
import { createToyrrentNode } from '../../src/node.ts'
import { waitFor } from '../helpers/wait.ts'
import type { ToyrrentNode } from '../../src/node.ts'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const NEW_PROTOCOL = '/toyrrent-test/push/1.0.0'

describe('e2e: identify-push only on a change peers were not told', function () {
  this.timeout(60_000)
  const nodes: ToyrrentNode[] = []
  after(async () => { await Promise.allSettled(nodes.map(async n => n.stop())) })

  it('no push for the start-up updates of our own entry; a push when a protocol is added', async () => {
    const a = await createToyrrentNode({ listen: LISTEN, autoJoin: false })
    nodes.push(a)
    // peers connect at once, before the address manager writes our addresses to the peer store (about a second later)
    for (let i = 0; i < 3; i++) {
      const peer = await createToyrrentNode({ listen: LISTEN, autoJoin: false })
      nodes.push(peer)
      await peer.libp2p.dial(a.libp2p.getMultiaddrs()[0])
    }
    const own = async (): Promise<{ addresses: number, record: boolean }> => {
      const self = await a.libp2p.peerStore.get(a.libp2p.peerId)
      return { addresses: self.addresses.length, record: self.peerRecordEnvelope != null }
    }
    await waitFor('our addresses and record in our peer-store entry', async () => { const o = await own(); return o.addresses > 0 && o.record })
    const policy = a.libp2p.services.pushPolicy
    expect(policy.counts.skipped, 'start-up updates of our own entry seen').to.be.greaterThan(0)
    expect(policy.counts.pushed, 'pushes for them').to.equal(0)

    // a new protocol is news to every connected peer: pushed, and they learn it without a new identify
    await a.libp2p.handle(NEW_PROTOCOL, async (stream) => { stream.abort(new Error('not used')) })
    await waitFor('a pushed', () => policy.counts.pushed === 1)
    for (const peer of nodes.slice(1)) {
      await waitFor('the peer learned the new protocol', async () => (await peer.libp2p.peerStore.get(a.libp2p.peerId)).protocols.includes(NEW_PROTOCOL))
    }
  })
})
