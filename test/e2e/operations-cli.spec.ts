/**
 * The operator's side end to end, with real daemon processes: `swarm-key`,
 * `daemon --config` (a private network from a config file), `stats`,
 * `GET /metrics`, and a restarted daemon rejoining with no flags.
 */
import { expect } from 'chai'
import { stat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ToyrrentClient } from '../../src/api/client.ts'
import { parseConfig } from '../../src/daemon/config.ts'
import { startDaemonProcess, toyrrent, waitFor } from '../helpers/cli.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

describe('operations: swarm key, config file, stats, metrics, rejoin', function () {
  this.timeout(60_000)
  let root: string
  const daemons: DaemonProcess[] = []

  before(async () => { root = await mkdtemp(join(tmpdir(), 'toyrrent-ops-')) })
  after(async () => {
    await Promise.allSettled(daemons.map(async d => d.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  it('config files: known keys with the right types only', () => {
    expect(parseConfig({ bootstrap: ['/ip4/1.2.3.4/tcp/1'], mdns: true, refreshInterval: 60 })).to.deep.equal({ bootstrap: ['/ip4/1.2.3.4/tcp/1'], mdns: true, refreshInterval: 60 })
    expect(() => parseConfig({ bootstrapp: [] })).to.throw(/unknown key "bootstrapp"/)
    expect(() => parseConfig({ listen: '/ip4/0.0.0.0/tcp/1' })).to.throw(/"listen" must be a list of strings/)
    expect(() => parseConfig([])).to.throw(/JSON object/)
  })

  it('swarm-key --out writes a key readable by its owner only, and will not overwrite one without --force', async () => {
    const file = join(root, 'swarm.key')
    const res = await toyrrent(['swarm-key', '--out', file])
    expect(res.code).to.equal(0)
    expect((await stat(file)).mode & 0o777).to.equal(0o600)
    expect(await readFile(file, 'utf8')).to.match(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
    const again = await toyrrent(['swarm-key', '--out', file])
    // as keygen onto an existing file: the operation failed (1), the command line was fine (issue 15, item 7)
    expect(again.code).to.equal(1)
    expect(again.stderr).to.match(/exists; pass --force/)
  })

  it('daemons configured by file form a private network; stats and /metrics report it; a restart rejoins with no flags', async () => {
    const config = join(root, 'toyrrent.json')
    await writeFile(config, JSON.stringify({ swarmKey: 'swarm.key', refreshInterval: 30 }))
    const a = await startDaemonProcess(join(root, 'a'), ['--config', config])
    daemons.push(a)
    expect(a.output()).to.match(/private network: swarm key .*swarm\.key/)
    let b = await startDaemonProcess(join(root, 'b'), ['--config', config, '--bootstrap', a.multiaddrs[0]])
    daemons.push(b)
    expect(b.output()).to.match(/bootstrap: reached 1 of 1/)
    const put = await new ToyrrentClient(a.api).put(new TextEncoder().encode('from a'))

    const stats = await toyrrent(['stats', '--api', b.api])
    expect(stats.code).to.equal(0)
    expect(stats.stdout).to.match(/peers in table: 1/)
    expect(stats.stdout).to.match(/network size: ~\d+ nodes/)

    const metrics = await fetch(`http://${b.api}/metrics`, { signal: AbortSignal.timeout(5_000) })
    expect(metrics.headers.get('content-type')).to.match(/^text\/plain/)
    const text = await metrics.text()
    for (const name of ['toyrrent_items_held', 'toyrrent_bytes_held', 'toyrrent_rpc_store_requests_total', 'toyrrent_lookup_hops_bucket', 'toyrrent_lookup_duration_seconds_bucket', 'toyrrent_repair_items_pushed_total', 'toyrrent_handoff_items_sent_total', 'toyrrent_network_size_estimate', 'libp2p_']) {
      expect(text, name).to.include(name)
    }
    expect(text).to.match(/toyrrent_rpc_store_requests_total\{outcome="ok"\} [1-9]/)

    // restart b with no bootstrap flag: the peer store remembers a
    expect(await b.stop('SIGTERM')).to.equal(0)
    b = await startDaemonProcess(join(root, 'b'), ['--config', config])
    daemons.push(b)
    expect(b.output()).to.match(/rejoined: 1 remembered peers/)
    const client = new ToyrrentClient(b.api)
    await waitFor('b to reconnect to a', async () => (await client.peers()).peers.some(p => p.peerId === a.peerId))
    expect(new TextDecoder().decode(await client.get(put.key))).to.equal('from a')

    // a daemon without the key gets nowhere
    const c = await startDaemonProcess(join(root, 'c'), ['--bootstrap', a.multiaddrs[0]])
    daemons.push(c)
    expect(c.output()).to.match(/bootstrap: reached 0 of 1/)
  })

  it('--repair-interval is in seconds: a round a second, not a round a millisecond', async () => {
    const started = Date.now()
    const d = await startDaemonProcess(join(root, 'repair'), ['--repair-interval', '1'])
    daemons.push(d)
    const client = new ToyrrentClient(d.api)
    await waitFor('two repair rounds', async () => (await client.stats()).repair.rounds >= 2)
    const { rounds } = (await client.stats()).repair
    expect(rounds).to.be.at.most(Math.ceil((Date.now() - started) / 1000) + 1)
  })
})
