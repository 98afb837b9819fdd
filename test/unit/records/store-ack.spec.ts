import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromMultihash, peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ACK_NONCE_BYTES, STORE_ACK_BYTES, signStoreAck, storeAckMessage, verifyStoreAck } from '../../../src/records/store-ack.ts'
import type { AckedItem } from '../../../src/records/store-ack.ts'

describe('unit: store acknowledgements (records/store-ack)', () => {
  const body = new Uint8Array(randomBytes(200))
  const item: AckedItem = { kind: 'hash', key: new Uint8Array(createHash('sha256').update(body).digest()), body, seq: 0n }
  const nonce = new Uint8Array(randomBytes(ACK_NONCE_BYTES))

  it('signs the documented 109 bytes: domain, nonce, kind, key, SHA-256 of the body, seq big-endian', () => {
    const publish: AckedItem = { kind: 'publish', key: item.key, body, seq: 0x0102030405060708n }
    const m = storeAckMessage(nonce, publish)
    expect(m.byteLength).to.equal(STORE_ACK_BYTES).and.to.equal(109)
    expect(new TextDecoder().decode(m.subarray(0, 20))).to.equal('toyrrent-store-ack/1')
    expect(m.subarray(20, 36)).to.deep.equal(nonce)
    expect(m[36]).to.equal(1)
    expect(m.subarray(37, 69)).to.deep.equal(item.key)
    expect(m.subarray(69, 101)).to.deep.equal(new Uint8Array(createHash('sha256').update(body).digest()))
    expect([...m.subarray(101)]).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8])
    expect(storeAckMessage(nonce, item)[36]).to.equal(0)
    expect(() => storeAckMessage(new Uint8Array(15), item)).to.throw(/16 bytes/)
  })

  for (const type of ['Ed25519', 'secp256k1'] as const) {
    it(`${type}: a good ack checks against the signer's peer id; tampered acks, other items, nonces and keys do not`, async () => {
      const key = await generateKeyPair(type)
      const signer = peerIdFromPrivateKey(key)
      const other = peerIdFromPrivateKey(await generateKeyPair(type))
      const sig = await signStoreAck(key, nonce, item)
      expect(await verifyStoreAck(signer, nonce, item, sig)).to.equal(true)
      const flipped = Uint8Array.from(sig); flipped[5] ^= 1
      expect(await verifyStoreAck(signer, nonce, item, flipped), 'a flipped bit').to.equal(false)
      expect(await verifyStoreAck(other, nonce, item, sig), 'another signer').to.equal(false)
      const otherNonce = Uint8Array.from(nonce); otherNonce[0] ^= 1
      expect(await verifyStoreAck(signer, otherNonce, item, sig), 'another write (nonce)').to.equal(false)
      const otherBody = Uint8Array.from(body); otherBody[0] ^= 1
      expect(await verifyStoreAck(signer, nonce, { ...item, body: otherBody }, sig), 'other bytes').to.equal(false)
      expect(await verifyStoreAck(signer, nonce, { ...item, kind: 'publish' }, sig), 'another kind').to.equal(false)
      expect(await verifyStoreAck(signer, nonce, { ...item, seq: 1n }, sig), 'another seq').to.equal(false)
      expect(await verifyStoreAck(signer, nonce, item, sig.subarray(0, sig.byteLength - 1)), 'truncated').to.equal(false)
      expect(await verifyStoreAck(signer, nonce, item, new Uint8Array(0)), 'empty').to.equal(false)
      expect(await verifyStoreAck(signer, nonce, item, new Uint8Array(1000)), 'oversized').to.equal(false)
      expect(await verifyStoreAck(signer, new Uint8Array(3), item, sig), 'a malformed nonce is false, not a throw').to.equal(false)
    })
  }

  it('an RSA peer id (no public key inline) never checks', async () => {
    const key = await generateKeyPair('RSA', 1024)
    // as the origin sees it: parsed from the wire, where an RSA id is a hash of the key
    const signer = peerIdFromMultihash(peerIdFromPrivateKey(key).toMultihash())
    const sig = await signStoreAck(key, nonce, item)
    expect(signer.publicKey).to.equal(undefined)
    expect(await verifyStoreAck(signer, nonce, item, sig)).to.equal(false)
  })
})
