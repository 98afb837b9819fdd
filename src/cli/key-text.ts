/**
 * A KEY as the client commands take it, on the fast path: 64 hex characters,
 * or a base32 CIDv1 of a sha2-256 digest (what `put` prints), decoded here
 * without multiformats, whose base codecs cost more start-up time than the
 * rest of `toyrrent get`. Anything else goes to the full parser
 * (records/hash-item.ts parseKey), so errors and every other form stay exactly
 * as they were. Returns the key as 64 hex characters, which the API takes.
 */
import { asUsage } from './args.ts'

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

export async function keyHex (text: string): Promise<string> {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return trimmed.toLowerCase()
  const fast = base32CidDigest(trimmed)
  if (fast != null) return fast
  const { parseKey } = await import('../records/hash-item.ts')
  const key = asUsage(() => parseKey(trimmed))
  return Buffer.from(key).toString('hex')
}

/** `b` + base32 of: version 1, a one-byte codec, sha2-256 (0x12), length 32, digest. Else undefined. */
function base32CidDigest (text: string): string | undefined {
  // 36 bytes are 58 base32 characters, the last 2 bits of padding zero (as multiformats demands)
  if (!/^b[a-z2-7]{58}$/.test(text)) return undefined
  const bytes: number[] = []
  let bits = 0
  let value = 0
  for (const c of text.slice(1)) {
    value = (value << 5) | BASE32.indexOf(c)
    bits += 5
    if (bits >= 8) {
      bits -= 8
      bytes.push((value >> bits) & 0xff)
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) return undefined
  // codecs below 0x80 are one varint byte (raw 0x55, dag-pb 0x70, ...); others take the full parser
  if (bytes.length !== 36 || bytes[0] !== 1 || bytes[1] >= 0x80 || bytes[2] !== 0x12 || bytes[3] !== 32) return undefined
  return Buffer.from(bytes.slice(4)).toString('hex')
}
