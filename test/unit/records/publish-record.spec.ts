import assert from 'node:assert/strict'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { MAX_SALT_BYTES, MAX_VALUE_BYTES } from '../../../src/constants.ts'
import {
  assertAccepted, checkReplace, createPublishRecord, decodePublishRecord, encodePublishRecord, isDeleted,
  MAX_PUBLISH_RECORD_BYTES, MAX_SEQ, PublishRecord, publishId, signingPayload, verifyPublishRecord
} from '../../../src/records/publish-record.ts'
import type { Ed25519PrivateKey } from '@libp2p/interface'

const utf8 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(text))

/** Decode then verify against `id`, as a store does: 'ok' or the reason it refused. */
async function accept (id: Uint8Array, bytes: Uint8Array): Promise<string> {
  let record: PublishRecord
  try {
    record = decodePublishRecord(bytes)
  } catch (err: any) {
    assert.equal(err.name, 'PublishRejectedError')
    return err.code
  }
  return verifyPublishRecord(id, record)
}

function assertRejected (fn: () => unknown, code: string): void {
  assert.throws(fn, (err: any) => err.name === 'PublishRejectedError' && err.code === code)
}

describe('publish records', () => {
  let key: Ed25519PrivateKey
  let other: Ed25519PrivateKey

  before(async () => {
    key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))
    other = await generateKeyPair('Ed25519')
  })

  describe('create / encode / decode / verify', () => {
    it('round-trips a signed record', async () => {
      const record = await createPublishRecord({ privateKey: key, salt: utf8('s'), seq: 5n, value: utf8('v') })
      const decoded = decodePublishRecord(encodePublishRecord(record))
      assert.deepEqual(decoded, record)
      assert.equal(await verifyPublishRecord(publishId(record.publicKey, record.salt), decoded), 'ok')
      assert.equal(isDeleted(decoded), false)
    })

    it('round-trips a tombstone with empty salt', async () => {
      const record = await createPublishRecord({ privateKey: key, seq: 9n, deleted: true })
      const decoded = decodePublishRecord(encodePublishRecord(record))
      assert.equal(isDeleted(decoded), true)
      assert.equal(decoded.value.byteLength, 0)
      assert.equal(await verifyPublishRecord(publishId(key.publicKey.raw), decoded), 'ok')
    })

    it('property: any record round-trips and verifies', async () => {
      await fc.assert(fc.asyncProperty(arbFields(), async (fields) => {
        const record = await createPublishRecord({ privateKey: key, ...fields })
        const bytes = encodePublishRecord(record)
        assert.ok(bytes.byteLength <= MAX_PUBLISH_RECORD_BYTES)
        assert.equal(await accept(publishId(record.publicKey, record.salt), bytes), 'ok')
      }), { numRuns: 200 })
    })

    it('decoded fields do not alias the input buffer', async () => {
      const record = await createPublishRecord({ privateKey: key, seq: 1n, value: utf8('abc') })
      const bytes = encodePublishRecord(record)
      const decoded = decodePublishRecord(bytes)
      bytes.fill(0)
      assert.deepEqual(decoded, record)
    })

    it('rejects a non-Ed25519 key and bad create input with typed errors', async () => {
      const secp = await generateKeyPair('secp256k1')
      await assert.rejects(createPublishRecord({ privateKey: secp, seq: 1n }), { name: 'InvalidInputError' })
      await assert.rejects(createPublishRecord({ privateKey: key, seq: 0n }), { name: 'InvalidInputError' })
      await assert.rejects(createPublishRecord({ privateKey: key, seq: MAX_SEQ + 1n }), { name: 'InvalidInputError' })
      await assert.rejects(createPublishRecord({ privateKey: key, seq: 1n, deleted: true, value: utf8('x') }), { name: 'InvalidInputError' })
      await assert.rejects(createPublishRecord({ privateKey: key, seq: 1n, value: new Uint8Array(MAX_VALUE_BYTES + 1) }), { name: 'TooLargeError' })
      await assert.rejects(createPublishRecord({ privateKey: key, seq: 1n, salt: new Uint8Array(MAX_SALT_BYTES + 1) }), { name: 'TooLargeError' })
    })
  })

  describe('sizes', () => {
    it('accepts a value of exactly 65,536 bytes and a salt of exactly 64', async () => {
      const record = await createPublishRecord({ privateKey: key, salt: new Uint8Array(MAX_SALT_BYTES), seq: MAX_SEQ, value: new Uint8Array(MAX_VALUE_BYTES).fill(1) })
      const bytes = encodePublishRecord(record)
      assert.equal(bytes.byteLength, MAX_PUBLISH_RECORD_BYTES, 'the limit is the size of the largest valid record')
      assert.equal(await accept(publishId(record.publicKey, record.salt), bytes), 'ok')
    })

    it('rejects an oversize value or salt with too-large', async () => {
      const record = await createPublishRecord({ privateKey: key, seq: 1n })
      assertRejected(() => decodePublishRecord(PublishRecord.encode({ ...record, value: new Uint8Array(MAX_VALUE_BYTES + 1) })), 'too-large')
      assertRejected(() => decodePublishRecord(PublishRecord.encode({ ...record, salt: new Uint8Array(MAX_SALT_BYTES + 1) })), 'too-large')
      assert.equal(await verifyPublishRecord(publishId(record.publicKey), { ...record, value: new Uint8Array(MAX_VALUE_BYTES + 1) }), 'too-large')
    })

    it('rejects oversize input by its length, before parsing it', () => {
      // garbage that would be bad-request if it were parsed at all
      const bytes = new Uint8Array(MAX_PUBLISH_RECORD_BYTES + 1).fill(0xff)
      assertRejected(() => decodePublishRecord(bytes), 'too-large')
      assertRejected(() => decodePublishRecord(bytes.subarray(0, 100)), 'bad-request')
    })
  })

  describe('refusals', () => {
    let record: PublishRecord
    let id: Uint8Array

    before(async () => {
      record = await createPublishRecord({ privateKey: key, salt: utf8('salt'), seq: 3n, value: utf8('value') })
      id = publishId(record.publicKey, record.salt)
    })

    it('a signature by another key is bad-signature', async () => {
      const forged = await createPublishRecord({ privateKey: other, salt: record.salt, seq: 4n, value: utf8('evil') })
      assert.equal(await verifyPublishRecord(id, { ...forged, publicKey: record.publicKey }), 'bad-signature')
    })

    it('a signature over other fields is bad-signature', async () => {
      assert.equal(await verifyPublishRecord(id, { ...record, seq: 4n }), 'bad-signature')
      assert.equal(await verifyPublishRecord(id, { ...record, flags: 1, value: new Uint8Array(0) }), 'bad-signature')
      assert.equal(await verifyPublishRecord(id, { ...record, value: utf8('valuf') }), 'bad-signature')
    })

    it('a signature over the protobuf encoding instead of the payload is bad-signature', async () => {
      const signature = Uint8Array.from(await key.sign(PublishRecord.encode({ ...record, signature: new Uint8Array(0) })))
      assert.equal(await verifyPublishRecord(id, { ...record, signature }), 'bad-signature')
    })

    it('a public key that is not a curve point is bad-signature', async () => {
      const publicKey = new Uint8Array(32).fill(0xff)
      assert.equal(await verifyPublishRecord(publishId(publicKey, record.salt), { ...record, publicKey }), 'bad-signature')
    })

    it('the wrong id is id-mismatch', async () => {
      assert.equal(await verifyPublishRecord(publishId(record.publicKey, utf8('other')), record), 'id-mismatch')
      assert.equal(await verifyPublishRecord(publishId(other.publicKey.raw, record.salt), record), 'id-mismatch')
      assert.equal(await verifyPublishRecord(id.subarray(0, 31), record), 'id-mismatch')
    })

    it('malformed fields are bad-request', async () => {
      const cases: Array<Partial<PublishRecord>> = [
        { publicKey: record.publicKey.subarray(0, 31) },
        { signature: record.signature.subarray(0, 63) },
        { seq: 0n },
        { flags: 2 },
        { flags: 1 } // a tombstone carries no value
      ]
      for (const change of cases) {
        assert.equal(await verifyPublishRecord(id, { ...record, ...change }), 'bad-request', JSON.stringify(Object.keys(change)))
        assertRejected(() => decodePublishRecord(PublishRecord.encode({ ...record, ...change })), 'bad-request')
      }
    })

    it('a non-canonical encoding of a valid record is bad-request', () => {
      const bytes = encodePublishRecord(record)
      const unknownField = Uint8Array.of(...bytes, 0x38, 0x01) // field 7, varint 1
      const repeated = Uint8Array.of(...bytes, 0x18, 0x03) // seq sent twice
      const seqAt = 2 + 32 + 2 + 4 // after publicKey and the 4-byte salt
      assert.deepEqual([...bytes.subarray(seqAt, seqAt + 2)], [0x18, 0x03])
      const longVarint = Uint8Array.of(...bytes.subarray(0, seqAt + 1), 0x83, 0x00, ...bytes.subarray(seqAt + 2)) // seq 3 in two bytes
      for (const variant of [unknownField, repeated, longVarint]) {
        assert.deepEqual(PublishRecord.decode(variant), PublishRecord.decode(bytes), 'protobuf alone accepts it')
        assertRejected(() => decodePublishRecord(variant), 'bad-request')
      }
    })

    it('property: flipping any single bit of a signed record gets it refused', async () => {
      const keys = [key, other]
      await fc.assert(fc.asyncProperty(arbFields(), fc.nat(1), fc.nat(), async (fields, k, at) => {
        const signed = await createPublishRecord({ privateKey: keys[k], ...fields })
        const bytes = encodePublishRecord(signed)
        const recordId = publishId(signed.publicKey, signed.salt)
        // the oracle accepts the original, so a refusal below is due to the flip
        assert.equal(await accept(recordId, bytes), 'ok')
        const bit = at % (bytes.byteLength * 8)
        const flipped = Uint8Array.from(bytes)
        flipped[bit >> 3] ^= 1 << (bit & 7)
        assert.notEqual(await accept(recordId, flipped), 'ok', `bit ${bit} of ${bytes.byteLength * 8}`)
      }), { numRuns: 500 })
    })

    it('flipping each bit of a small record, exhaustively, gets it refused', async () => {
      const bytes = encodePublishRecord(record)
      for (let bit = 0; bit < bytes.byteLength * 8; bit++) {
        const flipped = Uint8Array.from(bytes)
        flipped[bit >> 3] ^= 1 << (bit & 7)
        assert.notEqual(await accept(id, flipped), 'ok', `bit ${bit}`)
      }
    })
  })

  describe('signingPayload', () => {
    it('is domain-separated and length-prefixed', () => {
      const payload = signingPayload({ salt: utf8('ab'), seq: 258n, flags: 1, value: utf8('xyz') })
      assert.equal(Buffer.from(payload).toString('hex'),
        Buffer.from('toyrrent-publish-v1').toString('hex') + '00' + '02' + '6162' + '0000000000000102' + '00000001' + '00000003' + '78797a')
    })

    it('property: distinct fields give distinct payloads', () => {
      fc.assert(fc.property(arbSigned(), arbSigned(), (a, b) => {
        const same = Buffer.compare(signingPayload(a), signingPayload(b)) === 0
        const equalFields = a.seq === b.seq && a.flags === b.flags && Buffer.compare(a.salt, b.salt) === 0 && Buffer.compare(a.value, b.value) === 0
        assert.equal(same, equalFields)
      }), { numRuns: 1000 })
    })
  })
})

describe('checkReplace', () => {
  const rec = (seq: bigint, tag = 0): PublishRecord => ({
    publicKey: new Uint8Array(32),
    salt: new Uint8Array(0),
    seq,
    flags: 0,
    value: Uint8Array.of(tag),
    signature: new Uint8Array(64).fill(tag)
  })
  const arbSeq = fc.bigInt({ min: 1n, max: MAX_SEQ })

  it('anything goes into an empty slot', () => {
    assert.equal(checkReplace(undefined, rec(1n)), 'ok')
    assert.equal(checkReplace(undefined, rec(MAX_SEQ)), 'ok')
  })

  it('property: a different record replaces only with a higher seq', () => {
    fc.assert(fc.property(arbSeq, arbSeq, (a, b) => {
      assert.equal(checkReplace(rec(a, 1), rec(b, 2)), b > a ? 'ok' : 'stale-seq')
    }))
  })

  it('a byte-identical record is a no-op, a different one at the same seq is stale', () => {
    assert.equal(checkReplace(rec(5n, 1), rec(5n, 1)), 'noop')
    assert.equal(checkReplace(rec(5n, 1), rec(5n, 2)), 'stale-seq')
    assert.equal(checkReplace(rec(5n, 1), { ...rec(5n, 1), flags: 1 }), 'stale-seq')
  })

  it('a tombstone blocks every older seq; a newer record replaces it', () => {
    const tombstone = { ...rec(10n), flags: 1, value: new Uint8Array(0) }
    assert.equal(checkReplace(tombstone, rec(9n)), 'stale-seq')
    assert.equal(checkReplace(tombstone, rec(10n)), 'stale-seq')
    assert.equal(checkReplace(tombstone, rec(11n)), 'ok')
    assert.equal(checkReplace(rec(10n), tombstone), 'stale-seq')
    assert.equal(checkReplace(rec(9n), tombstone), 'ok')
  })

  it('property: compare-and-swap needs expectedSeq to equal the stored seq (0 when empty)', () => {
    fc.assert(fc.property(fc.option(arbSeq, { nil: undefined }), arbSeq, fc.bigInt({ min: 0n, max: MAX_SEQ }), (storedSeq, seq, expected) => {
      const stored = storedSeq == null ? undefined : rec(storedSeq, 1)
      const verdict = checkReplace(stored, rec(seq, 2), expected)
      if (expected !== (storedSeq ?? 0n)) assert.equal(verdict, 'cas-mismatch')
      else assert.equal(verdict, checkReplace(stored, rec(seq, 2)))
    }))
    assert.equal(checkReplace(undefined, rec(1n), 0n), 'ok')
    assert.equal(checkReplace(rec(3n, 1), rec(4n, 2), 3n), 'ok')
    assert.equal(checkReplace(rec(3n, 1), rec(4n, 2), 2n), 'cas-mismatch')
    assert.equal(checkReplace(rec(3n, 1), rec(3n, 2), 3n), 'stale-seq')
  })

  it('assertAccepted throws PublishRejectedError with the reason as code', () => {
    assertAccepted('ok')
    assertAccepted('noop')
    for (const reason of ['stale-seq', 'cas-mismatch', 'bad-signature', 'id-mismatch', 'too-large', 'bad-request'] as const) {
      assert.throws(() => assertAccepted(reason), { name: 'PublishRejectedError', code: reason })
    }
  })

  it('a retried write is a no-op even when its expectedSeq is now outdated', () => {
    assert.equal(checkReplace(rec(4n, 2), rec(4n, 2), 3n), 'noop')
  })

  it('property: whatever order records arrive in, the store ends with the highest seq', () => {
    fc.assert(fc.property(fc.uniqueArray(arbSeq, { minLength: 1, maxLength: 20 }), (seqs) => {
      let stored: PublishRecord | undefined
      for (const seq of seqs) {
        const incoming = rec(seq, Number(seq % 256n))
        const verdict = checkReplace(stored, incoming)
        if (verdict === 'ok') stored = incoming
        else assert.equal(verdict, 'stale-seq')
      }
      assert.equal(stored?.seq, seqs.reduce((a, b) => (a > b ? a : b)))
    }))
  })
})

function arbFields (): fc.Arbitrary<{ salt: Uint8Array, seq: bigint, value: Uint8Array, deleted: boolean }> {
  return fc.record({
    salt: fc.uint8Array({ maxLength: MAX_SALT_BYTES }),
    seq: fc.bigInt({ min: 1n, max: MAX_SEQ }),
    value: fc.uint8Array({ maxLength: 300 }),
    deleted: fc.boolean()
  }).map(f => (f.deleted ? { ...f, value: new Uint8Array(0) } : f))
}

function arbSigned (): fc.Arbitrary<{ salt: Uint8Array, seq: bigint, flags: number, value: Uint8Array }> {
  return fc.record({
    salt: fc.uint8Array({ maxLength: 4 }),
    seq: fc.bigInt({ min: 0n, max: 3n }),
    flags: fc.nat(1),
    value: fc.uint8Array({ maxLength: 4 })
  })
}
