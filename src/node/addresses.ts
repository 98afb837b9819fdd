/** Reading the addresses a node is given, and what they say about where it runs. */
import { networkInterfaces } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import { isPublicAddr } from '../reachability/reachability.ts'
import { InvalidInputError } from '../errors.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/** This host has an interface address on the internet (then it needs no relay to be reached). */
export function hasInternetInterface (): boolean {
  return Object.values(networkInterfaces()).flat().some(i => i != null && !i.internal &&
    isPublicAddr(multiaddr(`/${i.family === 'IPv4' ? 'ip4' : 'ip6'}/${i.address}/tcp/1`)))
}

export function isQuicAddr (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'quic-v1' || c.name === 'quic')
}

export function parseMultiaddr (text: string, what: string): Multiaddr {
  try {
    return multiaddr(text)
  } catch (err: any) {
    throw new InvalidInputError(`invalid ${what} multiaddr "${text}": ${err.message}`)
  }
}

/** A bootstrap address must name the peer, so the Noise handshake can check who answered. */
export function parseDialAddr (text: string): Multiaddr {
  const ma = parseMultiaddr(text, 'bootstrap')
  if (ma.getComponents().find(c => c.name === 'p2p') == null) {
    throw new InvalidInputError(`bootstrap multiaddr "${text}" must end in /p2p/<peer id>`)
  }
  return ma
}
