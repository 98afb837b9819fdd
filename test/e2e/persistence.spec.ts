import { expect } from 'chai'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createToyrrentNode } from '../../src/node.ts'
import { dialAddr } from '../helpers/testnet.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import { internals } from '../../src/service/toyrrent.ts'

describe('restart on the same data directory (LevelDB)', function () {
  this.timeout(60_000)
  let dataDir: string
  const running: ToyrrentNode[] = []

  before(async () => { dataDir = await mkdtemp(join(tmpdir(), 'toyrrent-restart-')) })
  after(async () => {
    await Promise.allSettled(running.map(async n => n.stop()))
    await rm(dataDir, { recursive: true, force: true })
  })

  it('keeps its peer id and serves its items after a restart', async () => {
    // alone on the network: a one-node network needs R = 1 (W = 1) to acknowledge a write
    const first = await createToyrrentNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], replicas: 1 })
    const peerId = first.libp2p.peerId.toString()
    const value = new TextEncoder().encode('survives a restart')
    // alone on the network, the node is the only holder
    const { key } = await first.toyrrent.put(value)
    await first.stop()
    // the body went to the value log beside LevelDB, as for a daemon (node/storage.ts)
    const segments = (await readdir(join(dataDir, 'values'))).filter(f => f.endsWith('.log'))
    expect(segments.length, 'value log segments').to.be.greaterThan(0)
    const logged = await Promise.all(segments.map(async f => (await readFile(join(dataDir, 'values', f))).includes(Buffer.from(value))))
    expect(logged.includes(true), 'the value is in a segment').to.equal(true)

    expect((await stat(join(dataDir, 'identity.key'))).mode & 0o777).to.equal(0o600)

    const second = await createToyrrentNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], replicas: 1 })
    running.push(second)
    expect(second.libp2p.peerId.toString()).to.equal(peerId)
    expect(second.toyrrent[internals].store.size).to.equal(1)

    // a newcomer that only knows the restarted node reads the item from it
    const reader = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    running.push(reader)
    await reader.libp2p.dial(multiaddr(dialAddr(second)))
    expect(new TextDecoder().decode(await reader.toyrrent.get(key))).to.equal('survives a restart')
  })
})
