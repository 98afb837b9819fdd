/**
 * What createToyrrentNode decides from its options before libp2p starts:
 * the addresses to listen on and dial, whether QUIC runs, whether the node
 * is on the internet and behind a NAT, and so how many relay slots it holds.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { parseSwarmKey } from '../swarm-key.ts'
import { ModeState } from '../reachability/modes.ts'
import { isPublicAddr } from '../reachability/reachability.ts'
import { hasInternetInterface, isQuicAddr, parseDialAddr, parseMultiaddr } from './addresses.ts'
import { DEFAULT_LISTEN } from '../constants.ts'
import type { ToyrrentNodeOptions } from './types.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Relays a NATed node reserves on by default. */
const DEFAULT_RELAY_RESERVATIONS = 2

export interface NodePlan {
  bootstrapAddrs: Multiaddr[]
  /** The private network's key, when there is one. */
  psk?: Uint8Array
  useQuic: boolean
  /** Listen addresses, with one '/p2p-circuit' per relay reservation. */
  listen: string[]
  announce: string[]
  modes: ModeState
  /** On the internet behind a NAT (not a server by setting, nothing announced, no interface address on the internet). */
  natted: boolean
  /** Keep loopback and private addresses. */
  lan: boolean
}

/** Read and check the options (InvalidInputError for a malformed address or swarm key). */
export function planNode (options: ToyrrentNodeOptions): NodePlan {
  const bootstrapAddrs = (options.bootstrap ?? []).map(parseDialAddr)
  const psk = options.swarmKey == null ? undefined : parseSwarmKey(options.swarmKey)
  // libp2p's private networks wrap a TCP stream; QUIC brings its own encryption and cannot carry one
  const useQuic = (options.quic ?? true) && psk == null
  const announce = (options.announce ?? []).map(a => parseMultiaddr(a, 'announce').toString())
  const onInternet = options.onInternet ?? [...bootstrapAddrs, ...announce.map(a => multiaddr(a))].some(isPublicAddr)
  const modes = new ModeState(options.mode ?? 'auto', { internet: onInternet })
  const natted = modes.setting !== 'server' && onInternet && announce.length === 0 && !hasInternetInterface()
  const reservations = options.relayReservations ?? (natted ? DEFAULT_RELAY_RESERVATIONS : 0)
  const listen = [
    ...(options.listen ?? DEFAULT_LISTEN).map(a => parseMultiaddr(a, 'listen')).filter(a => useQuic || !isQuicAddr(a)).map(String),
    // each '/p2p-circuit' listen address is one reservation on a relay found among our peers
    ...Array.from({ length: reservations }, () => '/p2p-circuit')
  ]
  return { bootstrapAddrs, psk, useQuic, listen, announce, modes, natted, lan: options.lan ?? true }
}
