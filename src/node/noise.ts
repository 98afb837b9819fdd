/**
 * The Noise connection encrypter a node uses: @chainsafe/libp2p-noise with
 * the key-object-keeping crypto of noise-crypto.ts, and an identity key that
 * remembers its signature of our static Noise key. Noise signs that same
 * message (a prefix and our static key, fixed for the node's life) in every
 * handshake, which cost an Ed25519 key import and signature per connection at
 * each end; a signature of a fixed message is as valid the thousandth time it
 * is sent as the first. And the connection below Noise gets each frame's
 * length and ciphertext as one buffer (noise-frames.ts), one socket write
 * where @libp2p/tcp made two, and cuts frames out without an exception per
 * chunk received (noise-frame-length.ts). Nothing on the wire changes.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { noiseCrypto } from './noise-crypto.ts'
import { oneWritePerFrame } from './noise-frames.ts'
import { useFrameDecoder } from './noise-frame-length.ts'
import type { NoiseComponents } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, PrivateKey } from '@libp2p/interface'

/** Signatures remembered per key: Noise signs one message; a few more cost nothing. */
const SIGNATURES_KEPT = 4

export interface SigningCounts {
  /** Signatures made by the key. */
  signed: number
  /** Signatures answered from memory. */
  remembered: number
}

/** `key`, whose sign() answers a message it signed before with the signature it made then. */
export function rememberingSigner (key: PrivateKey, counts: SigningCounts = { signed: 0, remembered: 0 }): PrivateKey {
  const made = new Map<string, Uint8Array>()
  const sign = async (message: Uint8Array): Promise<Uint8Array> => {
    const id = Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('base64')
    const kept = made.get(id)
    if (kept != null) {
      counts.remembered++
      return kept
    }
    const signature = await key.sign(message)
    counts.signed++
    if (made.size >= SIGNATURES_KEPT) made.delete(made.keys().next().value as string)
    made.set(id, signature)
    return signature
  }
  return new Proxy(key, {
    get (target, prop) {
      if (prop === 'sign') return sign
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

function withFrameDecoder<T extends { connection: unknown }> (secured: T): T {
  useFrameDecoder(secured.connection)
  return secured
}

/** Noise as libp2p's `connectionEncrypters` entry, with the cheaper crypto and one buffer per frame. */
export function toyrrentNoise (): (components: NoiseComponents) => ConnectionEncrypter {
  const crypto = noiseCrypto()
  return (components) => {
    let signer: { from: PrivateKey, key: PrivateKey } | undefined
    // Noise reads components.privateKey at every handshake: hand it the remembering wrapper of whatever key is there
    const wrapped = Object.create(components, {
      privateKey: {
        get: (): PrivateKey => {
          const key = components.privateKey
          if (signer?.from !== key) signer = { from: key, key: rememberingSigner(key) }
          return signer.key
        }
      }
    }) as NoiseComponents
    const encrypter = noise({ crypto })(wrapped)
    return Object.assign(Object.create(encrypter) as ConnectionEncrypter, {
      secureInbound: async (connection, options) => withFrameDecoder(await encrypter.secureInbound(oneWritePerFrame(connection), options)),
      secureOutbound: async (connection, options) => withFrameDecoder(await encrypter.secureOutbound(oneWritePerFrame(connection), options))
    } satisfies Pick<ConnectionEncrypter, 'secureInbound' | 'secureOutbound'>)
  }
}
