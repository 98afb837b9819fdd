/**
 * Redundancy figures, printed as JSON: bytes a repair round costs on a network
 * where nothing is missing (with N and 4N items, so growth with the item count
 * shows), time to heal after two nodes crash, and onboarding handoff
 * throughput when a node joins. In-process nodes on 127.0.0.1; bounded.
 *
 *   npm run build && node dist/scripts/redundancy-bench.js [--nodes 12] [--items 500]
 */
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { createTestnet } from '../src/testing/index.ts'
import { nearestN, peerPosition } from '../src/keyspace.ts'
import type { ToyrrentNode } from '../src/node.ts'
import { internals } from '../src/service/toyrrent.ts'

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '12' }, items: { type: 'string', default: '500' } } })
const nodes = Number(values.nodes)
const items = Number(values.items)
const R = 3

const net = await createTestnet(nodes, { repairInterval: 0, trialPeriod: 0 })
const keys: Uint8Array[] = []
const putMany = async (count: number): Promise<void> => {
  for (let i = 0; i < count; i += 16) {
    await Promise.all(Array.from({ length: Math.min(16, count - i) }, async (_, j) => {
      const { key } = await net.nodes[(i + j) % net.nodes.length].toyrrent.put(randomBytes(1024))
      keys.push(key)
    }))
  }
}
const repairAll = async (): Promise<void> => { await Promise.all(net.nodes.map(async n => n.toyrrent.repair())) }
const quietRoundBytes = async (): Promise<number> => {
  await repairAll()
  await repairAll()
  return net.nodes.reduce((sum, n) => sum + n.toyrrent.stats().repair.lastRoundBytes, 0)
}
const onNearest = (list: ToyrrentNode[]): boolean => keys.every(key => nearestN(key, list, list.length, n => peerPosition(n.libp2p.peerId))
  .slice(0, R).every(n => n.toyrrent[internals].store.has(key)))

try {
  await putMany(items)
  const bytesN = await quietRoundBytes()
  await putMany(items * 3)
  const bytes4N = await quietRoundBytes()

  const crashed = net.nodes.splice(2, 2)
  await Promise.all(crashed.map(async n => n.stop()))
  const healStart = performance.now()
  let rounds = 0
  while (!onNearest(net.nodes) && rounds < 20) { await repairAll(); rounds++ }
  const healMs = performance.now() - healStart

  const joinStart = performance.now()
  const newcomer = await net.add()
  const joinMs = performance.now() - joinStart
  const taken = newcomer.toyrrent[internals].store.size
  const bytes = newcomer.toyrrent[internals].store.bytes

  console.log(JSON.stringify({
    bench: 'toyrrent redundancy',
    nodes,
    repairRoundBytes: { items: keys.length / 4, allNodes: bytesN, perNode: Math.round(bytesN / nodes) },
    repairRoundBytes4x: { items: keys.length, allNodes: bytes4N, perNode: Math.round(bytes4N / nodes) },
    healAfterTwoCrashes: { rounds, ms: Math.round(healMs), everyItemOnItsNearest: onNearest(net.nodes) },
    onboardingHandoff: { items: taken, bytes, ms: Math.round(joinMs), itemsPerSecond: Math.round(taken / (joinMs / 1000)), mibPerSecond: Number((bytes / 1048576 / (joinMs / 1000)).toFixed(2)) }
  }, null, 2))
} finally {
  await net.stop()
}
