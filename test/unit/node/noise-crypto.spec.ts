/**
 * The node's Noise handshake crypto (src/node/noise-crypto.ts) gives the same
 * bytes as @chainsafe/libp2p-noise's pure-JS reference for every function
 * Noise calls, while importing each key once: our private keys never (kept
 * from generation), a peer's public key once however many DHs use it. And the
 * identity key Noise signs with (src/node/noise.ts) signs a message once and
 * answers it again from memory, with a signature that verifies. A peer's key
 * is imported and HKDF run without an exception inside node's crypto (node
 * checks an object key argument by reading private slots in try/catch: a
 * DER options object cost four caught exceptions per import, a Buffer to
 * HKDF one), counted by the inspector pausing on caught exceptions.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { Session } from 'node:inspector'
import { pureJsCrypto } from '@chainsafe/libp2p-noise'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { noiseCrypto } from '../../../src/node/noise-crypto.ts'
import { rememberingSigner } from '../../../src/node/noise.ts'
import type { SigningCounts } from '../../../src/node/noise.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Exceptions thrown while `work` runs, caught ones included (the inspector pauses on each and is resumed at once). */
function exceptionsDuring (work: () => void): number {
  const session = new Session()
  session.connect()
  let thrown = 0
  session.on('Debugger.paused', () => {
    thrown++
    session.post('Debugger.resume')
  })
  session.post('Debugger.enable')
  session.post('Debugger.setPauseOnExceptions', { state: 'caught' })
  try {
    work()
  } finally {
    session.post('Debugger.setPauseOnExceptions', { state: 'none' })
    session.post('Debugger.disable')
    session.disconnect()
  }
  return thrown
}

describe('unit: Noise handshake crypto with kept key objects', () => {
  it('derives the HKDF outputs of the reference', () => {
    const c = noiseCrypto()
    for (let i = 0; i < 20; i++) {
      const ck = new Uint8Array(randomBytes(32))
      const ikm = new Uint8Array(randomBytes(i === 0 ? 0 : 32))
      expect(c.getHKDF(ck, ikm).map(hex)).to.deep.equal(pureJsCrypto.getHKDF(ck, ikm).map(hex))
    }
  })

  it('generates key pairs whose public key is the reference\'s for that private key', () => {
    const c = noiseCrypto()
    for (let i = 0; i < 10; i++) {
      const pair = c.generateX25519KeyPair()
      expect(pair.privateKey.byteLength).to.equal(32)
      expect(hex(pair.publicKey)).to.equal(hex(pureJsCrypto.generateX25519KeyPairFromSeed(pair.privateKey).publicKey))
    }
    const seed = new Uint8Array(randomBytes(32))
    const fromSeed = c.generateX25519KeyPairFromSeed(seed)
    expect(fromSeed.privateKey).to.equal(seed)
    expect(hex(fromSeed.publicKey)).to.equal(hex(pureJsCrypto.generateX25519KeyPairFromSeed(seed).publicKey))
  })

  it('computes the reference\'s shared keys, importing a peer\'s key once and our own never', () => {
    const c = noiseCrypto()
    const ours = c.generateX25519KeyPair()
    const theirs = pureJsCrypto.generateX25519KeyPair()
    const expected = hex(pureJsCrypto.generateX25519SharedKey(theirs.privateKey, ours.publicKey))
    const before = { ...c.counts }
    // Noise uses a remote ephemeral key in two DHs; a copy of the same bytes is the same key
    expect(hex(c.generateX25519SharedKey(ours.privateKey, theirs.publicKey))).to.equal(expected)
    expect(hex(c.generateX25519SharedKey(ours.privateKey, new Uint8Array(theirs.publicKey)))).to.equal(expected)
    expect(c.counts.dhs - before.dhs).to.equal(2)
    expect(c.counts.imports - before.imports, 'one import: their public key').to.equal(1)
  })

  it('still computes with a private key it did not generate (imported once)', () => {
    const c = noiseCrypto()
    const a = pureJsCrypto.generateX25519KeyPair()
    const b = pureJsCrypto.generateX25519KeyPair()
    const expected = hex(pureJsCrypto.generateX25519SharedKey(a.privateKey, b.publicKey))
    expect(hex(c.generateX25519SharedKey(a.privateKey, b.publicKey))).to.equal(expected)
    expect(hex(c.generateX25519SharedKey(a.privateKey, b.publicKey))).to.equal(expected)
    expect(c.counts.imports).to.equal(2)
  })

  it('imports a peer\'s key and derives HKDF outputs without an exception thrown inside node\'s crypto', () => {
    const c = noiseCrypto()
    const ours = c.generateX25519KeyPair()
    const theirs = pureJsCrypto.generateX25519KeyPair()
    const ck = new Uint8Array(randomBytes(32))
    let shared: Uint8Array = new Uint8Array(0)
    expect(exceptionsDuring(() => { shared = c.generateX25519SharedKey(ours.privateKey, theirs.publicKey) }), 'import and DH').to.equal(0)
    expect(hex(shared)).to.equal(hex(pureJsCrypto.generateX25519SharedKey(theirs.privateKey, ours.publicKey)))
    expect(c.counts.imports, 'their key was imported').to.equal(1)
    expect(exceptionsDuring(() => { c.getHKDF(ck, shared) }), 'HKDF').to.equal(0)
    // the count sees exceptions that are caught: one thrown and caught here is counted
    expect(exceptionsDuring(() => { try { throw new Error('counted') } catch {} })).to.equal(1)
  })

  it('refuses a key of the wrong length with an error naming it', () => {
    const c = noiseCrypto()
    const ours = c.generateX25519KeyPair()
    expect(() => c.generateX25519SharedKey(ours.privateKey, new Uint8Array(31))).to.throw(/32 bytes, not 31/)
  })
})

describe('unit: the identity key Noise signs with', () => {
  it('signs a message once and answers it again with a signature that verifies; other messages are signed anew', async () => {
    const key = await generateKeyPair('Ed25519')
    const counts: SigningCounts = { signed: 0, remembered: 0 }
    const signer = rememberingSigner(key, counts)
    const message = new Uint8Array(randomBytes(56))
    const first = await signer.sign(message)
    const again = await signer.sign(new Uint8Array(message))
    expect(hex(again)).to.equal(hex(first))
    expect(await key.publicKey.verify(message, again)).to.equal(true)
    expect(counts).to.deep.equal({ signed: 1, remembered: 1 })
    const other = new Uint8Array(randomBytes(56))
    expect(await key.publicKey.verify(other, await signer.sign(other))).to.equal(true)
    expect(counts).to.deep.equal({ signed: 2, remembered: 1 })
  })

  it('is the same key in every other respect', async () => {
    const key = await generateKeyPair('Ed25519')
    const signer = rememberingSigner(key)
    expect(signer.type).to.equal('Ed25519')
    expect(signer.publicKey.equals(key.publicKey)).to.equal(true)
    expect(hex(signer.raw)).to.equal(hex(key.raw))
    expect(signer.equals(key)).to.equal(true)
  })
})
