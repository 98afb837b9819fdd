/**
 * The NAT lab (`npm run lab`, root only; not part of `npm test`): real
 * toyrrent daemons in network namespaces, an "internet" router between them,
 * home routers that NAT with nftables (scripts/lab/netns.ts). Each scenario
 * is an assertion about what a node on the internet does:
 *   (a) public nodes become servers, NATed nodes clients, and no NATed node
 *       ever appears in a server's routing table;
 *   (b) a NATed node puts, a node behind another NAT gets the exact bytes;
 *       publish / resolve likewise;
 *   (c) two NATed nodes connect through a circuit relay (and DCUtR's attempt
 *       to make the connection direct is reported);
 *   (d) a node behind a UPnP router (miniupnpd) becomes a server by itself;
 *   (e) a node behind a port forward with --announce becomes a server;
 *   (f) QUIC between public nodes, TCP when the NAT drops UDP;
 *   (g) a node bootstraps from /dnsaddr and /dns4 addresses (a DNS server in
 *       its namespace, scripts/lab/dns-server.py: no internet needed).
 * It also measures the time to detect reachability and the round trips of a
 * request to a peer with no connection over TCP and QUIC (a fixed delay in
 * the internet router, scripts/lab/delay-tun.py), printed at the end.
 */
import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Lab, sh } from '../../scripts/lab/netns.ts'
import { LabNode, eventually } from '../../scripts/lab/lab-node.ts'

const PROBE = resolve(import.meta.dirname, '../../scripts/lab/rtt-probe.js')
const figures: string[] = []

describe('NAT lab', function () {
  this.timeout(180_000)
  const lab = new Lab()
  const publicNodes: LabNode[] = []
  const homes: Record<string, LabNode> = {}
  let all: LabNode[] = []
  let dnsNode: LabNode
  let tmp = ''

  before(async function () {
    if (process.getuid?.() !== 0) throw new Error('the NAT lab needs root (network namespaces, nftables)')
    await Lab.removeStale()
    await lab.create()
    tmp = await mkdtemp(join(tmpdir(), 'toyrrent-lab-'))
    for (let i = 1; i <= 4; i++) {
      const ip = await lab.addPublicHost(`pub${i}`, i)
      publicNodes.push(new LabNode(lab, `pub${i}`, ip))
    }
    const [, h1] = await lab.addHome('nat1', 'home1', 1)
    const [, h2] = await lab.addHome('nat2', 'home2', 2)
    const [wan3, h3] = await lab.addHome('nat3', 'home3', 3, { portForwards: [['tcp', 4001], ['udp', 4001]] })
    const [, h4] = await lab.addHome('nat4', 'home4', 4, { forwardRules: ['meta l4proto udp drop'] })
    const [wan5, h5] = await lab.addHome('nat5', 'home5', 5, { upnp: true })
    homes.home1 = new LabNode(lab, 'home1', h1)
    homes.home2 = new LabNode(lab, 'home2', h2)
    homes.home3 = new LabNode(lab, 'home3', h3)
    homes.home4 = new LabNode(lab, 'home4', h4)
    homes.home5 = new LabNode(lab, 'home5', h5)
    ;(homes.home5 as any).wan = wan5
    ;(homes.home3 as any).wan = wan3
    // a public host that finds the network by DNS names only (g)
    dnsNode = new LabNode(lab, 'pub5', await lab.addPublicHost('pub5', 5))
    all = [...publicNodes, ...Object.values(homes), dnsNode]
  })

  after(async function () {
    this.timeout(60_000)
    for (const node of all) await node.stop().catch(() => {})
    await lab.destroy()
    if (tmp !== '') await rm(tmp, { recursive: true, force: true })
    if (figures.length > 0) process.stdout.write(`\nNAT lab figures:\n${figures.map(f => `  ${f}`).join('\n')}\n`)
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      for (const node of all) process.stdout.write(`--- ${node.name} stderr:\n${node.stderr.slice(-3000)}\n`)
    }
  })

  it('(a) public nodes become servers by AutoNAT v2 dial-backs', async () => {
    const [first, ...rest] = publicNodes
    await first.start(['--mode', 'auto'])
    for (const node of rest) await node.start(['--mode', 'auto', '--bootstrap', first.addr('tcp')])
    for (const node of publicNodes) {
      await eventually(`${node.name} to become a server`, async () => (await node.api('/v1/id')).mode === 'server', 90_000)
      const id = await node.json('id')
      expect(id.reachability).to.equal('public')
      expect(id.multiaddrs.some((a: string) => a.startsWith(`/ip4/${node.ip}/`)), `${node.name} offers its public address`).to.equal(true)
      expect(id.multiaddrs.some((a: string) => a.startsWith('/ip4/127.')), `${node.name} does not offer loopback`).to.equal(false)
      const line = node.modeLines.find(l => l.mode === 'server')
      expect(line, `${node.name} logged the change`).to.not.equal(undefined)
      figures.push(`${node.name}: public and a server ${line!.afterMs} ms after start (AutoNAT v2)`)
    }
    // every server ends up in the others' tables
    for (const node of publicNodes) {
      await eventually(`${node.name}'s table to hold the other servers`, async () => (await node.api('/v1/table')).peers.length >= publicNodes.length - 1, 60_000)
    }
  })

  it('measures round trips of a request to a peer with no connection, TCP vs QUIC (only the public nodes run)', async () => {
    for (const oneWayMs of [10, 40]) {
      await lab.delayBetween(1, 2, oneWayMs)
      const rtt = 2 * oneWayMs
      for (const transport of ['tcp', 'quic'] as const) {
        const out = await sh('ip', ['netns', 'exec', lab.ns('pub2'), process.execPath, PROBE, publicNodes[0].addr(transport), '8'])
        const { samples } = JSON.parse(out) as { samples: Array<{ connectMs: number, requestMs: number }> }
        const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
        const connect = median(samples.map(s => s.connectMs))
        const request = median(samples.map(s => s.requestMs))
        figures.push(`${transport.toUpperCase()} at ${rtt} ms RTT: connection up after ${connect.toFixed(0)} ms (${(connect / rtt).toFixed(1)} RTT), first answer after ${request.toFixed(0)} ms (${(request / rtt).toFixed(1)} RTT), median of ${samples.length}`)
        expect(request).to.be.greaterThan(rtt)
      }
    }
    await lab.delayBetween(1, 2, 0)
  })

  it('(a) NATed nodes become clients and never enter a server\'s table', async () => {
    const bootstrap = ['--bootstrap', publicNodes[0].addr('tcp'), '--bootstrap', publicNodes[1].addr('tcp')]
    for (const name of ['home1', 'home2', 'home4']) await homes[name].start(['--mode', 'auto', ...bootstrap])
    for (const name of ['home1', 'home2', 'home4']) {
      const node = homes[name]
      await eventually(`${name} to know servers`, async () => (await node.api('/v1/table')).peers.length >= 2, 60_000)
      const id = await node.json('id')
      expect(id.mode).to.equal('client')
      expect(id.reachability).to.equal('private')
      expect(node.modeLines.filter(l => l.mode === 'server'), `${name} was never a server`).to.deep.equal([])
    }
    await expectNoClientInTables()
  })

  it('(b) a NATed node puts, a node behind another NAT gets the exact bytes', async () => {
    const value = `bytes from behind NAT 1 ${Date.now()}`
    const key = (await homes.home1.cli('put', value)).trim()
    expect(await homes.home2.cli('get', key)).to.equal(value)
    expect(await homes.home4.cli('get', key)).to.equal(value)
    await expectNoClientInTables()
  })

  it('(b) a NATed node publishes, a node behind another NAT resolves it', async () => {
    const keyFile = join(tmp, 'publisher.key')
    await homes.home1.tool('keygen', '--out', keyFile)
    const value = `published from behind NAT 1 ${Date.now()}`
    const [id, seq] = (await homes.home1.cli('publish', '--key', keyFile, value)).trim().split(' ')
    expect(seq).to.equal('1')
    expect(await homes.home2.cli('resolve', id)).to.equal(value)
    await expectNoClientInTables()
  })

  it('(c) two NATed nodes connect through a relay; DCUtR tries to make it direct', async () => {
    const [h1, h2] = [homes.home1, homes.home2]
    // NATed nodes reserve on relays among the public servers and offer /p2p-circuit addresses
    let circuit = ''
    await eventually('home2 to offer a relayed address', async () => {
      circuit = ((await h2.api('/v1/id')).multiaddrs as string[]).find(a => a.includes('/p2p-circuit/')) ?? ''
      return circuit !== ''
    }, 60_000)
    const started = Date.now()
    const reached = await h1.json('connect', circuit)
    expect(reached.peerId).to.equal(h2.peerId)
    const peers = await h1.json('peers')
    const toH2 = peers.find((p: any) => p.peerId === h2.peerId)
    expect(toH2, 'home1 is connected to home2').to.not.equal(undefined)
    for (const c of toH2.connections) expect(c).to.have.keys('remoteAddr', 'relayed', 'direction')
    // what DCUtR makes of it: a direct connection appears next to the relayed one, or not
    let direct = false
    await eventually('a direct connection home1 <-> home2', async () => {
      const now = (await h1.json('peers')).find((p: any) => p.peerId === h2.peerId)
      direct = now?.connections.some((c: any) => !c.relayed) === true
      return direct
    }, 20_000).catch(() => {})
    figures.push(`relay: home1 reached home2 over ${circuit.includes('/quic-v1/') ? 'QUIC' : 'TCP'} to the relay; DCUtR ${direct ? `made it direct after ${Date.now() - started} ms` : 'did not make it direct within 20 s'}`)
    if (!direct) expect(toH2.relayed, 'while no direct connection exists, the one there is relayed').to.equal(true)
  })

  it('(e) a node behind a port forward with --announce becomes a server', async () => {
    const node = homes.home3
    const wan = (node as any).wan as string
    await node.start(['--mode', 'auto', '--announce', `/ip4/${wan}/tcp/4001`, '--announce', `/ip4/${wan}/udp/4001/quic-v1`,
      '--bootstrap', publicNodes[2].addr('tcp')])
    await eventually('home3 to become a server', async () => (await node.api('/v1/id')).mode === 'server', 30_000)
    const id = await node.json('id')
    expect(id.reachability).to.equal('public')
    expect(id.multiaddrs).to.include(`/ip4/${wan}/tcp/4001/p2p/${node.peerId}`)
    // a public node reaches it through the forward, and servers admit it
    const reached = await publicNodes[3].json('connect', `/ip4/${wan}/tcp/4001/p2p/${node.peerId}`)
    expect(reached.peerId).to.equal(node.peerId)
    await eventually('a server to hold home3 in its table', async () => {
      for (const p of publicNodes) if ((await p.api('/v1/table')).peers.some((e: any) => e.peerId === node.peerId)) return true
      return false
    }, 30_000)
    figures.push(`home3 (--announce behind a port forward): a server ${node.modeLines.find(l => l.mode === 'server')?.afterMs} ms after start`)
  })

  it('(d) a node behind a UPnP router (miniupnpd) maps its ports and becomes a server by itself', async () => {
    const node = homes.home5
    const wan = (node as any).wan as string
    // auto mode turns UPnP on by default
    await node.start(['--mode', 'auto', '--bootstrap', publicNodes[0].addr('tcp')])
    await eventually('home5 to become a server', async () => (await node.api('/v1/id')).mode === 'server', 90_000)
      .catch(err => { throw new Error(`${err.message}\nminiupnpd: ${lab.upnpLogs.get('nat5')}`) })
    const id = await node.json('id')
    expect(id.reachability).to.equal('public')
    const mapped = (id.multiaddrs as string[]).filter(a => a.startsWith(`/ip4/${wan}/`))
    expect(mapped.length, `home5 offers its mapped address (${id.multiaddrs})`).to.be.greaterThan(0)
    const reached = await publicNodes[1].json('connect', mapped[0])
    expect(reached.peerId).to.equal(node.peerId)
    figures.push(`home5 (UPnP, miniupnpd): a server ${node.modeLines.find(l => l.mode === 'server')?.afterMs} ms after start, offering ${mapped.join(' ')}`)
  })

  it('(f) public nodes talk QUIC; a NAT that drops UDP falls back to TCP', async () => {
    // a dial by peer id alone: the addresses come from the peer store, and QUIC goes first
    const [, , p3, p4] = publicNodes
    await p3.json('connect', `/p2p/${p4.peerId}`)
    const peers = await p3.json('peers')
    const toP4 = peers.find((p: any) => p.peerId === p4.peerId)
    const p3p4 = toP4.connections.map((c: any) => c.remoteAddr as string)
    expect(p3p4.some((a: string) => a.includes('/quic-v1')), `p3 -> p4 over ${p3p4}`).to.equal(true)
    expect(toP4.relayed).to.equal(false)
    const h4 = await homes.home4.json('peers')
    expect(h4.length).to.be.greaterThan(0)
    for (const peer of h4) for (const c of peer.connections) if (!c.relayed) expect(c.remoteAddr, 'home4 (UDP dropped) uses TCP').to.match(/\/tcp\//)
    // and QUIC is really blocked there: a dial to a server's QUIC address fails
    let quicFailed = false
    await homes.home4.json('connect', publicNodes[2].addr('quic')).catch(() => { quicFailed = true })
    expect(quicFailed).to.equal(true)
  })

  it('(g) a node bootstraps from /dnsaddr and /dns4 addresses, resolved by a DNS server in the lab', async () => {
    const [p1, p2] = publicNodes
    await lab.resolver('pub5', {
      '_dnsaddr.boot.toyrrent.lab': { TXT: [`dnsaddr=${p1.addr('tcp')}`, `dnsaddr=${p1.addr('quic')}`] },
      'pub2.toyrrent.lab': { A: [p2.ip] }
    })
    await dnsNode.start(['--mode', 'auto', '--bootstrap', `/dnsaddr/boot.toyrrent.lab/p2p/${p1.peerId}`,
      '--bootstrap', `/dns4/pub2.toyrrent.lab/tcp/4001/p2p/${p2.peerId}`])
    // the names were asked of the lab's DNS server and answered, and pub5 reached both nodes
    // (a /dns4 connection may keep the name as its remote address)
    await eventually('pub5 to be connected to pub1 and pub2', async () => {
      const peers = (await dnsNode.json('peers')) as Array<{ peerId: string }>
      return peers.some(p => p.peerId === p1.peerId) && peers.some(p => p.peerId === p2.peerId)
    }, 30_000).catch(err => { throw new Error(`${err.message}\nDNS: ${lab.dnsLog}\npub5: ${dnsNode.stdout}\n${dnsNode.stderr}`) })
    expect(lab.dnsLog, 'the dnsaddr TXT record was asked for and answered').to.match(/query _dnsaddr\.boot\.toyrrent\.lab TXT [1-9]/)
    expect(lab.dnsLog, 'the /dns4 name was asked for and answered').to.match(/query pub2\.toyrrent\.lab A [1-9]/)
    await eventually('pub5 to know servers', async () => (await dnsNode.api('/v1/table')).peers.length >= 2, 30_000)
    const value = `found by DNS ${Date.now()}`
    const key = (await dnsNode.cli('put', value)).trim()
    expect(await p2.cli('get', key)).to.equal(value)
    figures.push('pub5: bootstrapped from /dnsaddr/boot.toyrrent.lab/p2p/… and /dns4/pub2.toyrrent.lab/tcp/4001/p2p/… (lab DNS server), put and got')
  })

  /** No routing table of a server holds a client (checked on every server, now). */
  async function expectNoClientInTables (): Promise<void> {
    const clients = ['home1', 'home2', 'home4'].map(n => homes[n].peerId).filter(Boolean)
    for (const node of [...publicNodes, homes.home3, homes.home5]) {
      if (node.peerId === '') continue
      const table = (await node.api('/v1/table')).peers.map((p: any) => p.peerId)
      for (const c of clients) expect(table, `${node.name}'s table`).to.not.include(c)
    }
  }
})


