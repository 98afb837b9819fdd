/**
 * The writer's Ed25519 key on disk, for the CLI. Format (protocols/publish-record.md):
 * JSON { "type": "Ed25519", "privateKey": "<base64 of the libp2p protobuf-encoded private key>" },
 * file mode 0600. The key signs publish records and never leaves the client.
 */
import { open, readFile } from 'node:fs/promises'
import { generateKeyPairFromSeed, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { InvalidInputError } from './errors.ts'
import type { Ed25519PrivateKey, PrivateKey } from '@libp2p/interface'

export const KEY_FILE_TYPE = 'Ed25519'

/** A real key file is ~150 bytes; refuse to read anything much bigger. */
const MAX_KEY_FILE_BYTES = 4096
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * Write `privateKey` to a new file at `path`, created with mode 0600 so it is
 * never readable by others, not even briefly. Refuses to overwrite: losing a
 * key loses every id it published.
 */
export async function writeKeyFile (path: string, privateKey: PrivateKey): Promise<void> {
  if (privateKey.type !== KEY_FILE_TYPE) {
    throw new InvalidInputError(`key files hold Ed25519 keys, not ${privateKey.type}`)
  }
  const body = JSON.stringify({ type: KEY_FILE_TYPE, privateKey: Buffer.from(privateKeyToProtobuf(privateKey)).toString('base64') })
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (err: any) {
    if (err.code === 'EEXIST') throw new InvalidInputError(`key file ${path} already exists; refusing to overwrite it`)
    throw err
  }
  try {
    await handle.writeFile(`${body}\n`)
  } finally {
    await handle.close()
  }
}

/** Read a key file written by writeKeyFile. Throws InvalidInputError naming what is wrong. */
export async function readKeyFile (path: string): Promise<Ed25519PrivateKey> {
  const handle = await open(path, 'r')
  let text: string
  try {
    const { size } = await handle.stat()
    if (size > MAX_KEY_FILE_BYTES) throw new InvalidInputError(`${path} is ${size} bytes: not a key file`)
    text = await readFile(handle, 'utf8')
  } finally {
    await handle.close()
  }
  return parseKeyFile(text, path)
}

/** The pure half of readKeyFile. */
export async function parseKeyFile (text: string, path = 'key file'): Promise<Ed25519PrivateKey> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InvalidInputError(`${path} is not a key file: not JSON`)
  }
  const { type, privateKey } = (parsed ?? {}) as { type?: unknown, privateKey?: unknown }
  if (type !== KEY_FILE_TYPE) {
    throw new InvalidInputError(`${path} holds a key of type ${JSON.stringify(type)}; expected "${KEY_FILE_TYPE}"`)
  }
  if (typeof privateKey !== 'string' || !BASE64.test(privateKey)) {
    throw new InvalidInputError(`${path} is not a key file: "privateKey" must be base64`)
  }
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(Buffer.from(privateKey, 'base64'))
  } catch (err: any) {
    throw new InvalidInputError(`${path} holds a malformed private key: ${err.message}`)
  }
  if (key.type !== KEY_FILE_TYPE) {
    throw new InvalidInputError(`${path} holds a ${key.type} key; expected "${KEY_FILE_TYPE}"`)
  }
  // the encoding carries seed ‖ public key; a mismatched half would sign records nobody can verify
  const derived = await generateKeyPairFromSeed('Ed25519', key.raw.subarray(0, 32))
  if (!derived.publicKey.equals(key.publicKey)) {
    throw new InvalidInputError(`${path} is corrupt: its public key does not match its private key`)
  }
  return key
}
