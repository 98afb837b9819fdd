/**
 * The libp2p modules a node loads only when its options use them: UPnP
 * (a NATed node, or --upnp), mDNS (--mdns) and the private-network protector
 * (a swarm key). Loaded on demand because each costs memory for the life of
 * the process even unused: UPnP alone brings an XML parser and an ESM import
 * of node:http, whose ESM facade reads every export and so loads Node's whole
 * fetch implementation (undici).
 */
import type { uPnPNAT } from '@libp2p/upnp-nat'
import type { mdns } from '@libp2p/mdns'
import type { preSharedKey } from '@libp2p/pnet'
import type { NodePlan } from './plan.ts'
import type { ToyrrentNodeOptions } from './types.ts'

export interface OptionalModules {
  upnp?: typeof uPnPNAT
  mdns?: typeof mdns
  preSharedKey?: typeof preSharedKey
}

/** UPnP runs when asked, or by default for an auto-mode node behind a NAT. */
export function wantsUpnp (options: ToyrrentNodeOptions, plan: NodePlan): boolean {
  return options.upnp ?? (plan.modes.setting === 'auto' && plan.natted)
}

export async function loadOptionalModules (options: ToyrrentNodeOptions, plan: NodePlan): Promise<OptionalModules> {
  const [upnp, mdnsModule, pnet] = await Promise.all([
    wantsUpnp(options, plan) ? import('@libp2p/upnp-nat') : undefined,
    options.mdns === true ? import('@libp2p/mdns') : undefined,
    plan.psk == null ? undefined : import('@libp2p/pnet')
  ])
  return { upnp: upnp?.uPnPNAT, mdns: mdnsModule?.mdns, preSharedKey: pnet?.preSharedKey }
}
