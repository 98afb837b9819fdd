/**
 * Coming back after a graceful leave. The peers told LEAVE (leave-notice.ts)
 * keep us out of their tables and lookups until we connect to them anew or
 * DEPARTED_MEMORY_MS passes (departed-peers.ts). A node that restarts within
 * that time reaches only the few peers its join happens to contact; the
 * others would go on leaving it out for minutes, reading and placing items
 * as if it were gone (a rolling restart lost items that way: readers whose
 * tables lacked all R holders asked the next nearest, which had handed
 * their copies back). So the leave keeps the list of peers it told in the
 * datastore, and the next start dials each of them back: a new connection
 * ends its mark there at once. The list is used once.
 */
import { Key } from 'interface-datastore'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { REMEMBERED_DIAL_TIMEOUT_MS } from '../constants.ts'
import { DEPARTED_MEMORY_MS } from './departed-peers.ts'
import { deadlineSignal } from '../signals.ts'
import { eachBounded } from '../each-bounded.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { ToyrrentComponents } from './types.ts'
import type { PeerId } from '@libp2p/interface'

/** Where the leave keeps the peers it told, until the next start. */
export const LEFT_KEY = new Key('/toyrrent/left')
/** Dials in flight at once when coming back. */
export const RETURN_DIAL_CONCURRENCY = 16
/** At most this many peers are kept (a leave tells the table and the connected peers: far fewer). */
export const MAX_RETURN_PEERS = 1024

interface LeftRecord {
  /** Unix ms of the leave. */
  at: number
  peers: Array<{ id: string, addrs: string[] }>
}

type Components = Pick<ToyrrentComponents, 'datastore' | 'connectionManager' | 'peerStore'>

/** After a leave's notice: keep the peers it went to. Best effort: a failed write is only a slower return. */
export async function rememberLeave (components: Pick<ToyrrentComponents, 'datastore'>, told: FoundPeer[], clock: Clock = systemClock): Promise<void> {
  if (told.length === 0) return
  const record: LeftRecord = {
    at: clock.now(),
    peers: told.slice(0, MAX_RETURN_PEERS).map(p => ({ id: p.peerId.toString(), addrs: p.multiaddrs.map(String) }))
  }
  try {
    await components.datastore.put(LEFT_KEY, new TextEncoder().encode(JSON.stringify(record)))
  } catch {}
}

export interface ReturnResult {
  /** Peers told at the leave that were not connected now. */
  dialled: number
  /** Of those, connected after the dial. */
  reached: number
  /** Why the first dial that failed failed (none when all connected). */
  firstError?: string
}

/**
 * On a start after a graceful leave less than `memoryMs` ago: dial back every
 * peer the leave told, not connected yet, each within `dialTimeoutMs`.
 * Undefined when there was no such leave. Never throws.
 */
export async function announceReturn (components: Components, signal: AbortSignal, options: { clock?: Clock, memoryMs?: number, dialTimeoutMs?: number } = {}): Promise<ReturnResult | undefined> {
  const clock = options.clock ?? systemClock
  const record = await takeRecord(components)
  if (record == null || clock.now() - record.at >= (options.memoryMs ?? DEPARTED_MEMORY_MS)) return undefined
  const toDial = record.peers.filter(p => components.connectionManager.getConnections(p.peerId).length === 0)
  let reached = 0
  let firstError: string | undefined
  await eachBounded(toDial, RETURN_DIAL_CONCURRENCY, signal, async ({ peerId, addrs }) => {
    try {
      // the addresses it had then, beside what the peer store knows now: either may be the live one
      if (addrs.length > 0) await components.peerStore.merge(peerId, { multiaddrs: addrs.map(a => multiaddr(a)) })
      await components.connectionManager.openConnection(peerId, { signal: deadlineSignal([signal], options.dialTimeoutMs ?? REMEMBERED_DIAL_TIMEOUT_MS, clock) })
      reached++
    } catch (err: any) {
      firstError ??= `${peerId}: ${err?.message ?? err}`
    }
  })
  return { dialled: toDial.length, reached, ...(firstError == null ? {} : { firstError }) }
}

/** The kept record, removed as it is read (it is used once); undefined when none or unreadable. */
async function takeRecord (components: Pick<ToyrrentComponents, 'datastore'>): Promise<{ at: number, peers: Array<{ peerId: PeerId, addrs: string[] }> } | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await components.datastore.get(LEFT_KEY)
  } catch {
    return undefined
  }
  try {
    await components.datastore.delete(LEFT_KEY)
  } catch {}
  try {
    const record = JSON.parse(new TextDecoder().decode(bytes)) as LeftRecord
    if (typeof record.at !== 'number' || !Array.isArray(record.peers)) return undefined
    const peers = []
    for (const p of record.peers.slice(0, MAX_RETURN_PEERS)) {
      try {
        peers.push({ peerId: peerIdFromString(p.id), addrs: p.addrs.filter(a => typeof a === 'string') })
      } catch {}
    }
    return { at: record.at, peers }
  } catch {
    return undefined
  }
}
