/**
 * The announcing side of a graceful leave (LEAVE, protocols/rpc.md): once
 * the items are handed on and before connections close, tell every peer of
 * our routing table and every connected peer that speaks the protocol that
 * we leave, so they drop us at once instead of finding out by a failed
 * request (a refusal, or three timeouts). Best effort: a few at a time,
 * connected peers and our nearest first (they hold us among the replica sets
 * of the most keys), all under one short deadline; a peer that does not
 * answer, or an older one that answers UNKNOWN_TYPE, is left alone.
 */
import { nearestPositioned, peerPosition } from '../keyspace.ts'
import { systemClock } from '../clock.ts'
import { deadlineSignal } from '../signals.ts'
import type { Clock } from '../clock.ts'
import type { PeerRpc } from '../rpc/peer-rpc.ts'
import type { PeerTable } from './peer-table.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { PeerId } from '@libp2p/interface'
import { eachBounded } from '../each-bounded.ts'

/** The whole notice's deadline: stopping waits at most this long for it. */
export const LEAVE_NOTICE_MS = 2_000
/** Notices in flight at once. */
export const LEAVE_NOTICE_CONCURRENCY = 16

export interface LeaveNoticeInit {
  rpc: PeerRpc
  table: PeerTable
  /** Connected peers that speak our protocol (they may hold us though our table does not hold them). */
  connectedPeers(): Promise<PeerId[]>
  clock?: Clock
  concurrency?: number
}

export interface LeaveNoticeResult {
  /** Peers to tell: the table's and the connected ones, each once. */
  peers: number
  /** Peers that answered OK (they dropped us). */
  told: number
  /** Older peers that answered UNKNOWN_TYPE (they will find out by a failed request). */
  unknownType: number
  /** Peers that did not answer in time, or refused. */
  failed: number
  /** Every peer a notice was sent to, answered or not (a restart dials them back: leave-return.ts). */
  sent: FoundPeer[]
}

/**
 * Tell our peers we leave. Settles within `timeoutMs` (LEAVE_NOTICE_MS) or
 * when `signal` aborts, whichever comes first; never throws.
 */
export async function announceLeave (init: LeaveNoticeInit, signal?: AbortSignal, timeoutMs = LEAVE_NOTICE_MS): Promise<LeaveNoticeResult> {
  const clock = init.clock ?? systemClock
  const deadline = clock.now() + timeoutMs
  const within = deadlineSignal([signal], timeoutMs, clock)
  const result: LeaveNoticeResult = { peers: 0, told: 0, unknownType: 0, failed: 0, sent: [] }
  let connected: PeerId[] = []
  try {
    connected = await init.connectedPeers()
  } catch {}
  const targets = noticeTargets(init.table, connected)
  result.peers = targets.length
  const sent = await eachBounded(targets, init.concurrency ?? LEAVE_NOTICE_CONCURRENCY, within, async peer => {
    result.sent.push(peer)
    try {
      await init.rpc.leave(peer, { signal: within, timeout: Math.max(1, deadline - clock.now()) })
      result.told++
    } catch (err: any) {
      if (err?.code === 'unknown-type') result.unknownType++
      else result.failed++
    }
  })
  // peers never sent the notice: the deadline came first
  result.failed += targets.length - sent
  return result
}

/** Connected peers first, then the table's, nearest to us first; each once. */
export function noticeTargets (table: PeerTable, connected: PeerId[]): FoundPeer[] {
  const seen = new Set<string>()
  const out: FoundPeer[] = []
  const add = (peer: FoundPeer): void => {
    const key = peer.peerId.toString()
    if (seen.has(key)) return
    seen.add(key)
    out.push(peer)
  }
  for (const peerId of connected) add(table.get(peerId) ?? { peerId, multiaddrs: [], position: peerPosition(peerId) })
  for (const entry of nearestPositioned(table.self, table.all(), Number.MAX_SAFE_INTEGER)) add(entry)
  return out
}
