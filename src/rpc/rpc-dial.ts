/**
 * The RPC's own dials, marked for whoever wants to tell them apart: the
 * node's identify policy (src/node/identify-policy.ts) skips identifying a
 * connection the RPC dialled off the internet. A libp2p service registered
 * as `identifyPolicy` with an `rpcDial` method is asked to run the dial;
 * without one the dial just runs.
 */
import type { PeerId } from '@libp2p/interface'

/** What the RPC needs of a service that marks its dials. */
export interface RpcDialMarker {
  rpcDial<T>(peer: PeerId, dial: () => Promise<T>): Promise<T>
}

function markerOf (components: object): RpcDialMarker | undefined {
  try {
    // libp2p's components throw on a missing service; test components lack it
    const marker = (components as { identifyPolicy?: Partial<RpcDialMarker> }).identifyPolicy
    return typeof marker?.rpcDial === 'function' ? marker as RpcDialMarker : undefined
  } catch {
    return undefined
  }
}

/** Run `dial` as the RPC's own dial to `peer`. */
export async function rpcDial<T> (components: object, peer: PeerId, dial: () => Promise<T>): Promise<T> {
  const marker = markerOf(components)
  return marker == null ? await dial() : await marker.rpcDial(peer, dial)
}
