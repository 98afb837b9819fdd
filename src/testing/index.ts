/**
 * toyrrent/testing: test networks for toyrrent and for applications that
 * embed it.
 *
 * - `createMemoryNetwork(size)`: real toyrrent services on an in-memory
 *   network (no sockets), with faults: nodes down, crashed, leaving,
 *   partitions, latency. Seconds for what takes minutes over TCP.
 * - `createTestnet(size)`: real nodes (the whole libp2p stack) on 127.0.0.1
 *   over TCP, for end-to-end tests.
 *
 * @example
 * ```ts
 * import { createMemoryNetwork } from 'toyrrent/testing'
 *
 * const net = await createMemoryNetwork(10)
 * const { key } = await net.nodes[0].put(new TextEncoder().encode('hello'))
 * console.log(new TextDecoder().decode(await net.nodes[9].get(key))) // hello
 * await net.stop()
 * ```
 */
export { createMemoryNetwork } from './memory-network.ts'
export type { MemoryNetwork, MemoryNetworkOptions, MemoryNetworkStats } from './memory-network.ts'
export { MemoryTransport, ConnectionRefusedError, ConnectionResetError } from './memory-transport.ts'
export type { Delay, FrameCarrier } from './memory-transport.ts'
export { createTestnet, dialAddr, nearestNodes } from './testnet.ts'
export type { Testnet } from './testnet.ts'
