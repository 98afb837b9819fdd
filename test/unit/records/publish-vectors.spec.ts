/**
 * The committed vectors are what other implementations test against: recompute
 * every field, and check the key ones again with node:crypto alone, following
 * protocols/publish-record.md rather than our own code.
 */
import assert from 'node:assert/strict'
import { createHash, createPublicKey, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { buildVectors } from '../../../scripts/publish-vectors.ts'
import type { PublishVector } from '../../../scripts/publish-vectors.ts'
import { decodePublishRecord, encodePublishRecord, verifyPublishRecord } from '../../../src/records/publish-record.ts'

const FIXTURE = new URL('../../../../test/fixtures/publish-vectors.json', import.meta.url)
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

const hex = (text: string): Buffer => Buffer.from(text, 'hex')

describe('publish record test vectors', () => {
  const vectors: PublishVector[] = JSON.parse(readFileSync(FIXTURE, 'utf8'))

  it('cover empty salt, non-empty salt and a tombstone', () => {
    assert.ok(vectors.length >= 3)
    assert.ok(vectors.some(v => v.salt === '' && v.flags === 0))
    assert.ok(vectors.some(v => v.salt !== '' && v.flags === 0))
    assert.ok(vectors.some(v => v.flags === 1 && v.value === ''))
  })

  it('are what the generator produces today, field for field', async () => {
    assert.deepEqual(await buildVectors(), vectors)
  })

  for (const [i, v] of vectors.entries()) {
    describe(`vector ${i}: ${v.description}`, () => {
      it('signing payload follows the spec byte for byte', () => {
        const salt = hex(v.salt)
        const value = hex(v.value)
        const seq = Buffer.alloc(8)
        seq.writeBigUInt64BE(BigInt(v.seq))
        const flags = Buffer.alloc(4)
        flags.writeUInt32BE(v.flags)
        const valueLen = Buffer.alloc(4)
        valueLen.writeUInt32BE(value.byteLength)
        const expected = Buffer.concat([Buffer.from('toyrrent-publish-v1', 'ascii'), Buffer.of(0, salt.byteLength), salt, seq, flags, valueLen, value])
        assert.equal(v.signingPayload, expected.toString('hex'))
      })

      it('id is SHA-256(publicKey ‖ salt)', () => {
        const id = createHash('sha256').update(hex(v.publicKey)).update(hex(v.salt)).digest('hex')
        assert.equal(v.id, id)
      })

      it('signature verifies with plain Ed25519', () => {
        const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, hex(v.publicKey)]), format: 'der', type: 'spki' })
        assert.ok(verify(null, hex(v.signingPayload), key, hex(v.signature)))
      })

      it('record bytes decode to the listed fields, re-encode identically and verify', async () => {
        const record = decodePublishRecord(hex(v.record))
        assert.equal(Buffer.from(record.publicKey).toString('hex'), v.publicKey)
        assert.equal(Buffer.from(record.salt).toString('hex'), v.salt)
        assert.equal(record.seq, BigInt(v.seq))
        assert.equal(record.flags, v.flags)
        assert.equal(Buffer.from(record.value).toString('hex'), v.value)
        assert.equal(Buffer.from(record.signature).toString('hex'), v.signature)
        assert.equal(Buffer.from(encodePublishRecord(record)).toString('hex'), v.record)
        assert.equal(await verifyPublishRecord(hex(v.id), record), 'ok')
      })
    })
  }
})
