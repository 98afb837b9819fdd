/**
 * A Helia node whose libp2p carries the toyrrent service (TCP on 127.0.0.1,
 * Noise, Yamux, identify) and no other router or block broker: whatever it
 * publishes, resolves or reads goes through toyrrent. Helia makes its libp2p
 * when it starts, so the block broker finds the service then.
 */
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { multiaddr } from '@multiformats/multiaddr'
import { toyrrent } from '../../src/index.ts'
import { toyrrentBlockBroker } from '../../src/helia/index.ts'
import type { Toyrrent, ToyrrentInit } from '../../src/index.ts'
import type { Helia } from '@helia/interface'
import type { Libp2p } from '@libp2p/interface'

export type ToyrrentHelia = Helia & { libp2p: Libp2p<{ toyrrent: Toyrrent, identify: unknown }> }

/** Start a Helia node on toyrrent and join the network through `bootstrap` (a multiaddr with /p2p/). */
export async function createToyrrentHelia (bootstrap: string, init: ToyrrentInit = {}): Promise<ToyrrentHelia> {
  const helia: ToyrrentHelia = withLibp2pLight(createHeliaLight({
    blockBrokers: [toyrrentBlockBroker({ toyrrent: () => helia.libp2p.services.toyrrent })]
  }), {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      toyrrent: toyrrent({ leaveTimeout: 0, ...init })
    }
  })
  await helia.start()
  try {
    await helia.libp2p.dial(multiaddr(bootstrap), { signal: AbortSignal.timeout(10_000) })
    await helia.libp2p.services.toyrrent.join({ signal: AbortSignal.timeout(20_000) })
  } catch (err) {
    await helia.stop()
    throw err
  }
  return helia
}
