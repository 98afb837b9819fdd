/**
 * Frames queued on one stream in the same turn of the event loop, sent as one
 * Stream.send. Why: each send goes down synchronously as its own yamux data
 * frame, its own Noise message (a length and a ciphertext: two socket
 * writes), and at the peer its own yamux window update (another Noise
 * message). A cat queues a window of FETCH requests at once, and a peer
 * answering them finishes several in one turn; sent together they are one
 * yamux frame and as few Noise messages as their size needs (65,519 bytes of
 * plaintext each). The bytes on the wire are the same frames in the same
 * order: only how they are cut into yamux frames and Noise messages changes.
 *
 * setImmediate, not a microtask: requests reach the channel after a few
 * awaits each, so a microtask would send the first one alone.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import type { PrefixedFrame } from './frame-encode.ts'
import type { Stream } from '@libp2p/interface'

export class FrameBatch {
  private readonly stream: Stream
  private readonly onError: (err: Error) => void
  /** Buffers of the frames queued since the last send, in order (big bodies by reference). */
  private parts: Uint8Array[] = []
  private scheduled?: ReturnType<typeof setImmediate>

  /** `onError` hears a send that threw (the stream is then aborted by libp2p). */
  constructor (stream: Stream, onError: (err: Error) => void) {
    this.stream = stream
    this.onError = onError
  }

  /** Queue a frame: it goes out with the others queued in this turn of the event loop. */
  push (frame: PrefixedFrame): void {
    for (const part of frame.parts) this.parts.push(part)
    this.scheduled ??= setImmediate(this.flush)
  }

  /** True while the stream does not take more: a sender should wait for its drain before queueing more. */
  get full (): boolean {
    return this.stream.writableNeedsDrain
  }

  /** Hand everything queued to the stream now, as one send. */
  readonly flush = (): void => {
    if (this.scheduled != null) clearImmediate(this.scheduled)
    this.scheduled = undefined
    const parts = this.parts
    if (parts.length === 0) return
    this.parts = []
    // a stream closing or reset takes nothing more: what was queued is dropped, as a send on it would be
    if (this.stream.writeStatus !== 'writable') return
    try {
      // a full stream buffers what it is sent (up to its limit) and says so with `full`
      this.stream.send(parts.length === 1 ? parts[0] : new Uint8ArrayList(...parts))
    } catch (err: any) {
      this.onError(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Drop what is queued (the stream is gone). */
  clear (): void {
    if (this.scheduled != null) clearImmediate(this.scheduled)
    this.scheduled = undefined
    this.parts = []
  }
}
