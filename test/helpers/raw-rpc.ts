/**
 * A raw RPC stream for hostile-input tests: writes whatever bytes it is given
 * to '/toyrrent/rpc/1.0.0' and reports what the server did about them — a
 * response frame, a clean close or a reset — each within a deadline.
 */
import { FrameStream, encodeVarint } from '../../src/rpc/frame-stream.ts'
import { Frame } from '../../src/rpc/pb/rpc.ts'
import { MAX_FRAME_BYTES, RPC_PROTOCOL } from '../../src/constants.ts'
import type { ToyrrentNode } from '../../src/node.ts'
import type { PeerId, Stream } from '@libp2p/interface'

export type Outcome = { kind: 'response', frame: Frame } | { kind: 'reset', reason: string } | { kind: 'closed' }

export class RawRpc {
  readonly stream: Stream
  private readonly frames: FrameStream

  private constructor (stream: Stream) {
    this.stream = stream
    this.frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: 4 * MAX_FRAME_BYTES })
  }

  static async open (from: ToyrrentNode, to: ToyrrentNode | PeerId, timeout = 5_000): Promise<RawRpc> {
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
    try {
      const read = await this.frames.read({ frameTimeout: timeout, idleTimeout: timeout })
      if ('idle' in read) throw new Error(`server neither answered nor reset within ${timeout} ms`)
      if ('end' in read) return { kind: 'closed' }
      return { kind: 'response', frame: Frame.decode(read.frame) }
    } catch (err: any) {
      if (err.message?.startsWith('server neither') === true) throw err
      return { kind: 'reset', reason: `${err.name}: ${err.message}` }
    }
  }

  abort (): void {
    this.stream.abort(new Error('test done'))
  }
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
