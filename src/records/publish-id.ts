/**
 * A publish id as users give it: 64 hex characters. A CID names a hash item
 * (`put`/`get`), never a publish item, so one given where an id is expected
 * is refused at once, saying what it is, instead of being looked up among
 * records (where it can only fail after asking the network).
 */
import { InvalidInputError } from '../errors.ts'
import { parseKey } from './hash-item.ts'

export function parsePublishId (text: string): Uint8Array {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return parseKey(trimmed)
  // a CID: say so (parseKey throws for anything that is not one)
  parseKey(trimmed)
  throw new InvalidInputError(`"${trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed}" is the CID of a hash item (read it with get or GET /v1/items/<cid>); a publish id is 64 hex characters (printed by keygen and publish)`)
}
