/** `node.connect()`: dial a peer, wait for identify, join through it. */
import { logger } from '@libp2p/logger'
import { inTable, peerIdOf, tableSize } from './table.ts'
import { InsufficientPeersError } from '../errors.ts'
import { DIAL_TIMEOUT_MS } from '../constants.ts'
import type { ConnectResult, ToyrrentLibp2p } from './types.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('toyrrent:node')

/** connect(): how long to wait for identify to say what a freshly dialled peer speaks. */
const IDENTIFY_WAIT_MS = 5000

/**
 * Dial a peer, wait until identify tells us what it speaks (the service
 * learns toyrrent peers from it), then join: our self lookup now goes
 * through the new peer, and we take over the items we are among the R
 * nearest for.
 */
export async function connectTo (libp2p: ToyrrentLibp2p, protocol: string, addr: Multiaddr, signal?: AbortSignal): Promise<ConnectResult> {
  const deadline = AbortSignal.any([...(signal == null ? [] : [signal]), AbortSignal.timeout(DIAL_TIMEOUT_MS)])
  const named = peerIdOf(addr)
  // listen before dialling: identify may finish before dial() returns
  const identified = new Set<string>()
  const onIdentify = (evt: CustomEvent<{ peerId: PeerId }>): void => { identified.add(evt.detail.peerId.toString()) }
  libp2p.addEventListener('peer:identify', onIdentify)
  let peerId: PeerId
  try {
    try {
      peerId = (await libp2p.dial(addr, { signal: deadline })).remotePeer
    } catch (err: any) {
      throw new InsufficientPeersError(`could not connect to ${addr.toString()}: ${err.message}`)
    }
    if (named != null && peerId.toString() !== named) throw new InsufficientPeersError(`${addr.toString()} answered as ${peerId.toString()}`)
    // identify runs once per connection: a peer identified before has its protocols in the peer store
    const speaks = async (): Promise<boolean> => {
      try {
        return (await libp2p.peerStore.get(peerId)).protocols.includes(protocol)
      } catch {
        return false
      }
    }
    const until = Date.now() + IDENTIFY_WAIT_MS
    while (!identified.has(peerId.toString()) && !(await speaks()) && Date.now() < until && !deadline.aborted) {
      await new Promise(resolve => setTimeout(resolve, 20)) // polls for identify's answer, within IDENTIFY_WAIT_MS
    }
  } finally {
    libp2p.removeEventListener('peer:identify', onIdentify)
  }
  try {
    await libp2p.services.toyrrent.join({ signal })
  } catch (err: any) {
    log('join after connecting to %p failed: %s', peerId, err.message)
  }
  return { peerId, joined: inTable(libp2p, peerId), peers: tableSize(libp2p) }
}
