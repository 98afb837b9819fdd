/**
 * The in-memory network's transport: a node's request frames carried to
 * other nodes of the network (see memory-network.ts), and the errors a
 * request meets when its target cannot be reached.
 */
import type { ExchangeOptions, FrameTransport } from '../rpc/client.ts'
import type { Exchange } from '../rpc/channel.ts'
import type { Frame } from '../rpc/pb/rpc.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { PeerId } from '@libp2p/interface'

/** The target could not be reached at all: down, removed, stopped, or across a partition. */
export class ConnectionRefusedError extends Error {
  static override name = 'ConnectionRefusedError'
  override name = 'ConnectionRefusedError'
  readonly code = 'ECONNREFUSED'
}

/** The target went down while a request to it was in flight. */
export class ConnectionResetError extends Error {
  static override name = 'ConnectionResetError'
  override name = 'ConnectionResetError'
  readonly code = 'ECONNRESET'
}

/** Latency of one exchange in ms: a number, or one per pair of nodes. */
export type Delay = number | ((from: PeerId, to: PeerId) => number)

/** What a MemoryTransport sends through: the network's exchange between two of its nodes. */
export interface FrameCarrier {
  exchange(from: PeerId, to: PeerId, frame: Partial<Frame>, options: ExchangeOptions): Promise<Exchange>
  /** Have the two nodes "connected" (and not been disconnected since)? */
  isLinked(from: PeerId, to: PeerId): boolean
}

/** Carries one node's request frames to other nodes of a memory network. */
export class MemoryTransport implements FrameTransport {
  private readonly network: FrameCarrier
  private readonly self: PeerId

  constructor (network: FrameCarrier, self: PeerId) {
    this.network = network
    this.self = self
  }

  async exchange (peer: FoundPeer, frame: Partial<Frame>, options: ExchangeOptions): Promise<Exchange> {
    return this.network.exchange(this.self, peer.peerId, frame, options)
  }

  isOpen (peer: PeerId): boolean {
    return this.network.isLinked(this.self, peer)
  }

  /** Nothing is held open between exchanges. */
  close (): void {}
}
