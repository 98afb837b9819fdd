/**
 * A network of real toyrrent nodes in this process, on 127.0.0.1 over TCP,
 * each bootstrapped from an earlier one and then refreshed so every node has
 * looked itself up once the network is whole.
 */
import { createToyrrentNode } from '../../src/node.ts'
import { peerPosition, sortByDistance } from '../../src/keyspace.ts'
import type { ToyrrentNode, ToyrrentNodeOptions } from '../../src/node.ts'

export interface Testnet {
  nodes: ToyrrentNode[]
  add(options?: ToyrrentNodeOptions): Promise<ToyrrentNode>
  stop(): Promise<void>
}

export function dialAddr (node: ToyrrentNode): string {
  const addr = node.libp2p.getMultiaddrs().find(a => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr == null) throw new Error('node has no loopback address')
  return addr.toString()
}

/** The nodes nearest to `key` by XOR distance, nearest first (the first R are its replica set). */
export function nearestNodes (nodes: ToyrrentNode[], key: Uint8Array, count = nodes.length): ToyrrentNode[] {
  return sortByDistance(key, [...nodes], n => peerPosition(n.libp2p.peerId)).slice(0, count)
}

export async function createTestnet (size: number, options: ToyrrentNodeOptions = {}): Promise<Testnet> {
  const nodes: ToyrrentNode[] = []
  const add = async (extra: ToyrrentNodeOptions = {}): Promise<ToyrrentNode> => {
    const bootstrap = nodes.length === 0 ? [] : [dialAddr(nodes[Math.floor(Math.random() * nodes.length)])]
    // a whole test network stops at once, so nobody is left to hand items to
    const node = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, leaveTimeoutMs: 0, ...options, ...extra })
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
