/**
 * Coming back after a graceful leave (src/service/leave-return.ts): the leave
 * keeps the peers it told; the next start within the leave's memory dials
 * back each of them not connected (with the addresses they had), once.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { announceReturn, LEFT_KEY, rememberLeave } from '../../../src/service/leave-return.ts'
import { peerPosition } from '../../../src/keyspace.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { PeerId } from '@libp2p/interface'

async function peers (count: number): Promise<FoundPeer[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    return { peerId, multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${4000 + i}`)], position: peerPosition(peerId) }
  }))
}

/** Fake components: who is connected, which dials fail, what was dialled and merged. */
function components (options: { connected?: PeerId[], failing?: PeerId[] } = {}) {
  const dialled: string[] = []
  const merged = new Map<string, string[]>()
  const connected = new Set((options.connected ?? []).map(String))
  const failing = new Set((options.failing ?? []).map(String))
  return {
    dialled,
    merged,
    datastore: new MemoryDatastore(),
    connectionManager: {
      getConnections: (peer: PeerId) => connected.has(peer.toString()) ? [{}] : [],
      openConnection: async (peer: PeerId, opts: { signal: AbortSignal }) => {
        opts.signal.throwIfAborted()
        dialled.push(peer.toString())
        if (failing.has(peer.toString())) throw new Error('connection refused')
        connected.add(peer.toString())
        return {}
      }
    },
    peerStore: {
      merge: async (peer: PeerId, data: { multiaddrs: unknown[] }) => { merged.set(peer.toString(), data.multiaddrs.map(String)) }
    }
  }
}

describe('unit: coming back after a graceful leave (leave-return.ts)', function () {
  it('dials back every peer the leave told that is not connected, with the addresses it had; once', async () => {
    const told = await peers(5)
    const c = components({ connected: [told[0].peerId], failing: [told[4].peerId] })
    await rememberLeave(c, told)
    const result = await announceReturn(c as any, new AbortController().signal)
    expect(result).to.include({ dialled: 4, reached: 3 })
    expect(result?.firstError).to.match(/connection refused/)
    expect([...c.dialled].sort()).to.deep.equal(told.slice(1).map(p => p.peerId.toString()).sort())
    expect(c.merged.get(told[2].peerId.toString())).to.deep.equal(['/ip4/127.0.0.1/tcp/4002'])
    // used once: a second start (a crash, say) dials nobody
    expect(await c.datastore.has(LEFT_KEY)).to.equal(false)
    expect(await announceReturn(c as any, new AbortController().signal)).to.equal(undefined)
    expect(c.dialled.length).to.equal(4)
  })

  it('a leave older than the peers remember it dials nobody, and the record goes', async () => {
    const told = await peers(3)
    const c = components()
    await rememberLeave(c, told)
    expect(await announceReturn(c as any, new AbortController().signal, { memoryMs: 0 })).to.equal(undefined)
    expect(c.dialled).to.deep.equal([])
    expect(await c.datastore.has(LEFT_KEY)).to.equal(false)
  })

  it('no leave, or a garbled record: nothing dialled, nothing thrown', async () => {
    const c = components()
    expect(await announceReturn(c as any, new AbortController().signal)).to.equal(undefined)
    await c.datastore.put(LEFT_KEY, new TextEncoder().encode('{"at": "soon", "peers": 3'))
    expect(await announceReturn(c as any, new AbortController().signal)).to.equal(undefined)
    await c.datastore.put(LEFT_KEY, new TextEncoder().encode(JSON.stringify({ at: Date.now(), peers: [{ id: 'not a peer id', addrs: [] }] })))
    expect(await announceReturn(c as any, new AbortController().signal)).to.deep.equal({ dialled: 0, reached: 0 })
    expect(c.dialled).to.deep.equal([])
  })

  it('an aborted start dials nobody', async () => {
    const told = await peers(3)
    const c = components()
    await rememberLeave(c, told)
    const controller = new AbortController()
    controller.abort()
    expect(await announceReturn(c as any, controller.signal)).to.deep.equal({ dialled: 3, reached: 0 })
    expect(c.dialled).to.deep.equal([])
  })

  it('a leave that told nobody keeps nothing', async () => {
    const c = components()
    await rememberLeave(c, [])
    expect(await c.datastore.has(LEFT_KEY)).to.equal(false)
  })
})
