import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { readKeyFile, writeKeyFile } from '../../src/key-file.ts'

describe('key file', () => {
  let dir: string

  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'toyrrent-key-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  /** Write `content` as a key file and expect readKeyFile to refuse it. */
  async function refuses (content: string | object, message: RegExp): Promise<void> {
    const path = join(dir, 'bad.json')
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
    await assert.rejects(readKeyFile(path), (err: any) => {
      assert.equal(err.name, 'InvalidInputError')
      assert.match(err.message, message)
      return true
    })
  }
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
  /** libp2p PrivateKey protobuf by hand: field 1 = key type enum, field 2 = key bytes. */
  const pbKey = (type: number, data: Uint8Array): Uint8Array => Uint8Array.of(0x08, type, 0x12, data.byteLength, ...data)

  it('round-trips an Ed25519 key through a 0600 file', async () => {
    const key = await generateKeyPair('Ed25519')
    const path = join(dir, 'key.json')
    await writeKeyFile(path, key)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { type: 'Ed25519', privateKey: b64(privateKeyToProtobuf(key)) })
    assert.ok((await readKeyFile(path)).equals(key))
  })

  it('refuses to overwrite an existing file', async () => {
    const path = join(dir, 'key.json')
    await writeKeyFile(path, await generateKeyPair('Ed25519'))
    await assert.rejects(writeKeyFile(path, await generateKeyPair('Ed25519')), { name: 'InvalidInputError' })
  })

  it('refuses to write a key of another type', async () => {
    await assert.rejects(writeKeyFile(join(dir, 'k.json'), await generateKeyPair('secp256k1')), { name: 'InvalidInputError' })
  })

  it('refuses malformed files with InvalidInputError', async () => {
    const key = await generateKeyPair('Ed25519')
    const good = privateKeyToProtobuf(key)
    await refuses('not json', /not JSON/)
    await refuses('null', /type/)
    await refuses({ privateKey: b64(good) }, /type/)
    await refuses({ type: 'RSA', privateKey: b64(good) }, /type/)
    await refuses({ type: 'Ed25519' }, /base64/)
    await refuses({ type: 'Ed25519', privateKey: '!!not base64!!' }, /base64/)
    await refuses({ type: 'Ed25519', privateKey: b64(pbKey(1, key.raw.subarray(0, 40))) }, /malformed/)
    await refuses({ type: 'Ed25519', privateKey: b64(Uint8Array.of(0xff, 0xff)) }, /malformed/)
    await refuses({ type: 'Ed25519', privateKey: b64(privateKeyToProtobuf(await generateKeyPair('secp256k1'))) }, /secp256k1/)
    const mismatched = Uint8Array.from(key.raw)
    mismatched[40] ^= 1
    await refuses({ type: 'Ed25519', privateKey: b64(pbKey(1, mismatched)) }, /does not match/)
    await refuses(' '.repeat(5000), /not a key file/)
  })
})
