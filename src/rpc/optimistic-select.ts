/**
 * Optimistic protocol selection (issue 13; go-libp2p and rust-libp2p do the
 * same, "lazy" multistream-select): a new RPC stream sends the
 * multistream-select header, its one protocol and its first request frame
 * together, and reads the peer's acceptance in front of the first answer,
 * instead of waiting one round trip for the acceptance before the first
 * request leaves.
 *
 * libp2p 3 declares `negotiateFully: false` for this in NewStreamOptions, but
 * its multistream-select (7.0.x) ignores it: `connection.newStream` always
 * waits for the answer. So the stream is made on the connection's muxer
 * directly and the bytes are the ones `newStream` would send, unchanged on the
 * wire: `<varint>/multistream/1.0.0\n<varint><protocol>\n`, then frames.
 * The responder is an ordinary multistream-select listener: it answers the
 * header and the protocol (or `na`) and hands the stream, with the frames
 * already buffered, to its handler.
 *
 * A peer without the protocol answers `na` and resets the stream when it
 * reads our frame as its next proposal (not a newline-ended string): the
 * channel then fails with UnsupportedProtocolError naming the protocol.
 */
import { UnsupportedProtocolError } from '@libp2p/interface'
import { concat } from 'uint8arrays/concat'
import { encodeVarint } from './frame-stream.ts'
import type { Connection, Stream } from '@libp2p/interface'

export const MULTISTREAM_ID = '/multistream/1.0.0'

interface MuxerLike {
  status: string
  createStream(options?: { protocol?: string }): Promise<Stream>
}

/**
 * A new outbound stream on `connection` with nothing negotiated yet, or
 * undefined when the connection does not expose its muxer (not libp2p's own
 * Connection class): the caller then opens one with `newStream`.
 * The stream's `protocol` is set to `protocol` (what libp2p's stream limits and logs read).
 */
export async function openUnnegotiated (connection: Connection, protocol: string): Promise<Stream | undefined> {
  // libp2p's Connection keeps its muxer in a (TypeScript-)private field; another shape → the ordinary way
  const muxer = (connection as unknown as { muxer?: MuxerLike }).muxer
  if (muxer == null || typeof muxer.createStream !== 'function' || muxer.status !== 'open' || connection.status !== 'open') return undefined
  const stream = await muxer.createStream()
  stream.protocol = protocol
  return stream
}

/** The multistream-select header and `protocol`, each length-prefixed and newline-ended, as one buffer. */
export function proposal (protocol: string): Uint8Array {
  return concat([MULTISTREAM_ID, protocol].map(s => new TextEncoder().encode(`${s}\n`)).flatMap(b => [encodeVarint(b.byteLength), b]))
}

/**
 * Check the two messages a multistream-select listener answers our proposal
 * with (`read` gives one length-prefixed message each call): its header,
 * then `protocol` accepted. Throws UnsupportedProtocolError otherwise, also
 * when the stream ends first (a peer without the protocol answers `na`, then
 * resets when it reads our request as its next proposal).
 */
export async function readAcceptance (read: () => Promise<Uint8Array>, protocol: string): Promise<void> {
  let said = 0
  const next = async (): Promise<string> => {
    try {
      const message = text(await read())
      said++
      return message
    } catch (err: any) {
      throw new UnsupportedProtocolError(`stream ended before the peer accepted protocol ${protocol} (${said} of 2 answers read: ${err.message}); it may not support it`)
    }
  }
  const header = await next()
  if (header !== MULTISTREAM_ID) throw new UnsupportedProtocolError(`peer did not answer multistream-select (sent "${clip(header)}") for ${protocol}`)
  const answer = await next()
  if (answer === 'na') throw new UnsupportedProtocolError(`peer does not support protocol ${protocol}`)
  if (answer !== protocol) throw new UnsupportedProtocolError(`peer answered "${clip(answer)}" to a proposal of ${protocol}`)
}

function text (bytes: Uint8Array): string {
  const s = new TextDecoder().decode(bytes)
  return s.endsWith('\n') ? s.slice(0, -1) : `${s} (no newline)`
}

function clip (s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s
}
