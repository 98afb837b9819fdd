/**
 * Hole-punching figures (`npm run lab:punch`, root): a small NAT lab (one
 * public relay, two homes behind nftables masquerade NATs with a stateful
 * forward chain, scripts/lab/netns.ts) and, per transport (TCP, then QUIC,
 * every node listening on that transport only), 20 tries of home1 reaching
 * home2 through the relay and DCUtR making the connection direct
 * (scripts/lab/punch-probe.ts). Prints the successes per transport and the
 * addresses DCUtR had to work with; everything the lab made is removed on
 * exit.
 *
 *   npm run lab:punch               # TRIES=20 WAIT_MS=6000 by default
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { Lab, sh } from './netns.ts'
import { LabNode, eventually } from './lab-node.ts'

const PROBE = resolve(import.meta.dirname, 'punch-probe.js')
const TRIES = Number(process.env.TRIES ?? 20)
const WAIT_MS = Number(process.env.WAIT_MS ?? 6000)
const run = promisify(execFile)

const listenFlag = (transport: 'tcp' | 'quic'): string[] => ['--listen', transport === 'quic' ? '/ip4/0.0.0.0/udp/4001/quic-v1' : '/ip4/0.0.0.0/tcp/4001']

async function tryTransport (lab: Lab, transport: 'tcp' | 'quic', relay: LabNode, home2: LabNode): Promise<any> {
  await relay.start(['--mode', 'server', '--no-upnp', ...listenFlag(transport)])
  try {
    await home2.start(['--mode', 'auto', '--no-upnp', ...listenFlag(transport), '--bootstrap', relay.addr(transport)])
    await eventually('home2 to hold a reservation on the relay', async () =>
      ((await home2.api('/v1/id')).multiaddrs as string[]).some(a => a.includes('/p2p-circuit/')), 60_000)
    const { stdout } = await run('ip', ['netns', 'exec', lab.ns('home1'), process.execPath, PROBE, transport, relay.addr(transport), home2.peerId, String(TRIES), String(WAIT_MS)],
      { timeout: TRIES * (WAIT_MS + 25_000) + 60_000, maxBuffer: 16 * 1024 * 1024 })
    return JSON.parse(stdout.trim().split('\n').pop()!)
  } finally {
    await home2.stop().catch(() => {})
    await relay.stop().catch(() => {})
  }
}

async function main (): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the hole-punching lab needs root (network namespaces, nftables)')
  await Lab.removeStale()
  const lab = new Lab()
  try {
    await lab.create()
    const relayIp = await lab.addPublicHost('pub1', 1)
    await lab.addHome('nat1', 'home1', 1)
    const [, h2] = await lab.addHome('nat2', 'home2', 2)
    const lines: string[] = []
    for (const transport of ['tcp', 'quic'] as const) {
      const out = await tryTransport(lab, transport, new LabNode(lab, 'pub1', relayIp), new LabNode(lab, 'home2', h2))
      lines.push(`${transport.toUpperCase()}: ${out.successes}/${out.tries} tries made the relayed connection direct within ${WAIT_MS} ms ` +
        `(${out.relayedTries}/${out.tries} relayed connections made); punchable addresses offered: home1 ${JSON.stringify(out.ownPunchable)}, home2 ${JSON.stringify(out.targetPunchable)}`)
      lines.push(`  home1 offers ${JSON.stringify(out.ownAddrs)}; home2 offers ${JSON.stringify(out.targetAddrs)}`)
      const errors = [...new Set(out.results.filter((r: any) => r.error != null).map((r: any) => r.error))]
      if (errors.length > 0) lines.push(`  errors: ${errors.join('; ')}`)
    }
    process.stdout.write(`\nhole punching (DCUtR), ${TRIES} tries per transport:\n${lines.map(l => `  ${l}`).join('\n')}\n`)
  } finally {
    await lab.destroy()
    const left = (await sh('ip', ['netns', 'list'])).split('\n').filter(l => l.startsWith(lab.prefix))
    if (left.length > 0) process.stderr.write(`namespaces left behind: ${left.join(', ')}\n`)
  }
}

await main()
