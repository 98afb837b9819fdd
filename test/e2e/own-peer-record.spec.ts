/**
 * Our signed peer record is signed once per address change, not once per
 * connection (src/node/own-peer-record.ts): real nodes over loopback TCP.
 * Before it, identify signed a fresh record (a new seq) for every peer that
 * connected, so two peers held different envelopes for the same node.
 */
import { expect } from 'chai'
import { RecordEnvelope, PeerRecord } from '@libp2p/peer-record'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { CODE_P2P } from '@multiformats/multiaddr'
import { createToyrrentNode } from '../../src/node.ts'
import { waitFor } from '../helpers/wait.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDaemonProcess } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'
import type { ToyrrentNode } from '../../src/node.ts'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

describe('e2e: our own signed peer record', function () {
  this.timeout(60_000)
  const nodes: ToyrrentNode[] = []
  after(async () => { await Promise.allSettled(nodes.map(async n => n.stop())) })

  it('every peer that connects gets the one stored record, listing our current addresses', async () => {
    for (let i = 0; i < 4; i++) nodes.push(await createToyrrentNode({ listen: LISTEN, autoJoin: false }))
    const [a, ...others] = nodes
    await waitFor('a stored record of our own', async () => (await a.libp2p.peerStore.get(a.libp2p.peerId)).peerRecordEnvelope != null)
    const stored = (await a.libp2p.peerStore.get(a.libp2p.peerId)).peerRecordEnvelope as Uint8Array
    for (const other of others) await other.libp2p.dial(a.libp2p.getMultiaddrs()[0])
    const held = async (other: ToyrrentNode): Promise<Uint8Array | undefined> => {
      try { return (await other.libp2p.peerStore.get(a.libp2p.peerId)).peerRecordEnvelope } catch { return undefined }
    }
    for (const other of others) await waitFor('identify stored a\'s record', async () => (await held(other)) != null)
    for (const other of others) expect(uint8ArrayEquals(await held(other) as Uint8Array, stored), 'the envelope a peer holds is the stored one').to.equal(true)
    const record = PeerRecord.createFromProtobuf((await RecordEnvelope.openAndCertify(stored, PeerRecord.DOMAIN)).payload)
    expect(record.peerId.equals(a.libp2p.peerId)).to.equal(true)
    expect(record.multiaddrs.map(String).sort()).to.deep.equal(a.libp2p.getMultiaddrs().map(m => m.decapsulateCode(CODE_P2P).toString()).sort())
  })

  it('a daemon restarted on a new port hands the peers it joins through its new address, not the one its last run stored', async () => {
    // the peer store is persistent: before the fix, identify sent the last run's record until the node stored a new one,
    // the peers kept those addresses (no push follows), and nobody could dial the restarted node again
    const dir = await mkdtemp(join(tmpdir(), 'toyrrent-own-record-'))
    const daemons: DaemonProcess[] = []
    try {
      const a = await startDaemonProcess(join(dir, 'a'), [], 60_000)
      daemons.push(a)
      const first = await startDaemonProcess(join(dir, 'b'), ['--bootstrap', a.multiaddrs[0]], 60_000)
      daemons.push(first)
      // the precondition, not a wait for the outcome: the first run stores its own record a moment after it listens
      // (own-peer-record.ts, checked every 5 s), and only a stored one can go stale
      await new Promise(resolve => setTimeout(resolve, 6_000))
      expect(await first.stop('SIGTERM')).to.equal(0)
      const again = await startDaemonProcess(join(dir, 'b'), ['--bootstrap', a.multiaddrs[0]], 60_000)
      daemons.push(again)
      const newAddrs = again.multiaddrs.map(m => m.replace(/\/p2p\/.*$/, '')).sort()
      expect(newAddrs).to.not.deep.equal(first.multiaddrs.map(m => m.replace(/\/p2p\/.*$/, '')).sort())
      const named = async (): Promise<string[]> => {
        const { peers } = await (await fetch(`http://${a.api}/v1/peers`, { signal: AbortSignal.timeout(5_000) })).json() as { peers: Array<{ peerId: string, multiaddrs: string[] }> }
        return (peers.find(p => p.peerId === again.peerId)?.multiaddrs ?? []).sort()
      }
      await waitFor('the bootstrap node to name the new address', async () => JSON.stringify(await named()) === JSON.stringify(newAddrs), 10_000)
        .catch(async err => { throw new Error(`${err.message}: it names ${(await named()).join(' ')}, the node listens on ${newAddrs.join(' ')}`) })
    } finally {
      await Promise.allSettled(daemons.map(async d => d.stop('SIGKILL')))
      await rm(dir, { recursive: true, force: true })
    }
  })
})
