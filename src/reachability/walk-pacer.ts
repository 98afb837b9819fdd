/**
 * libp2p's random walk (used by relay discovery and AutoNAT to find peers)
 * asks the peer routers for the closest peers of random keys in a loop until
 * it has what it wants. With an empty routing table toyrrent's router answers
 * "none" at once, so that loop spins on microtasks and starves the event loop
 * (no timer, no socket is served again: the node hangs). This router adds no
 * peers; while the table is empty it only makes each walk step last
 * PACE_MS, so the loop yields. With peers in the table it ends at once (the
 * lookups themselves wait on the network).
 */
import { peerRoutingSymbol } from '@libp2p/interface'
import type { AbortOptions, PeerInfo, PeerRouting } from '@libp2p/interface'

const PACE_MS = 1000

export class WalkPacer {
  readonly [Symbol.toStringTag] = '@toyrrent/walk-pacer'
  private readonly tableEmpty: () => boolean

  constructor (tableEmpty: () => boolean) {
    this.tableEmpty = tableEmpty
  }

  get [peerRoutingSymbol] (): Partial<PeerRouting> {
    const tableEmpty = this.tableEmpty
    return {
      async * getClosestPeers (_key: Uint8Array, options: AbortOptions = {}): AsyncGenerator<PeerInfo> {
        if (!tableEmpty()) return
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, PACE_MS)
          options.signal?.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
        })
      }
    }
  }
}
