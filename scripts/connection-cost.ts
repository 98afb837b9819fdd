/**
 * What one libp2p connection costs in CPU, both ends in this process: N
 * nodes, then one node dials each of the others in turn (after a few warm-up
 * dials). `--stack bare` is libp2p with TCP, Noise, Yamux and identify only;
 * `--stack toyrrent` is createToyrrentNode (the whole node, no join). A join
 * opens a couple of dozen connections at 50 nodes, so this is the floor under
 * formation time in one process. Also reports the CPU of starting a node.
 *
 *   node dist/scripts/connection-cost.js [--stack bare|toyrrent] [--nodes 60]
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { createToyrrentNode } from '../src/node.ts'
import { round } from './lib/stats.ts'
import type { Libp2p } from '@libp2p/interface'

const { values: args } = parseArgs({ options: { stack: { type: 'string', default: 'bare' }, nodes: { type: 'string', default: '60' } } })
const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const WARM_UP = 5

async function node (stack: string): Promise<{ libp2p: Libp2p, stop(): Promise<void> }> {
  if (stack === 'toyrrent') return createToyrrentNode({ listen: LISTEN, autoJoin: false })
  const libp2p = await createLibp2p({ addresses: { listen: LISTEN }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], services: { identify: identify() }, connectionMonitor: { enabled: false } })
  return { libp2p, stop: async () => libp2p.stop() }
}

async function main (): Promise<void> {
  const n = Number(args.nodes)
  const nodes = []
  const startCpu = process.cpuUsage()
  for (let i = 0; i < n; i++) nodes.push(await node(String(args.stack)))
  const started = process.cpuUsage(startCpu)
  const [dialer, ...others] = nodes
  for (const other of others.slice(0, WARM_UP)) await dialer.libp2p.dial(other.libp2p.getMultiaddrs()[0])
  const measured = others.slice(WARM_UP)
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (const other of measured) await dialer.libp2p.dial(other.libp2p.getMultiaddrs()[0])
  // identify and the other per-connection work finish after the dial resolves
  await new Promise(resolve => setTimeout(resolve, 500))
  const used = process.cpuUsage(cpu)
  process.stdout.write(JSON.stringify({
    stack: args.stack,
    cpuMsPerNodeStart: round((started.user + started.system) / 1000 / n, 1),
    connections: measured.length,
    cpuMsPerConnection: round((used.user + used.system) / 1000 / measured.length, 1),
    wallMsPerDial: round((performance.now() - start - 500) / measured.length, 1),
    loadavg: os.loadavg().map(x => round(x, 2))
  }) + '\n')
  await Promise.all(nodes.map(async x => x.stop()))
}

main().then(() => { process.exit(0) }, err => {
  process.stderr.write(`connection-cost: ${err.stack ?? err}\n`)
  process.exit(1)
})
