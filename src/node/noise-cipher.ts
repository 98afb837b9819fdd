/**
 * Noise's ChaCha20-Poly1305 (the `chaCha20Poly1305Encrypt`/`Decrypt` of
 * @chainsafe/libp2p-noise's `crypto` option) with each session key imported
 * once. Noise's node default hands the raw key bytes to createCipheriv and
 * createDecipheriv for every message, so node imports the key again each
 * time: in a profile of a file add that, and the cipher set-up around it,
 * was 6-8 % of the CPU. Here the key array Noise keeps in its cipher state
 * finds its KeyObject again (a WeakMap, so a key lives as long as its
 * session). Small messages stay with Noise's WebAssembly cipher, which beats
 * any node cipher set-up there. The ciphertext is the same bytes; each one we
 * hand back has two bytes of room before it for the frame's length
 * (noise-frames.ts), a small one copied there (a few hundred bytes, against a
 * socket write of its own).
 */
import crypto from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { FRAME_LENGTH_BYTES, markHeadroom } from './noise-frames.ts'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

const ALGORITHM = 'chacha20-poly1305'
const TAG_BYTES = 16
/** Below this many bytes Noise's WebAssembly cipher is cheaper than a node cipher even with the key imported (measured: README Files → Benchmark). */
export const SMALL_MESSAGE_BYTES = 768

export interface NoiseCipherCounts {
  /** Session keys imported as KeyObjects. */
  imports: number
  /** Messages encrypted or decrypted by node's cipher (the rest went to the WebAssembly one). */
  nodeMessages: number
}

type Encrypt = ICryptoInterface['chaCha20Poly1305Encrypt']
type Decrypt = ICryptoInterface['chaCha20Poly1305Decrypt']

/** The cipher functions for Noise's `crypto` option; `counts` is for the specs. */
export function noiseCipher (): { chaCha20Poly1305Encrypt: Encrypt, chaCha20Poly1305Decrypt: Decrypt, counts: NoiseCipherCounts } {
  const counts: NoiseCipherCounts = { imports: 0, nodeMessages: 0 }
  // by the key array Noise keeps; the bytes are kept too, so an array whose contents changed is imported anew
  const keys = new WeakMap<Uint8Array, { bytes: Buffer, key: crypto.KeyObject }>()

  const keyObject = (k: Uint8Array): crypto.KeyObject => {
    const kept = keys.get(k)
    if (kept != null && kept.bytes.equals(k)) return kept.key
    counts.imports++
    const bytes = Buffer.from(k)
    const key = crypto.createSecretKey(bytes)
    keys.set(k, { bytes, key })
    return key
  }

  const chaCha20Poly1305Encrypt: Encrypt = (plaintext, nonce, ad, k) => {
    if (plaintext.byteLength < SMALL_MESSAGE_BYTES) return withRoom(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k).subarray())
    counts.nodeMessages++
    const cipher = crypto.createCipheriv(ALGORITHM, keyObject(k), nonce, { authTagLength: TAG_BYTES })
    if (ad.byteLength > 0) cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
    // one buffer for the frame: room for the length, the ciphertext, the tag
    const frame = Buffer.allocUnsafe(FRAME_LENGTH_BYTES + plaintext.byteLength + TAG_BYTES)
    let at = FRAME_LENGTH_BYTES
    for (const part of plaintext instanceof Uint8Array ? [plaintext] : plaintext) {
      at += cipher.update(part).copy(frame, at)
    }
    at += cipher.final().copy(frame, at)
    cipher.getAuthTag().copy(frame, at)
    return markHeadroom(frame.subarray(FRAME_LENGTH_BYTES))
  }

  const chaCha20Poly1305Decrypt: Decrypt = (ciphertext, nonce, ad, k, dst) => {
    if (ciphertext.byteLength < SMALL_MESSAGE_BYTES) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
    counts.nodeMessages++
    const textBytes = ciphertext.byteLength - TAG_BYTES
    const decipher = crypto.createDecipheriv(ALGORITHM, keyObject(k), nonce, { authTagLength: TAG_BYTES })
    if (ad.byteLength > 0) decipher.setAAD(ad, { plaintextLength: textBytes })
    decipher.setAuthTag(ciphertext.subarray(textBytes))
    if (ciphertext instanceof Uint8Array) {
      const plaintext = decipher.update(ciphertext.subarray(0, textBytes))
      // final() throws when the tag does not match; nothing is returned before
      decipher.final()
      return plaintext
    }
    // an empty list of the caller's own Uint8ArrayList class (Noise has its own copy of the package)
    const plaintext = ciphertext.sublist(0, 0)
    for (const part of ciphertext.sublist(0, textBytes)) plaintext.append(decipher.update(part))
    decipher.final()
    return plaintext
  }

  return { chaCha20Poly1305Encrypt, chaCha20Poly1305Decrypt, counts }
}

/** A copy of `ciphertext` with room for the frame length before it. */
function withRoom (ciphertext: Uint8Array): Uint8Array {
  const frame = Buffer.allocUnsafe(FRAME_LENGTH_BYTES + ciphertext.byteLength)
  frame.set(ciphertext, FRAME_LENGTH_BYTES)
  return markHeadroom(frame.subarray(FRAME_LENGTH_BYTES))
}
