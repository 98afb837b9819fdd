/**
 * Yamux window updates at half a window, not after every data frame.
 * @chainsafe/libp2p-yamux 8 answers every data frame it receives with a
 * window update for the bytes in it, so each RPC request and each answer
 * drew a 12-byte frame back: one more Noise message to encrypt and decrypt,
 * one more socket write, one more frame to parse (3.9 % of a 50-node
 * formation's CPU; every small message on a connection doubled). Here a
 * stream sends an update, as go-yamux does, once it has received half of
 * its receive window since the last one, or when the update carries a flag
 * (the SYN or ACK that opens a stream); the window sizes and their growth
 * are yamux's own. A sender always has at least half a window left before
 * it would wait, so it never stalls on an update held back. The bytes of
 * each frame are unchanged; only fewer window updates go out.
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import { StreamState } from '@chainsafe/libp2p-yamux/stream'
import type { YamuxMuxerInit } from '@chainsafe/libp2p-yamux'
import type { StreamMuxerFactory } from '@libp2p/interface'

/** What this module reads of a yamux stream (fields of YamuxStream, public in its typings). */
interface WindowedStream {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
  sendWindowUpdate(): void
}

/** Stream states whose next frame carries no flag (getSendFlags gives 0): a plain window update may wait. */
const NO_FLAG_STATES = new Set([StreamState.SYNSent, StreamState.Established, StreamState.Finished])

/** `stream`, sending window updates only past half a window (or with a flag, or as yamux does when paused). */
export function halfWindowUpdates<T extends WindowedStream> (stream: T): T {
  const send = stream.sendWindowUpdate.bind(stream)
  stream.sendWindowUpdate = () => {
    if (NO_FLAG_STATES.has(stream.state) && stream.recvWindow - stream.recvWindowCapacity < stream.recvWindow / 2) return
    send()
  }
  return stream
}

/** yamux() as libp2p's `streamMuxers` entry, whose streams send window updates at half a window. */
export function toyrrentYamux (init: YamuxMuxerInit = {}): () => StreamMuxerFactory {
  const make = yamux(init)
  return () => {
    const factory = make()
    return Object.assign(Object.create(factory) as StreamMuxerFactory, {
      createStreamMuxer: (connection: Parameters<StreamMuxerFactory['createStreamMuxer']>[0]) => {
        const muxer = factory.createStreamMuxer(connection) as unknown as { _newStream(...args: unknown[]): WindowedStream }
        // every stream, inbound and outbound, is made here
        const newStream = muxer._newStream.bind(muxer)
        muxer._newStream = (...args: unknown[]) => halfWindowUpdates(newStream(...args))
        return muxer as unknown as ReturnType<StreamMuxerFactory['createStreamMuxer']>
      }
    })
  }
}
