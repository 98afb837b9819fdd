/**
 * Private networks: nodes sharing a swarm key form a network; a node without
 * it (or with another key) cannot connect, read or write. An allowlist of
 * peer ids keeps everyone else out of a network whose members are a list.
 */
import { expect } from 'chai'
import { createToyrrentNode } from '../../src/node.ts'
import { generateSwarmKey, parseSwarmKey } from '../../src/swarm-key.ts'
import { dialAddr } from '../helpers/testnet.ts'
import { multiaddr } from '@multiformats/multiaddr'
import type { ToyrrentNode, ToyrrentNodeOptions } from '../../src/node.ts'
import { internals } from '../../src/service/toyrrent.ts'

const LOCAL = { listen: ['/ip4/127.0.0.1/tcp/0'], operationTimeout: 3_000, requestTimeout: 1_000 }

describe('private networks', function () {
  this.timeout(30_000)
  const nodes: ToyrrentNode[] = []
  const start = async (options: ToyrrentNodeOptions): Promise<ToyrrentNode> => {
    const node = await createToyrrentNode({ ...LOCAL, ...options })
    nodes.push(node)
    return node
  }
  afterEach(async () => { await Promise.allSettled(nodes.splice(0).map(async n => n.stop())) })

  it('swarm keys: generated keys parse; malformed ones are refused with a clear error', () => {
    const key = generateSwarmKey()
    expect(key).to.match(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
    expect(parseSwarmKey(key).byteLength).to.equal(95)
    expect(() => parseSwarmKey('/key/swarm/psk/1.0.0/\n/base16/\nabc')).to.throw(/not a swarm key/)
  })

  it('only nodes with the same key connect; an outsider can neither read nor write', async () => {
    const swarmKey = generateSwarmKey()
    const a = await start({ swarmKey })
    const b = await start({ swarmKey, bootstrap: [dialAddr(a)] })
    expect(b.libp2p.getConnections(a.libp2p.peerId)).to.have.length.greaterThan(0)
    const { key } = await a.toyrrent.put(new TextEncoder().encode('members only'))
    expect(new TextDecoder().decode(await b.toyrrent.get(key))).to.equal('members only')

    for (const outsider of [await start({}), await start({ swarmKey: generateSwarmKey() })]) {
      let dialError: Error | undefined
      await outsider.libp2p.dial(multiaddr(dialAddr(a)), { signal: AbortSignal.timeout(5_000) }).catch((err: Error) => { dialError = err })
      expect(dialError, 'dial without the key').to.be.instanceOf(Error)
      expect(outsider.libp2p.getConnections()).to.have.length(0)
      expect(await outsider.bootstrap([dialAddr(a)])).to.equal(0)
      // reading: nobody to ask, so it cannot even say "not found"; writing: W = 2 acknowledgements are out of reach
      const read = await outsider.toyrrent.get(key).then(() => 'read', (err: Error) => err.name)
      expect(read).to.equal('InsufficientPeersError')
      const write = await outsider.toyrrent.put(new TextEncoder().encode('intruder')).then(() => 'stored', (err: Error) => err.name)
      expect(write).to.equal('InsufficientPeersError')
    }
    expect(a.toyrrent[internals].store.size).to.equal(1)
    expect(b.toyrrent[internals].store.size).to.be.at.most(1)
  })

  it('an allowlist admits listed peers and refuses the rest, both ways', async () => {
    const member = await start({})
    const stranger = await start({})
    const gated = await start({ allow: [member.libp2p.peerId.toString()] })
    expect(await member.bootstrap([dialAddr(gated)])).to.equal(1)
    // W = 2: the gated node and its member
    const { key } = await gated.toyrrent.put(new TextEncoder().encode('for members'))
    expect(new TextDecoder().decode(await member.toyrrent.get(key))).to.equal('for members')
    // the stranger's dial may complete its handshake before the gater closes it: it must not last, nor carry a request
    await stranger.bootstrap([dialAddr(gated)])
    await waitFor(() => stranger.libp2p.getConnections(gated.libp2p.peerId).length === 0)
    const read = await stranger.toyrrent.get(key).then(() => 'read', (err: Error) => err.name)
    expect(read).to.not.equal('read')
    expect(gated.libp2p.getConnections().map(c => c.remotePeer.toString())).to.deep.equal([member.libp2p.peerId.toString()])
    // nor does the gated node dial out to a stranger
    const out = await gated.libp2p.dial(multiaddr(dialAddr(stranger)), { signal: AbortSignal.timeout(5_000) }).then(() => 'connected', (err: Error) => err.name)
    expect(out).to.not.equal('connected')
  })

  it('refuses an allowlist entry that is not a peer id', async () => {
    const err = await createToyrrentNode({ ...LOCAL, allow: ['not-a-peer'] }).then(n => { nodes.push(n); return undefined }, (e: Error) => e)
    expect(err?.name).to.equal('InvalidInputError')
  })
})

async function waitFor (condition: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
