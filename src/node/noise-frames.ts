/**
 * One buffer per Noise frame on the way to the transport. Noise hands the
 * connection below it a list of [2-byte length, ciphertext] per frame, and
 * @libp2p/tcp writes each buffer of a list on its own: two socket writes per
 * frame where one would do. Our cipher (noise-cipher.ts) leaves two bytes of
 * room before each ciphertext it makes, in the same buffer; here the length
 * is copied into that room and the pair goes down as one view. Nothing is
 * copied but the two bytes, the bytes on the wire are the same, and any
 * buffer without such room goes down as it came.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import type { MessageStream } from '@libp2p/interface'

/** Noise's frame length prefix (big-endian uint16). */
export const FRAME_LENGTH_BYTES = 2

/** Ciphertexts whose buffer has FRAME_LENGTH_BYTES of room, ours to write, before them. */
const withHeadroom = new WeakSet<Uint8Array>()

/** `ciphertext`, noted as having FRAME_LENGTH_BYTES of room before it that nothing else uses. */
export function markHeadroom (ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.byteOffset < FRAME_LENGTH_BYTES) throw new Error('no room before this ciphertext for a frame length')
  withHeadroom.add(ciphertext)
  return ciphertext
}

/** `data` with each [length, ciphertext-with-room] pair joined into one view; the other buffers as they are. */
export function joinFrames (data: Uint8Array | Uint8ArrayList): Uint8Array | Uint8ArrayList {
  if (data instanceof Uint8Array) return data
  const parts = [...data]
  const out = new Uint8ArrayList()
  for (let i = 0; i < parts.length; i++) {
    const length = parts[i]
    const next = parts[i + 1]
    if (length.byteLength === FRAME_LENGTH_BYTES && next != null && withHeadroom.delete(next)) {
      const frame = new Uint8Array(next.buffer, next.byteOffset - FRAME_LENGTH_BYTES, FRAME_LENGTH_BYTES + next.byteLength)
      frame.set(length)
      out.append(frame)
      i++
    } else {
      out.append(length)
    }
  }
  return out
}

/** `connection` as Noise should see it: the same stream, whose send() joins each frame's length and ciphertext. */
export function oneWritePerFrame<T extends MessageStream> (connection: T): T {
  const send = (data: Uint8Array | Uint8ArrayList): boolean => connection.send(joinFrames(data))
  const bound = new Map<PropertyKey, { method: Function, bound: Function }>()
  return new Proxy(connection, {
    get (target, prop) {
      if (prop === 'send') return send
      const value = Reflect.get(target, prop, target)
      // own properties as they are (the stream's `log` is a function with properties of its own)
      if (typeof value !== 'function' || Object.hasOwn(target, prop)) return value
      // the class's methods run on the stream itself (its private fields); one bound copy each
      let kept = bound.get(prop)
      if (kept?.method !== value) {
        kept = { method: value, bound: value.bind(target) }
        bound.set(prop, kept)
      }
      return kept.bound
    }
  })
}
