/**
 * Noise's handshake crypto with fewer key imports (the `crypto` option of
 * @chainsafe/libp2p-noise). Its default X25519 re-imports both keys from DER
 * for each of the three Diffie-Hellmans per handshake and end, generates the
 * ephemeral key through DER export, and runs HKDF in JavaScript: in a profile
 * of new connections the DHs alone were 6.5 % of the CPU. Here a key pair we
 * generate keeps its private KeyObject (found again by the raw bytes Noise
 * hands back), a peer's public key is imported once per handshake rather than
 * once per DH, and HKDF is node's. ChaCha20-Poly1305 imports each session
 * key once (noise-cipher.ts). The bytes on the wire are the same; SHA-256
 * stays Noise's own.
 *
 * Node checks a key argument that is an object by reading a KeyObject's
 * private slots inside try/catch: any other object (a Buffer, a DER options
 * object) costs a thrown and caught TypeError or two. So a peer's key goes in
 * as PEM text (a string needs no such check; 17 against 45-50 µs of CPU per
 * import here) and HKDF's input key as a secret KeyObject (10 against 16 µs).
 */
import crypto from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { noiseCipher } from './noise-cipher.ts'
import type { NoiseCipherCounts } from './noise-cipher.ts'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

const X25519_PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20])
const X25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00])
const KEY_BYTES = 32
const NO_INFO = new Uint8Array(0)
/** Peers' public keys kept imported: a handshake uses each remote key in one or two DHs, close together. */
const PUBLIC_KEYS_KEPT = 64

export interface NoiseCryptoCounts {
  /** Keys imported from bytes (private and public). */
  imports: number
  /** Diffie-Hellmans computed. */
  dhs: number
  /** The cipher's: session keys imported, messages through node's cipher. */
  cipher: NoiseCipherCounts
}

/** A Noise crypto implementation for node; `counts` is for the specs and scripts. */
export function noiseCrypto (): ICryptoInterface & { counts: NoiseCryptoCounts } {
  const cipher = noiseCipher()
  const counts: NoiseCryptoCounts = { imports: 0, dhs: 0, cipher: cipher.counts }
  // our private keys by their raw bytes (Noise keeps the key pair object and hands back its privateKey array)
  const privateKeys = new WeakMap<Uint8Array, crypto.KeyObject>()
  const publicKeys = new Map<string, crypto.KeyObject>()

  const privateKeyObject = (raw: Uint8Array): crypto.KeyObject => {
    const kept = privateKeys.get(raw)
    if (kept != null) return kept
    counts.imports++
    const key = crypto.createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, exact(raw)]), format: 'der', type: 'pkcs8' })
    privateKeys.set(raw, key)
    return key
  }
  const publicKeyObject = (raw: Uint8Array): crypto.KeyObject => {
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
    const kept = publicKeys.get(id)
    if (kept != null) return kept
    counts.imports++
    const key = crypto.createPublicKey(`-----BEGIN PUBLIC KEY-----\n${Buffer.concat([X25519_SPKI_PREFIX, exact(raw)]).toString('base64')}\n-----END PUBLIC KEY-----\n`)
    if (publicKeys.size >= PUBLIC_KEYS_KEPT) publicKeys.delete(publicKeys.keys().next().value as string)
    publicKeys.set(id, key)
    return key
  }
  const keep = (privateKey: crypto.KeyObject): { publicKey: Uint8Array, privateKey: Uint8Array } => {
    const jwk = privateKey.export({ format: 'jwk' })
    const pair = { publicKey: fromBase64url(jwk.x), privateKey: fromBase64url(jwk.d) }
    privateKeys.set(pair.privateKey, privateKey)
    return pair
  }

  const impl: ICryptoInterface = {
    hashSHA256: defaultCrypto.hashSHA256,
    chaCha20Poly1305Encrypt: cipher.chaCha20Poly1305Encrypt,
    chaCha20Poly1305Decrypt: cipher.chaCha20Poly1305Decrypt,
    getHKDF (ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
      const okm = new Uint8Array(crypto.hkdfSync('sha256', crypto.createSecretKey(ikm), ck, NO_INFO, 3 * KEY_BYTES))
      return [okm.subarray(0, KEY_BYTES), okm.subarray(KEY_BYTES, 2 * KEY_BYTES), okm.subarray(2 * KEY_BYTES)]
    },
    generateX25519KeyPair () {
      return keep(crypto.generateKeyPairSync('x25519').privateKey)
    },
    generateX25519KeyPairFromSeed (seed: Uint8Array) {
      const pair = keep(privateKeyObject(seed))
      // the caller's seed array is what Noise hands back
      privateKeys.set(seed, privateKeys.get(pair.privateKey) as crypto.KeyObject)
      return { publicKey: pair.publicKey, privateKey: seed }
    },
    generateX25519SharedKey (privateKey, publicKey) {
      counts.dhs++
      return crypto.diffieHellman({
        privateKey: privateKeyObject(privateKey instanceof Uint8Array ? privateKey : privateKey.subarray()),
        publicKey: publicKeyObject(publicKey.subarray())
      })
    }
  }
  return Object.assign(impl, { counts })
}

/** `raw` as 32 bytes, or an error naming the length. */
function exact (raw: Uint8Array): Uint8Array {
  if (raw.byteLength !== KEY_BYTES) throw new Error(`an X25519 key is ${KEY_BYTES} bytes, not ${raw.byteLength}`)
  return raw
}

function fromBase64url (text: string | undefined): Uint8Array {
  if (text == null) throw new Error('X25519 key export without key material')
  return new Uint8Array(Buffer.from(text, 'base64url'))
}
