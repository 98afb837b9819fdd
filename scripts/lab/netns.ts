/**
 * The NAT lab's network: Linux network namespaces joined by veth pairs, one
 * "internet" router namespace, home routers that NAT with nftables. Every
 * name carries this run's prefix (`tl<pid>-`), every address exists only
 * inside the namespaces created here, and destroy() removes all of it (the
 * veths and nft tables go with their namespaces); it runs on exit and on
 * SIGINT/SIGTERM too, and a later run first removes what a killed run left.
 *
 * Addressing (libp2p's isPrivate() counts 100.64/10, 198.18/15 and the
 * TEST-NETs as private, and AutoNAT v2 counts one network segment per first
 * octet, so every public host gets its own /8 from ranges libp2p counts as
 * public; none of them is reachable from outside the lab):
 *   public host i      <20+i>.0.0.2/24, gateway <20+i>.0.0.1 (the internet router)
 *   home router k WAN  <40+k>.0.0.2/24, gateway <40+k>.0.0.1; LAN 192.168.k.1/24
 *   home host k        192.168.k.2/24, gateway 192.168.k.1
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises'
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import type { ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const LAB_PREFIX = 'tl'

/** The TUN delay (the compiled lab lives in dist/scripts/lab; the .py stays in scripts/lab). */
const DELAY_TUN = resolve(import.meta.dirname, '../../../scripts/lab/delay-tun.py')
const DNS_SERVER = resolve(import.meta.dirname, '../../../scripts/lab/dns-server.py')
/** `ip netns exec NAME` bind-mounts the files of /etc/netns/NAME over /etc (resolv.conf here). */
const NETNS_ETC = '/etc/netns'

export async function sh (cmd: string, args: string[], input?: string): Promise<string> {
  if (input != null) {
    return new Promise((resolve, reject) => {
      const child = execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
        if (err != null) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`))
        else resolve(stdout)
      })
      child.stdin?.end(input)
    })
  }
  try {
    return (await run(cmd, args, { timeout: 30_000 })).stdout
  } catch (err: any) {
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr || err.message}`)
  }
}

export interface HomeOptions {
  /** Run miniupnpd (Debian's, nftables backend) on the router: the home host may map ports by UPnP IGD / NAT-PMP. */
  upnp?: boolean
  /** nft rules added to the router's forward chain before the stateful accept (e.g. `meta l4proto udp drop`). */
  forwardRules?: string[]
  /** Port forwards on the WAN address: [protocol, port] to the home host, same port. */
  portForwards?: Array<['tcp' | 'udp', number]>
}

export class Lab {
  readonly prefix = `${LAB_PREFIX}${process.pid}-`
  private readonly namespaces: string[] = []
  private destroyed = false
  private delay?: ChildProcess
  private readonly onSignal = (): void => { void this.destroy().finally(() => process.exit(130)) }
  private readonly onExit = (): void => { this.destroySync() }

  ns (name: string): string { return this.prefix + name }

  /** Remove namespaces a killed earlier run left behind (their pid is gone). */
  static async removeStale (): Promise<void> {
    const list = (await sh('ip', ['netns', 'list'])).split('\n').map(l => l.split(' ')[0]).filter(n => n.startsWith(LAB_PREFIX))
    for (const name of list) {
      const pid = Number(/^tl(\d+)-/.exec(name)?.[1])
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) await removeNamespace(name)
    }
    for (const name of listEtcDirs()) {
      const pid = Number(/^tl(\d+)-/.exec(name)?.[1])
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(NETNS_ETC, name), { recursive: true, force: true })
    }
  }

  async create (): Promise<void> {
    process.once('SIGINT', this.onSignal)
    process.once('SIGTERM', this.onSignal)
    process.once('exit', this.onExit)
    await this.addNamespace('inet')
    await this.exec('inet', 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
  }

  async exec (ns: string, cmd: string, ...args: string[]): Promise<string> {
    return sh('ip', ['netns', 'exec', this.ns(ns), cmd, ...args])
  }

  /** A host on the internet with its own /8. */
  async addPublicHost (name: string, index: number): Promise<string> {
    const net = 20 + index
    await this.addNamespace(name)
    await this.link('inet', `p${index}`, `${net}.0.0.1/24`, name, 'eth0', `${net}.0.0.2/24`)
    await this.exec(name, 'ip', 'route', 'add', 'default', 'via', `${net}.0.0.1`)
    return `${net}.0.0.2`
  }

  /** A home router (NAT) on the internet and one host behind it; returns [router WAN address, host address]. */
  async addHome (router: string, host: string, index: number, options: HomeOptions = {}): Promise<[string, string]> {
    const net = 40 + index
    const wan = `${net}.0.0.2`
    const lan = `192.168.${index}.2`
    await this.addNamespace(router)
    await this.addNamespace(host)
    await this.exec(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
    await this.link('inet', `r${index}`, `${net}.0.0.1/24`, router, 'wan', `${wan}/24`)
    await this.exec(router, 'ip', 'route', 'add', 'default', 'via', `${net}.0.0.1`)
    await this.link(router, 'lan', `192.168.${index}.1/24`, host, 'eth0', `${lan}/24`)
    await this.exec(host, 'ip', 'route', 'add', 'default', 'via', `192.168.${index}.1`)
    const forwards = options.portForwards ?? []
    const ruleset = `
table ip toyrrentlab {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${forwards.map(([proto, port]) => `    iifname "wan" ${proto} dport ${port} dnat to ${lan}:${port}`).join('\n')}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
${(options.forwardRules ?? []).map(r => `    ${r}`).join('\n')}
    ct state established,related accept
    iifname "lan" oifname "wan" accept
    ct status dnat accept
  }
}
`
    await sh('ip', ['netns', 'exec', this.ns(router), 'nft', '-f', '-'], ruleset)
    if (options.upnp === true) await this.startMiniupnpd(router, index)
    return [wan, lan]
  }

  /**
   * miniupnpd on a home router: the nft chains it fills (its default names, in
   * table inet filter, jumped to from our forward and NAT chains), a config that
   * lets the LAN map ports 1024-65535 to itself, foreground with its own pid file.
   */
  private async startMiniupnpd (router: string, index: number): Promise<void> {
    const ruleset = `
table inet filter {
  chain forward {
    type filter hook forward priority filter - 1; policy accept;
    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority dstnat - 1; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat - 1; policy accept;
    jump postrouting_miniupnpd
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
`
    await sh('ip', ['netns', 'exec', this.ns(router), 'nft', '-f', '-'], ruleset)
    // what miniupnpd maps is DNATed, and our own forward chain accepts `ct status dnat`
    const dir = await mkdtemp(join(tmpdir(), `toyrrent-lab-upnp${index}-`))
    this.tempDirs.push(dir)
    const conf = join(dir, 'miniupnpd.conf')
    await writeFile(conf, [
      'ext_ifname=wan',
      'listening_ip=lan',
      'http_port=0',
      'enable_natpmp=yes',
      'enable_upnp=yes',
      'secure_mode=yes',
      'system_uptime=yes',
      `uuid=7e1ab5e0-0000-4000-8000-00000000000${index}`,
      `allow 1024-65535 192.168.${index}.0/24 1024-65535`,
      'deny 0-65535 0.0.0.0/0 0-65535',
      ''
    ].join('\n'))
    const child = spawn('ip', ['netns', 'exec', this.ns(router), 'miniupnpd', '-f', conf, '-P', join(dir, 'pid'), '-d'], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.upnpLogs.set(router, '')
    const keep = (d: Buffer): void => { this.upnpLogs.set(router, (this.upnpLogs.get(router) ?? '') + d.toString()) }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { resolve() }, 1500)
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`miniupnpd exited with ${code}: ${this.upnpLogs.get(router)}`)) })
    })
  }

  /**
   * A DNS server for `records` (scripts/lab/dns-server.py: A, AAAA, TXT) on
   * 127.0.0.1:53 inside namespace `ns`, and a resolv.conf there that points
   * at it (/etc/netns/<namespace>/resolv.conf, removed on exit): /dns4 and
   * /dnsaddr addresses resolve in that namespace without the internet.
   */
  async resolver (ns: string, records: Record<string, { A?: string[], AAAA?: string[], TXT?: string[] }>): Promise<void> {
    const dir = join(NETNS_ETC, this.ns(ns))
    // /etc/netns itself goes again on exit if this run made it
    if (!existsSync(NETNS_ETC)) this.etcRootMade = true
    await mkdir(dir, { recursive: true })
    this.etcDirs.push(dir)
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n')
    // it ends with its namespace (removeNamespace kills what runs inside)
    const child = spawn('ip', ['netns', 'exec', this.ns(ns), 'python3', DNS_SERVER, '127.0.0.1:53', JSON.stringify(records)], { stdio: ['ignore', 'pipe', 'pipe'] })
    await new Promise<void>((resolve, reject) => {
      let err = ''
      child.stderr.on('data', (d: Buffer) => { err += d.toString() })
      child.stdout.on('data', (d: Buffer) => {
        this.dnsLog += d.toString()
        if (d.toString().includes('ready')) resolve()
      })
      child.once('exit', code => { reject(new Error(`dns-server.py exited with ${code}: ${err}`)) })
    })
  }

  private readonly etcDirs: string[] = []
  /** What the lab's DNS servers printed: `query NAME TYPE ANSWERS` per query. */
  dnsLog = ''
  private etcRootMade = false

  /** What miniupnpd printed on each router that runs it. */
  readonly upnpLogs = new Map<string, string>()
  private readonly tempDirs: string[] = []

  /**
   * A one-way delay of `ms` each way between public hosts `a` and `b`
   * (indexes of addPublicHost), so a round trip between them takes 2 × ms more.
   * This kernel has no netem: policy routes in the internet router steer the
   * packets between the two into a TUN device that delay-tun.py holds for `ms`
   * and writes back. `ms` 0 removes the delay.
   */
  async delayBetween (a: number, b: number, ms: number): Promise<void> {
    await this.stopDelay()
    if (ms <= 0) return
    const child = spawn('ip', ['netns', 'exec', this.ns('inet'), 'python3', DELAY_TUN, 'dly0', String(ms)], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.delay = child
    await new Promise<void>((resolve, reject) => {
      let err = ''
      child.stderr.on('data', (d: Buffer) => { err += d.toString() })
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve() })
      child.once('exit', code => { reject(new Error(`delay-tun.py exited with ${code}: ${err}`)) })
    })
    await this.exec('inet', 'ip', 'link', 'set', 'dly0', 'up')
    await this.exec('inet', 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.dly0.rp_filter=0')
    await this.exec('inet', 'ip', 'route', 'add', 'default', 'dev', 'dly0', 'table', '100')
    for (const [from, to] of [[a, b], [b, a]]) {
      await this.exec('inet', 'ip', 'rule', 'add', 'iif', `p${from}`, 'to', `${20 + to}.0.0.0/24`, 'lookup', '100', 'priority', '100')
    }
  }

  private async stopDelay (): Promise<void> {
    const child = this.delay
    if (child == null) return
    this.delay = undefined
    while ((await this.exec('inet', 'ip', 'rule', 'del', 'priority', '100').then(() => true, () => false))) { /* every rule of ours */ }
    await this.exec('inet', 'ip', 'route', 'flush', 'table', '100').catch(() => '')
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }

  async destroy (): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    process.off('SIGINT', this.onSignal)
    process.off('SIGTERM', this.onSignal)
    process.off('exit', this.onExit)
    await this.stopDelay().catch(() => {})
    for (const name of [...this.namespaces].reverse()) await removeNamespace(name)
    for (const dir of [...this.tempDirs, ...this.etcDirs]) await rm(dir, { recursive: true, force: true })
    if (this.etcRootMade) await rmdir(NETNS_ETC).catch(() => {})
  }

  /** On process exit only synchronous work runs. */
  private destroySync (): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const name of [...this.namespaces].reverse()) {
      killNamespacePidsSync(name)
      try { execFileSync('ip', ['netns', 'delete', name]) } catch {}
    }
    for (const dir of this.etcDirs) rmSync(dir, { recursive: true, force: true })
    if (this.etcRootMade) try { rmdirSync(NETNS_ETC) } catch {}
  }

  private async addNamespace (name: string): Promise<void> {
    const full = this.ns(name)
    await sh('ip', ['netns', 'add', full])
    this.namespaces.push(full)
    await this.exec(name, 'ip', 'link', 'set', 'lo', 'up')
  }

  private async link (nsA: string, ifA: string, addrA: string, nsB: string, ifB: string, addrB: string): Promise<void> {
    await sh('ip', ['link', 'add', ifA, 'netns', this.ns(nsA), 'type', 'veth', 'peer', 'name', ifB, 'netns', this.ns(nsB)])
    await this.exec(nsA, 'ip', 'addr', 'add', addrA, 'dev', ifA)
    await this.exec(nsB, 'ip', 'addr', 'add', addrB, 'dev', ifB)
    await this.exec(nsA, 'ip', 'link', 'set', ifA, 'up')
    await this.exec(nsB, 'ip', 'link', 'set', ifB, 'up')
  }
}

/** The lab's directories under /etc/netns (any run's). */
function listEtcDirs (): string[] {
  try {
    return readdirSync(NETNS_ETC).filter(n => n.startsWith(LAB_PREFIX))
  } catch {
    return []
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** End the processes still inside a namespace (the lab started them), then delete it. */
async function removeNamespace (name: string): Promise<void> {
  const pids = (await sh('ip', ['netns', 'pids', name]).catch(() => '')).split(/\s+/).filter(Boolean).map(Number)
  for (const pid of pids) try { process.kill(pid, 'SIGKILL') } catch {}
  await sh('ip', ['netns', 'delete', name]).catch(() => '')
}

function killNamespacePidsSync (name: string): void {
  let out = ''
  try { out = execFileSync('ip', ['netns', 'pids', name]).toString() } catch {}
  for (const pid of out.split(/\s+/).filter(Boolean).map(Number)) try { process.kill(pid, 'SIGKILL') } catch {}
}
