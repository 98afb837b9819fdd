/**
 * Publish-record test vectors from a fixed Ed25519 seed. Ed25519 signatures are
 * deterministic, so the output never changes unless the format does.
 *   npx tsc -p tsconfig.json && node dist/scripts/publish-vectors.js > test/fixtures/publish-vectors.json
 */
import { pathToFileURL } from 'node:url'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { createPublishRecord, encodePublishRecord, publishId, signingPayload } from '../src/records/publish-record.ts'

export interface PublishVector {
  description: string
  seed: string
  publicKey: string
  salt: string
  /** Decimal: seq may exceed 2^53. */
  seq: string
  flags: number
  value: string
  signingPayload: string
  signature: string
  record: string
  id: string
}

interface VectorInput { description: string, salt: Uint8Array, seq: bigint, value: Uint8Array, deleted: boolean }

/** Seed bytes 0x00, 0x01, ..., 0x1f. */
export const VECTOR_SEED = Uint8Array.from({ length: 32 }, (_, i) => i)

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

const INPUTS: VectorInput[] = [
  { description: 'empty salt, seq 1', salt: new Uint8Array(0), seq: 1n, value: utf8('hello toyrrent'), deleted: false },
  { description: 'non-empty salt', salt: utf8('profile'), seq: 42n, value: utf8('{"name":"alice"}'), deleted: false },
  { description: 'tombstone (deleted flag, empty value)', salt: utf8('profile'), seq: 43n, value: new Uint8Array(0), deleted: true },
  { description: 'largest salt and seq', salt: new Uint8Array(64).fill(0xab), seq: 2n ** 64n - 1n, value: Uint8Array.of(0xff, 0x00, 0xff), deleted: false }
]

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

export async function buildVectors (): Promise<PublishVector[]> {
  const privateKey = await generateKeyPairFromSeed('Ed25519', VECTOR_SEED)
  const vectors: PublishVector[] = []
  for (const input of INPUTS) {
    const record = await createPublishRecord({ privateKey, ...input })
    vectors.push({
      description: input.description,
      seed: hex(VECTOR_SEED),
      publicKey: hex(record.publicKey),
      salt: hex(record.salt),
      seq: record.seq.toString(),
      flags: record.flags,
      value: hex(record.value),
      signingPayload: hex(signingPayload(record)),
      signature: hex(record.signature),
      record: hex(encodePublishRecord(record)),
      id: hex(publishId(record.publicKey, record.salt))
    })
  }
  return vectors
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await buildVectors(), null, 2)}\n`)
}
