/**
 * A network of real toyrrent nodes in this process, on 127.0.0.1 over TCP
 * (the whole libp2p stack: Noise, Yamux, identify, ping), each
 * bootstrapped from an earlier one and then refreshed so every node has
 * looked itself up once the network is whole. For end-to-end tests; the
 * in-memory network (memory-network.ts) runs the same service code faster.
 *
 * @example
 * ```ts
 * import { createTestnet, nearestNodes } from 'toyrrent/testing'
 *
 * const net = await createTestnet(5)
 * try {
 *   const { key } = await net.nodes[0].toyrrent.put(new TextEncoder().encode('hello'))
 *   const replica = nearestNodes(net.nodes, key, 1)[0]
 *   console.log(await net.nodes[4].toyrrent.get(key), replica.libp2p.peerId.toString())
 * } finally {
 *   await net.stop()
 * }
 * ```
 */
import { createToyrrentNode } from '../node.ts'
import { nearestN, peerPosition } from '../keyspace.ts'
import type { ToyrrentNode, ToyrrentNodeOptions } from '../node.ts'

export interface Testnet {
  nodes: ToyrrentNode[]
  add(options?: ToyrrentNodeOptions): Promise<ToyrrentNode>
  stop(): Promise<void>
}

/** A node's loopback TCP multiaddr, with its peer id: what another node dials. */
export function dialAddr (node: ToyrrentNode): string {
  const addr = node.libp2p.getMultiaddrs().find(a => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr == null) throw new Error('node has no loopback address')
  return addr.toString()
}

/** The nodes nearest to `key` by XOR distance, nearest first (the first R are its replica set). */
export function nearestNodes (nodes: ToyrrentNode[], key: Uint8Array, count = nodes.length): ToyrrentNode[] {
  return nearestN(key, nodes, count, n => peerPosition(n.libp2p.peerId))
}

/**
 * Start `size` nodes listening on 127.0.0.1 (port 0), each bootstrapped from
 * a random earlier one; `options` apply to every node. Leave handoff is off
 * unless `options` turn it on: a whole test network stops at once.
 */
export async function createTestnet (size: number, options: ToyrrentNodeOptions = {}): Promise<Testnet> {
  const nodes: ToyrrentNode[] = []
  const add = async (extra: ToyrrentNodeOptions = {}): Promise<ToyrrentNode> => {
    const bootstrap = nodes.length === 0 ? [] : [dialAddr(nodes[Math.floor(Math.random() * nodes.length)])]
    // a whole test network stops at once, so nobody is left to hand items to
    const node = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, leaveTimeout: 0, ...options, ...extra })
    nodes.push(node)
    return node
  }
  try {
    for (let i = 0; i < size; i++) await add()
    // a second round of self-lookups once everyone exists fills the tables near each node
    await Promise.all(nodes.map(async n => n.toyrrent.refresh()))
  } catch (err) {
    await Promise.allSettled(nodes.map(async n => n.stop()))
    throw err
  }
  return {
    nodes,
    add,
    async stop () { await Promise.allSettled(nodes.map(async n => n.stop())) }
  }
}
