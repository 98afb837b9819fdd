/**
 * The rules for the RPC on a limited connection (a circuit relay v2
 * connection: the relay closes it after its duration or byte budget, 2 min
 * and 128 KiB by default): which requests may travel on one, and whether a
 * frame still fits what the connection has left. Both sides apply them; the
 * wire rules are in protocols/rpc.md ("Limited connections").
 */
import { Frame } from './pb/rpc.ts'
import { LIMITED_MIN_SECONDS_LEFT, LIMITED_RESERVE_BYTES } from '../constants.ts'
import type { Connection } from '@libp2p/interface'

/** Requests whose answers are small and that a lookup or a small read needs. */
const SERVED_ON_LIMITED = new Set<Frame.Type>([Frame.Type.FIND_BEFORE_N, Frame.Type.FETCH])

export function isLimited (connection: Connection): boolean {
  return connection.limits != null
}

/** Every open connection of these is limited: a peer we reach only through a relay (none open: not relayed). */
export function relayedOnly (connections: Connection[]): boolean {
  const open = connections.filter(c => c.status === 'open')
  return open.length > 0 && open.every(isLimited)
}

export function servedOnLimited (type: Frame.Type | undefined): boolean {
  return type != null && SERVED_ON_LIMITED.has(type)
}

/**
 * The connection can still carry `bytes` more and keep its reserve, and has
 * time left. `limits.bytes` is what remains of the relay's budget (both
 * directions), kept current by the relay transport.
 */
export function fitsLimits (connection: Connection, bytes: number): boolean {
  const limits = connection.limits
  if (limits == null) return true
  if (limits.seconds != null && limits.seconds < LIMITED_MIN_SECONDS_LEFT) return false
  return limits.bytes == null || limits.bytes >= BigInt(bytes + LIMITED_RESERVE_BYTES)
}

/** Why a request is refused on a limited connection, for the BUSY answer's message. */
export function limitedRefusal (type: Frame.Type | undefined, answerBytes?: number): string {
  if (!servedOnLimited(type)) return `${String(type)} is not served on a limited (relayed) connection: only FIND_BEFORE_N and FETCH; ask over a direct connection`
  return `an answer of ${answerBytes ?? '?'} bytes does not fit this limited (relayed) connection; ask over a direct connection`
}
