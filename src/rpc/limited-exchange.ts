/**
 * The RPC on a limited (relayed) connection, client side: one request on a
 * stream of its own (send, half-close, read the one answer, capped at
 * LIMITED_ANSWER_BYTES), and the wait for a direct connection that anything
 * else needs: a dial of the peer's direct addresses, while DCUtR may upgrade
 * the relayed connection by itself, within the request's deadline.
 */
import { Frame } from './pb/rpc.ts'
import { FrameStream } from './frame-stream.ts'
import { openUnnegotiated, proposal, readAcceptance } from './optimistic-select.ts'
import { isLimited } from './limited.ts'
import { sleep } from '../signals.ts'
import { DirectConnectionNeededError, ProtocolError } from '../errors.ts'
import { DEFAULT_FRAME_TIMEOUT_MS, LIMITED_ANSWER_BYTES } from '../constants.ts'
import type { Exchange } from './channel.ts'
import type { Connection, PeerId, PeerStore } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A begun answer frame must be whole within this long; the request's own deadline is shorter and ends it first. */
const FRAME_DEADLINE_MS = DEFAULT_FRAME_TIMEOUT_MS

/** Send `frame` on its own stream over the limited `connection` and read its answer. */
export async function exchangeOnLimited (connection: Connection, protocol: string, frame: Partial<Frame>, signal: AbortSignal, options: { optimisticSelect?: boolean } = {}): Promise<Exchange> {
  signal.throwIfAborted()
  // the protocol proposed with the request (rpc/optimistic-select.ts): one round trip, not two, over the relay
  const raw = options.optimisticSelect === false ? undefined : await openUnnegotiated(connection, protocol)
  const stream = raw ?? await connection.newStream(protocol, { signal, runOnLimitedConnection: true })
  const frames = new FrameStream(stream, { maxDataLength: LIMITED_ANSWER_BYTES, maxBufferSize: 2 * LIMITED_ANSWER_BYTES })
  const onAbort = (): void => { stream.abort(signal.reason) }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const request = Frame.encode({ ...frame, id: 1n, response: false })
    if (raw != null) stream.send(proposal(protocol))
    frames.send(request)
    await stream.close({ signal })
    // no idle deadline here: the request's signal bounds the wait (and aborts the stream); a begun
    // answer must be whole within the request's deadline (a timer, so at most 2^31 - 1 ms)
    if (raw != null) await acceptance(frames, protocol)
    const read = await frames.read({ frameTimeout: FRAME_DEADLINE_MS })
    if (!('frame' in read)) throw new ProtocolError('limited rpc stream ended without an answer')
    const response = Frame.decode(read.frame)
    if (!response.response || response.id !== 1n) throw new ProtocolError('limited rpc stream answered with something else than the response')
    return { response, bytes: request.byteLength + read.frame.byteLength }
  } catch (err: any) {
    stream.abort(err)
    throw signal.aborted ? signal.reason : err
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** The peer's acceptance of our optimistic proposal, read in front of its answer. */
async function acceptance (frames: FrameStream, protocol: string): Promise<void> {
  await readAcceptance(async () => {
    const read = await frames.read({ frameTimeout: FRAME_DEADLINE_MS })
    if (!('frame' in read)) throw new ProtocolError('stream ended')
    return read.frame
  }, protocol)
}

/** How often the wait for a direct connection looks whether DCUtR made one. */
const DIRECT_POLL_MS = 100

/**
 * A direct (unlimited) connection to `peer`: an open one, else one dialled to
 * its direct addresses, else one DCUtR opens meanwhile; throws
 * DirectConnectionNeededError when none exists by the time `signal` aborts.
 */
export async function directConnection (connectionManager: ConnectionManager, peerStore: PeerStore, peer: PeerId, signal: AbortSignal): Promise<Connection> {
  const open = (): Connection | undefined => connectionManager.getConnections(peer).find(c => c.status === 'open' && !isLimited(c))
  let found = open()
  if (found != null) return found
  const addrs = await directAddrs(peerStore, peer)
  let dialled: Connection | undefined
  // settles once, then drops out of the race below
  let dialling: Promise<void> | undefined = addrs.length === 0
    ? undefined
    : connectionManager.openConnection(addrs, { signal }).then(c => { dialled = c }, () => {}).finally(() => { dialling = undefined })
  while (!signal.aborted) {
    found = open() ?? (dialled != null && !isLimited(dialled) && dialled.status === 'open' ? dialled : undefined)
    if (found != null) return found
    await Promise.race([sleep(DIRECT_POLL_MS, signal).catch(() => {}), ...(dialling == null ? [] : [dialling])])
    if (dialled != null && isLimited(dialled)) dialled = undefined
  }
  throw new DirectConnectionNeededError(`no direct connection to ${peer.toString()} (only a relayed one, which carries only FIND_BEFORE_N and FETCH)`)
}

/** The peer's known addresses that lead to it without a relay, each ending in /p2p/<peer>. */
async function directAddrs (peerStore: PeerStore, peer: PeerId): Promise<Multiaddr[]> {
  try {
    return (await peerStore.get(peer)).addresses
      .map(a => a.multiaddr)
      .filter(ma => !ma.getComponents().some(c => c.name === 'p2p-circuit'))
      .map(ma => ma.getComponents().some(c => c.name === 'p2p') ? ma : ma.encapsulate(`/p2p/${peer.toString()}`))
  } catch {
    return []
  }
}
