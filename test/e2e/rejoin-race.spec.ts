/**
 * `rejoined: N remembered peers` when the others reconnect first (issue 15,
 * item 11), with real daemon processes on loopback. A restarted node B counts
 * the remembered peers connected once it has rejoined, whether it reached them
 * or they reached it first, and never a peer it did not know before.
 *
 * The race is forced, not hoped for: A, C and D come back on new ports while
 * their old ones (which B remembers) accept TCP and never answer, so B's own
 * dials can only hang. Every remembered peer B counts must have connected to
 * it first, during those dials. E, a node B never met, connects in the same
 * window and must not be counted.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { freePort, startDaemonProcess, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'
import type { Server, Socket } from 'node:net'

/** A TCP port that accepts connections and never says a word: a dial to it hangs until its deadline. */
async function silentPort (port: number): Promise<Server> {
  const sockets = new Set<Socket>()
  const server = createServer(socket => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('close', () => { for (const s of sockets) s.destroy() })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => { resolve() })
  })
  return server
}

function portOf (multiaddr: string): number {
  const match = /\/tcp\/(\d+)\//.exec(multiaddr)
  assert.ok(match != null, multiaddr)
  return Number(match[1])
}

describe('rejoined: remembered peers that reconnect to a restarted daemon first', function () {
  this.timeout(180_000)
  let root: string
  const daemons: DaemonProcess[] = []
  const silent: Server[] = []

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-rejoin-race-'))
  })

  after(async () => {
    await Promise.all(daemons.map(async d => await d.stop('SIGKILL')))
    for (const server of silent) server.close()
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('counts exactly the remembered peers that came in while its own dials hung, and no stranger', async () => {
    const fast = ['--leave-timeout', '0']
    const bPort = await freePort()
    const bListen = `/ip4/127.0.0.1/tcp/${bPort}`
    // a network of four: B meets A, C and D and remembers them with the addresses they listen on
    const a = await startDaemonProcess(join(root, 'a'), fast)
    daemons.push(a)
    let b = await startDaemonProcess(join(root, 'b'), [...fast, '--bootstrap', a.multiaddrs[0]], 30_000, { listen: bListen })
    daemons.push(b)
    const others = [a]
    for (const name of ['c', 'd']) {
      const node = await startDaemonProcess(join(root, name), [...fast, '--bootstrap', a.multiaddrs[0]])
      daemons.push(node)
      others.push(node)
    }
    const bClient = new ToyrrentClient(b.api)
    await waitFor('B to have A, C and D in its table', async () => (await bClient.stats()).peers === 3, 60_000)
    const bAddr = `${bListen}/p2p/${b.peerId}`

    // all four stop; A, C and D come back elsewhere while their old ports hang every dial
    assert.equal(await b.stop('SIGTERM'), 0)
    const oldPorts = others.map(node => portOf(node.multiaddrs[0]))
    assert.deepEqual(await Promise.all(others.map(async node => await node.stop('SIGTERM'))), [0, 0, 0])
    const hung = await Promise.all(oldPorts.map(silentPort))
    silent.push(...hung)
    const back = await Promise.all(['a', 'c', 'd'].map(async name => await startDaemonProcess(join(root, name), fast, 60_000)))
    daemons.push(...back)
    for (const [i, node] of back.entries()) {
      assert.equal(node.peerId, others[i].peerId, 'same data dir, same peer id')
      assert.notEqual(portOf(node.multiaddrs[0]), oldPorts[i], 'a new port')
    }
    const stranger = await startDaemonProcess(join(root, 'e'), fast)
    daemons.push(stranger)

    // B restarts at its old address with no flags; the others connect to it as soon as it listens
    const connecting = [...back, stranger].map(async node => {
      const client = new ToyrrentClient(node.api)
      let last: Error | undefined
      await waitFor(`${node.dataDir} to connect to the restarted B`, async () => {
        try {
          // a refused dial (B not up yet) fails at once; once B is up, the join after the dial
          // may wait on lookups through the hung old addresses: give it the API's own deadline
          await client.connect(bAddr, { signal: AbortSignal.timeout(30_000) })
          return true
        } catch (err) {
          last = err as Error
          return false
        }
      }, 90_000).catch((err: Error) => { throw new Error(`${err.message}; last attempt: ${last?.message}`) })
    })
    b = await startDaemonProcess(join(root, 'b'), fast, 60_000, { listen: bListen })
    daemons.push(b)
    await Promise.all(connecting)

    // B's dials went to addresses that never answer: only the peers' own connections can count
    assert.match(b.output(), /^rejoined: 3 remembered peers$/m, b.output())
    const connected = new Set((await new ToyrrentClient(b.api).peers()).peers.map(p => p.peerId))
    for (const node of [...back, stranger]) assert.ok(connected.has(node.peerId), `${node.dataDir} is connected to B`)
  })
})
