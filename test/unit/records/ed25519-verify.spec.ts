import { expect } from 'chai'
import { generateKeyPair, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { verifyEd25519 } from '../../../src/records/ed25519-verify.ts'
import { MAX_CACHED_PUBLIC_KEYS } from '../../../src/constants.ts'

describe('unit: Ed25519 checks with cached key objects (records/ed25519-verify)', () => {
  it('agrees with @libp2p/crypto on good signatures, flipped bits, other keys and other payloads', async () => {
    const a = await generateKeyPair('Ed25519')
    const b = await generateKeyPair('Ed25519')
    const payload = new TextEncoder().encode('a record to sign')
    const sig = await a.sign(payload)
    const flipped = Uint8Array.from(sig); flipped[10] ^= 1 // a copy: sig may be a Buffer, whose slice() is a view
    const other = payload.slice(); other[0] ^= 1
    const cases: Array<[Uint8Array, Uint8Array, Uint8Array]> = [
      [a.publicKey.raw, payload, sig],
      [a.publicKey.raw, payload, flipped],
      [a.publicKey.raw, other, sig],
      [b.publicKey.raw, payload, sig]
    ]
    for (const [key, msg, s] of cases) {
      // twice: the second check uses the cached key object
      for (let i = 0; i < 2; i++) {
        expect(verifyEd25519(key, msg, s)).to.equal(await publicKeyFromRaw(key).verify(msg, s))
      }
    }
    expect(verifyEd25519(a.publicKey.raw, payload, sig)).to.equal(true)
    expect(verifyEd25519(a.publicKey.raw, payload, flipped)).to.equal(false)
  })

  it('keeps checking right past its bound (evicted keys are built again)', async () => {
    const first = await generateKeyPair('Ed25519')
    const payload = Uint8Array.of(1, 2, 3)
    const sig = await first.sign(payload)
    expect(verifyEd25519(first.publicKey.raw, payload, sig)).to.equal(true)
    for (let i = 0; i <= MAX_CACHED_PUBLIC_KEYS; i++) {
      const k = await generateKeyPair('Ed25519')
      verifyEd25519(k.publicKey.raw, payload, sig)
    }
    expect(verifyEd25519(first.publicKey.raw, payload, sig)).to.equal(true)
    const wrong = Uint8Array.from(sig); wrong[0] ^= 0x80
    expect(verifyEd25519(first.publicKey.raw, payload, wrong)).to.equal(false)
  })

  it('never says yes for 32 bytes that are not a usable key', () => {
    const notAPoint = new Uint8Array(32).fill(0xff)
    let verdict: boolean | Error
    try { verdict = verifyEd25519(notAPoint, Uint8Array.of(1), new Uint8Array(64)) } catch (err) { verdict = err as Error }
    expect(verdict).to.not.equal(true)
  })
})
