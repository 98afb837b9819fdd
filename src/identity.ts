/**
 * A node's persistent Ed25519 identity: the protobuf-encoded private key in
 * `<dataDir>/identity.key`, created with mode 0600 so no other user can read it.
 */
import { open, readFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { InvalidInputError } from './errors.ts'
import type { PrivateKey } from '@libp2p/interface'

export const IDENTITY_FILE = 'identity.key'

export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, IDENTITY_FILE)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  try {
    const bytes = await readFile(path)
    try {
      return privateKeyFromProtobuf(bytes)
    } catch (err: any) {
      throw new InvalidInputError(`${path} is not a valid identity key (${err.message}); move it away to create a new identity`)
    }
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw err
  }
  const key = await generateKeyPair('Ed25519')
  // 'wx': never overwrite an identity another process created meanwhile
  const file = await open(path, 'wx', 0o600)
  try {
    await file.writeFile(privateKeyToProtobuf(key))
  } finally {
    await file.close()
  }
  return key
}
