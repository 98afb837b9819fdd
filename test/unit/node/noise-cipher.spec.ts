/**
 * The node's Noise cipher (src/node/noise-cipher.ts) makes the same
 * ciphertexts as @chainsafe/libp2p-noise's own ChaCha20-Poly1305 (its node
 * default and its pure-JS reference) for small and large messages, whole or
 * in parts, with and without associated data; each decrypts the other's;
 * tampered ciphertext, associated data or nonce is refused; and a session key
 * is imported once however many messages use it. The vector check itself
 * fails on a cipher that is wrong in any of a few ways. And the frame joining
 * (src/node/noise-frames.ts) sends one buffer per frame with the same bytes.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { pureJsCrypto } from '@chainsafe/libp2p-noise'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseCipher, SMALL_MESSAGE_BYTES } from '../../../src/node/noise-cipher.ts'
import { joinFrames } from '../../../src/node/noise-frames.ts'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

type Encrypt = ICryptoInterface['chaCha20Poly1305Encrypt']
/** Bytes as Noise's functions take them (Noise has its own copy of uint8arraylist, the same class in another version). */
type NoiseBytes = Parameters<Encrypt>[0]

const hex = (b: { subarray: () => Uint8Array }): string => Buffer.from(b.subarray()).toString('hex')
const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n))
/** Noise's nonce: 4 zero bytes, then the message count little-endian. */
const nonceOf = (n: number): Uint8Array => { const b = new Uint8Array(12); new DataView(b.buffer).setUint32(4, n, true); return b }
/** `data` as a list of up to `parts` pieces, as Noise hands over a message from a list. */
function inParts (data: Uint8Array, parts: number): NoiseBytes {
  const list = new Uint8ArrayList()
  const step = Math.max(1, Math.ceil(data.byteLength / parts))
  for (let i = 0; i < data.byteLength; i += step) list.append(data.subarray(i, i + step))
  return list as unknown as NoiseBytes
}

const SIZES = [0, 1, 100, SMALL_MESSAGE_BYTES - 1, SMALL_MESSAGE_BYTES, 1200, 4096, 65_519]
const ADS = [new Uint8Array(0), bytes(32)]

/** Cases where `encrypt` disagrees with Noise's reference, by name. */
function mismatches (encrypt: Encrypt): string[] {
  const out: string[] = []
  const k = bytes(32)
  for (const size of SIZES) {
    for (const [a, ad] of ADS.entries()) {
      const plaintext = bytes(size)
      const nonce = nonceOf(size + a)
      const expected = hex(pureJsCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k))
      for (const [form, input] of [['whole', plaintext], ['in parts', inParts(plaintext, 3)]] as const) {
        if (hex(encrypt(input, nonce, ad, k)) !== expected) out.push(`${size} bytes ${form}, ad ${ad.byteLength}`)
      }
    }
  }
  return out
}

describe('unit: Noise\'s ChaCha20-Poly1305 with each session key imported once', () => {
  it('makes the reference\'s ciphertexts (and the node default\'s) for every size, whole or in parts, with or without ad', () => {
    expect(mismatches(noiseCipher().chaCha20Poly1305Encrypt)).to.deep.equal([])
    expect(mismatches(defaultCrypto.chaCha20Poly1305Encrypt), 'the stock node cipher agrees with the reference').to.deep.equal([])
  })

  it('the vector check fails a cipher that drops the ad, the tag, uses another nonce or flips a byte', () => {
    const ours = noiseCipher().chaCha20Poly1305Encrypt
    const wrong: Record<string, Encrypt> = {
      'ad dropped': (p, n, _ad, k) => ours(p, n, new Uint8Array(0), k),
      'tag dropped': (p, n, ad, k) => ours(p, n, ad, k).subarray(0, p.byteLength),
      'next nonce': (p, n, ad, k) => ours(p, nonceOf(new DataView(n.buffer, n.byteOffset).getUint32(4, true) + 1), ad, k),
      'a byte flipped': (p, n, ad, k) => { const c = Uint8Array.from(ours(p, n, ad, k).subarray()); c[c.length >> 1] ^= 1; return c }
    }
    for (const [name, encrypt] of Object.entries(wrong)) {
      expect(mismatches(encrypt), name).to.not.deep.equal([])
    }
  })

  it('decrypts the reference\'s ciphertexts, and the reference decrypts ours, whole or in parts', () => {
    const c = noiseCipher()
    const k = bytes(32)
    for (const size of SIZES) {
      for (const ad of ADS) {
        const plaintext = bytes(size)
        const nonce = nonceOf(size)
        const theirs = pureJsCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k).subarray()
        expect(hex(c.chaCha20Poly1305Decrypt(theirs, nonce, ad, k)), `${size} whole`).to.equal(hex(plaintext))
        expect(hex(c.chaCha20Poly1305Decrypt(inParts(theirs, 4), nonce, ad, k)), `${size} in parts`).to.equal(hex(plaintext))
        const ours = c.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k).subarray()
        expect(hex(pureJsCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k)), `${size} by the reference`).to.equal(hex(plaintext))
        expect(hex(defaultCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k)), `${size} by the node default`).to.equal(hex(plaintext))
      }
    }
  })

  it('refuses a tampered ciphertext, tag, ad or nonce, small or large', () => {
    const c = noiseCipher()
    const k = bytes(32)
    const ad = bytes(32)
    for (const size of [100, 65_519]) {
      const plaintext = bytes(size)
      const nonce = nonceOf(7)
      const good = pureJsCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k).subarray()
      const flipped = (at: number): Uint8Array => { const b = Uint8Array.from(good); b[at] ^= 0x80; return b }
      expect(() => c.chaCha20Poly1305Decrypt(flipped(0), nonce, ad, k), `${size}: body`).to.throw()
      expect(() => c.chaCha20Poly1305Decrypt(inParts(flipped(size - 1), 3), nonce, ad, k), `${size}: body, in parts`).to.throw()
      expect(() => c.chaCha20Poly1305Decrypt(flipped(good.length - 1), nonce, ad, k), `${size}: tag`).to.throw()
      expect(() => c.chaCha20Poly1305Decrypt(good, nonce, bytes(32), k), `${size}: ad`).to.throw()
      expect(() => c.chaCha20Poly1305Decrypt(good, nonceOf(8), ad, k), `${size}: nonce`).to.throw()
      expect(hex(c.chaCha20Poly1305Decrypt(good, nonce, ad, k)), `${size}: the untouched one`).to.equal(hex(plaintext))
    }
  })

  it('imports a session key once for all its messages, and again only when the array holds another key', () => {
    const c = noiseCipher()
    const k = bytes(32)
    const plaintext = bytes(4096)
    for (let n = 0; n < 50; n++) {
      const sealed = c.chaCha20Poly1305Encrypt(plaintext, nonceOf(n), new Uint8Array(0), k)
      c.chaCha20Poly1305Decrypt(sealed.subarray(), nonceOf(n), new Uint8Array(0), k)
    }
    expect(c.counts).to.deep.equal({ imports: 1, nodeMessages: 100 })
    // small messages go to the WebAssembly cipher: no import
    c.chaCha20Poly1305Encrypt(bytes(10), nonceOf(0), new Uint8Array(0), bytes(32))
    expect(c.counts.imports).to.equal(1)
    // the same array with other bytes in it is another key
    k.set(bytes(32))
    const expected = hex(pureJsCrypto.chaCha20Poly1305Encrypt(plaintext, nonceOf(0), new Uint8Array(0), k))
    expect(hex(c.chaCha20Poly1305Encrypt(plaintext, nonceOf(0), new Uint8Array(0), k))).to.equal(expected)
    expect(c.counts.imports).to.equal(2)
  })
})

/** Noise's output for a list of ciphertexts: [2-byte big-endian length, ciphertext] per frame. */
function noiseFrames (ciphertexts: Uint8Array[]): Uint8ArrayList {
  const out = new Uint8ArrayList()
  for (const c of ciphertexts) out.append(Uint8Array.from([c.byteLength >> 8, c.byteLength & 0xff]), c)
  return out
}

describe('unit: one buffer per Noise frame', () => {
  it('joins each length with a ciphertext of ours into one buffer holding the same bytes', () => {
    const c = noiseCipher()
    const k = bytes(32)
    const sealed = [65_519, 2000, 65_519].map((size, n) => c.chaCha20Poly1305Encrypt(bytes(size), nonceOf(n), new Uint8Array(0), k) as Uint8Array)
    const frames = noiseFrames(sealed)
    const joined = joinFrames(frames) as Uint8ArrayList
    expect([...joined].map(b => b.byteLength)).to.deep.equal([65_537, 2018, 65_537])
    expect(hex(joined)).to.equal(hex(frames))
  })

  it('joins small frames too (the WebAssembly cipher\'s, copied behind room)', () => {
    const c = noiseCipher()
    const small = [16, 100, SMALL_MESSAGE_BYTES - 1].map((size, n) => c.chaCha20Poly1305Encrypt(bytes(size), nonceOf(n), new Uint8Array(0), bytes(32)) as Uint8Array)
    const frames = noiseFrames(small)
    const joined = joinFrames(frames) as Uint8ArrayList
    expect([...joined].map(b => b.byteLength)).to.deep.equal([34, 118, SMALL_MESSAGE_BYTES + 17])
    expect(hex(joined)).to.equal(hex(frames))
  })

  it('leaves buffers without room as they are, and joins a ciphertext once only', () => {
    const c = noiseCipher()
    const foreign = [100, 4096].map(size => pureJsCrypto.chaCha20Poly1305Encrypt(bytes(size), nonceOf(0), new Uint8Array(0), bytes(32)) as Uint8Array)
    const frames = noiseFrames(foreign)
    expect([...(joinFrames(frames) as Uint8ArrayList)].map(b => b.byteLength)).to.deep.equal([2, 116, 2, 4112])
    const ours = c.chaCha20Poly1305Encrypt(bytes(4096), nonceOf(1), new Uint8Array(0), bytes(32)) as Uint8Array
    expect([...(joinFrames(noiseFrames([ours])) as Uint8ArrayList)].map(b => b.byteLength)).to.deep.equal([4114])
    expect([...(joinFrames(noiseFrames([ours])) as Uint8ArrayList)].map(b => b.byteLength), 'already sent once').to.deep.equal([2, 4112])
  })
})
