/**
 * Issue 11, findings 5–8 on real daemon processes, driven through the CLI and
 * the HTTP API: honest acknowledgements on a lone daemon, a wrong-kind get
 * that keeps every peer, bootstrap that heals when its node comes up later,
 * and `toyrrent connect` / `POST /v1/connect` adding a peer to a running
 * daemon. Every wait is a condition with a deadline.
 */
import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { freePort, startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import { http } from '../helpers/http.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

describe('daemons: honest acknowledgements, wrong kinds, bootstrap that heals, connect', function () {
  this.timeout(120_000)
  let root: string
  const daemons: DaemonProcess[] = []
  const start = async (name: string, args: string[] = []): Promise<DaemonProcess> => {
    const d = await startDaemonProcess(join(root, name), args)
    daemons.push(d)
    return d
  }
  const tablePeers = async (d: DaemonProcess): Promise<number> => (await new ToyrrentClient(d.api).stats()).peers

  before(async () => { root = await mkdtemp(join(tmpdir(), 'toyrrent-heal-')) })
  after(async () => {
    await Promise.allSettled(daemons.map(async d => d.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  it('[finding 5, failed before: a lone daemon\'s put exited 0] a lone daemon warns at start and refuses a put with insufficient-peers (exit 1); --replicas 1 stores', async () => {
    const lone = await start('lone')
    await waitFor('the warning on stderr', () => /warning: this node knows/.test(lone.output()), 5_000)
    expect(lone.output()).to.match(/warning: this node knows 0 peer\(s\).*fail with insufficient-peers.*--replicas 1/)
    const put = await toyrrent(['put', 'alone', '--api', lone.api])
    expect(put.code, put.stderr).to.equal(1)
    expect(put.stderr).to.match(/^toyrrent: stored on 1 of the 2 nodes needed/)
    const res = await http(lone.api, 'POST', '/v1/items', new TextEncoder().encode('alone'), { 'Content-Type': 'application/octet-stream' })
    expect(res.status).to.equal(503)
    expect(res.json.error.code).to.equal('insufficient-peers')
    // finding 7: nobody to ask is not "not found"
    const get = await toyrrent(['get', '00'.repeat(32), '--api', lone.api])
    expect(get.code).to.equal(1)
    expect(get.stderr).to.not.match(/not found/)
    expect(get.stderr).to.match(/cannot tell whether it exists/)
    await lone.stop()

    const single = await start('single', ['--replicas', '1'])
    expect(single.output()).to.not.match(/warning: this node knows/)
    const ok = await toyrrent(['put', 'alone', '--api', single.api])
    expect(ok.code, ok.stderr).to.equal(0)
    await single.stop()
  })

  it('[finding 8, failed before: 0 peers 19 minutes later] a daemon whose bootstrap node comes up a few seconds later gets peers, and says so', async () => {
    // the bootstrap node's identity and port exist before it runs: start it once, then stop it
    const port = await freePort()
    const listen = ['--listen', `/ip4/127.0.0.1/tcp/${port}`]
    let early = await start('late', listen)
    const addr = `/ip4/127.0.0.1/tcp/${port}/p2p/${early.peerId}`
    await early.stop()

    const waiting = await start('waiting', ['--bootstrap', addr])
    expect(waiting.output()).to.match(/bootstrap: reached 0 of 1/)
    expect(await tablePeers(waiting)).to.equal(0)

    early = await start('late', listen)
    await waitFor('the waiting daemon to find its bootstrap node', async () => (await tablePeers(waiting)) >= 1, 40_000)
    await waitFor('the bootstrap node to know the waiting daemon', async () => (await tablePeers(early)) >= 1, 10_000)
    // the retry reports after the join it started (self lookup, far bands, handoff), which ends after the peer entered the table
    await waitFor('the waiting daemon to report the retry', async () => /bootstrap retry: reached 1 of 1; 1 peers in the routing table/.test(waiting.output()), 20_000)
    // the two now make W = 2
    const put = await toyrrent(['put', 'healed', '--api', waiting.api])
    expect(put.code, put.stderr).to.equal(0)
    const get = await toyrrent(['get', put.stdout.toString().trim(), '--api', early.api])
    expect(get.stdout.toString()).to.equal('healed')
  })

  it('[finding 8, failed before: there was no way to add a peer] `toyrrent connect` joins two running daemons; POST /v1/connect answers the peer and whether it joined', async () => {
    const a = await start('connect-a')
    const b = await start('connect-b')
    const c = await start('connect-c')
    const usage = await toyrrent(['connect', 'not-a-multiaddr', '--api', b.api])
    expect(usage.code).to.equal(2)
    const res = await toyrrent(['connect', a.multiaddrs[0], '--api', b.api])
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout.toString()).to.equal(`${a.peerId} joined; 1 peers in the routing table\n`)
    await waitFor('a to know b', async () => (await tablePeers(a)) >= 1, 10_000)

    const bad = await http(c.api, 'POST', '/v1/connect', new TextEncoder().encode('{"multiaddr":"nonsense"}'), { 'Content-Type': 'application/json' })
    expect(bad.status).to.equal(400)
    expect(bad.json.error.code).to.equal('bad-input')
    const joined = await http(c.api, 'POST', '/v1/connect', new TextEncoder().encode(JSON.stringify({ multiaddr: b.multiaddrs[0] })), { 'Content-Type': 'application/json' })
    expect(joined.status, JSON.stringify(joined.json)).to.equal(200)
    expect(joined.json.peerId).to.equal(b.peerId)
    expect(joined.json.joined).to.equal(true)
    // c's self lookup through b found a too
    expect(joined.json.peers).to.equal(2)

    // three nodes: a put through one, a get through another
    const put = await toyrrent(['put', 'connected', '--api', c.api])
    expect(put.code, put.stderr).to.equal(0)
    const get = await toyrrent(['get', put.stdout.toString().trim(), '--api', a.api])
    expect(get.stdout.toString()).to.equal('connected')
  })

  it('[finding 6, failed before: "only 1 peers answered … (3 failed)"] `toyrrent get <publish id>` says "that is a publish id; use resolve" (exit 1), and the table keeps its peers', async () => {
    const peersBefore = await tablePeers(daemons.find(d => d.dataDir.endsWith('connect-a'))!)
    const [a, b, c] = ['connect-a', 'connect-b', 'connect-c'].map(name => daemons.find(d => d.dataDir.endsWith(name))!)
    const keyFile = join(root, 'me.key')
    expect((await toyrrent(['keygen', '--out', keyFile])).code).to.equal(0)
    const published = await toyrrent(['publish', '--key', keyFile, 'a record', '--api', b.api])
    expect(published.code, published.stderr).to.equal(0)
    const id = published.stdout.toString().split(' ')[0]
    for (const d of [a, b, c]) {
      const before = await tablePeers(d)
      const get = await toyrrent(['get', id, '--api', d.api])
      expect(get.code).to.equal(1)
      expect(get.stderr).to.match(/^toyrrent: that is a publish id; use resolve/)
      const res = await http(d.api, 'GET', `/v1/items/${id}`)
      expect(res.status).to.equal(400)
      expect(res.json.error.code).to.equal('wrong-kind')
      expect(await tablePeers(d), 'peers in the table after wrong-kind gets').to.equal(before)
    }
    expect(peersBefore).to.equal(2)
  })
})
