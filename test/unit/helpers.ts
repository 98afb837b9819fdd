/**
 * Small fakes for the unit tier: peers with real ids and positions, a
 * deadline-bounded wait, and a promise that can be settled from outside.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { peerPosition } from '../../src/keyspace.ts'
import type { FoundPeer } from '../../src/found-peer.ts'
import type { PeerId } from '@libp2p/interface'

export { waitFor } from '../helpers/wait.ts'

export async function randomPeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** `count` peers with fresh ids, their real positions and no addresses. */
export async function randomPeers (count: number): Promise<FoundPeer[]> {
  return Promise.all(Array.from({ length: count }, async () => {
    const peerId = await randomPeerId()
    return { peerId, multiaddrs: [], position: peerPosition(peerId) }
  }))
}

/** A position whose first byte is `first` and the rest `rest` (positions placed by hand). */
export function position (first: number, rest = 0): Uint8Array {
  const out = new Uint8Array(32).fill(rest)
  out[0] = first
  return out
}

/** Settle `promise` or fail after `ms`: a test that waits for something never hangs the suite. */
export async function within<T> (ms: number, promise: Promise<T>, what = 'the operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`${what} did not settle within ${ms} ms`)) }, ms)
    })])
  } finally {
    clearTimeout(timer)
  }
}
