/**
 * A raw RPC stream for hostile-input and conformance tests: writes whatever
 * bytes it is given to '/toyrrent/rpc/1.0.0' and reports what the server did
 * about them — a response frame (decoded, and as the bytes that came), a
 * clean close or a reset — each within a deadline. The dialling side may be a
 * toyrrent node or a bare libp2p node.
 */
import { FrameStream, encodeVarint } from '../../src/rpc/frame-stream.ts'
import { Frame } from '../../src/rpc/pb/rpc.ts'
import { MAX_FRAME_BYTES, RPC_PROTOCOL } from '../../src/constants.ts'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'

/** A response comes decoded and as its bytes, for fields the generated codec cannot hold (an unknown type number). */
export type Outcome = { kind: 'response', frame: Frame, bytes: Uint8Array } | { kind: 'reset', reason: string } | { kind: 'closed' }

export class RawRpc {
  readonly stream: Stream
  private readonly frames: FrameStream

  private constructor (stream: Stream) {
    this.stream = stream
    this.frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: 4 * MAX_FRAME_BYTES })
  }

  static async open (from: { libp2p: Pick<Libp2p, 'dialProtocol'> }, to: { libp2p: Pick<Libp2p, 'peerId'> } | PeerId, timeout = 5_000): Promise<RawRpc> {
    const peer = 'libp2p' in to ? to.libp2p.peerId : to
    const stream = await from.libp2p.dialProtocol(peer, RPC_PROTOCOL, { signal: AbortSignal.timeout(timeout) })
    return new RawRpc(stream)
  }

  get open (): boolean {
    return this.stream.status === 'open'
  }

  /** Write bytes as they are (no length prefix added). */
  async sendRaw (bytes: Uint8Array, timeout = 5_000): Promise<void> {
    if (!this.stream.send(bytes)) await this.stream.onDrain({ signal: AbortSignal.timeout(timeout) })
  }

  /** Write `body` with a correct length prefix. */
  async sendFrame (body: Uint8Array, timeout = 5_000): Promise<void> {
    await this.sendRaw(concat(encodeVarint(body.byteLength), body), timeout)
  }

  /** The next thing the server does: answer, close or reset; throws if none within `timeout`. */
  async next (timeout = 5_000): Promise<Outcome> {
    // a stream the server reset or closed during negotiation ended before we were listening
    if (this.frames.buffered === 0 && (this.stream.status === 'reset' || this.stream.status === 'aborted')) return { kind: 'reset', reason: `stream ${this.stream.status}` }
    if (this.frames.buffered === 0 && this.stream.status === 'closed') return { kind: 'closed' }
    try {
      const read = await this.frames.read({ frameTimeout: timeout, idleTimeout: timeout })
      if ('idle' in read) throw new Error(`server neither answered nor reset within ${timeout} ms`)
      if ('end' in read) return { kind: 'closed' }
      return { kind: 'response', frame: decodeResponse(read.frame), bytes: read.frame }
    } catch (err: any) {
      if (err.message?.startsWith('server neither') === true) throw err
      return { kind: 'reset', reason: `${err.name}: ${err.message}` }
    }
  }

  abort (): void {
    this.stream.abort(new Error('test done'))
  }
}

/**
 * Frame.decode, except that a type number this build does not know (a server
 * echoes the one it was sent) decodes as UNSPECIFIED instead of failing; the
 * number itself is in `topLevelFields(bytes)`.
 */
export function decodeResponse (bytes: Uint8Array): Frame {
  try {
    return Frame.decode(bytes)
  } catch (err) {
    const type = topLevelFields(bytes).find(f => f.field === 2)
    if (type == null || type.wire !== 0 || KNOWN_TYPE_NUMBERS.has(Number(type.value))) throw err
    return Frame.decode(concat(bytes.subarray(0, type.start), bytes.subarray(type.end)))
  }
}

/** Wire numbers of the types this build knows, read off the generated codec. */
const KNOWN_TYPE_NUMBERS = new Set(Object.values(Frame.Type).filter(t => typeof t === 'string').map(t => {
  const bytes = Frame.encode({ type: t as Frame.Type })
  return bytes.length === 0 ? 0 : bytes[1]
}))

export interface TopLevelField {
  field: number
  wire: number
  /** The varint's value (wire type 0); undefined for the others. */
  value?: bigint
  /** Where the field, tag included, starts and ends in the message. */
  start: number
  end: number
}

/** The top-level fields of a protobuf message as they are on the wire (not nested ones). Throws on malformed input. */
export function topLevelFields (bytes: Uint8Array): TopLevelField[] {
  const out: TopLevelField[] = []
  let pos = 0
  const varint = (): bigint => {
    let value = 0n
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= bytes.length || shift > 63n) throw new RangeError('bad varint')
      const b = bytes[pos++]
      value |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return value
    }
  }
  while (pos < bytes.length) {
    const start = pos
    const tag = varint()
    const wire = Number(tag & 7n)
    let value: bigint | undefined
    if (wire === 0) value = varint()
    else if (wire === 2) {
      const length = Number(varint())
      pos += length
    }
    else if (wire === 1 || wire === 5) pos += wire === 1 ? 8 : 4
    else throw new RangeError(`wire type ${wire}`)
    if (pos > bytes.length) throw new RangeError('truncated')
    out.push({ field: Number(tag >> 3n), wire, value, start, end: pos })
  }
  return out
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
