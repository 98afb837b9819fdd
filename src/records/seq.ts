/**
 * Sequence numbers of publish records as users type them and as a writer
 * picks the next one: shared by the HTTP API (`?cas=`), the CLI (`--cas`,
 * `--seq`) and anything else that signs a record.
 */
import { InvalidInputError } from '../errors.ts'

/** A decimal integer from `min` to `max` (both inclusive); anything else is an InvalidInputError naming `name`. */
export function parseSeq (text: string, name: string, min: bigint, max: bigint): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) < min || BigInt(text) > max) {
    throw new InvalidInputError(`${name} must be an integer from ${min} to ${max}, got "${text}"`)
  }
  return BigInt(text)
}

/**
 * The seq a new record gets: one more than the newest the network holds (a
 * tombstone's included), 1 when nothing is published under the id. `resolve`
 * gives the newest seq; an error with code `not-found` (NotFoundError, or the
 * API's not-found reply) means none, any other error is passed on.
 */
export async function nextSeq (resolve: () => Promise<bigint>): Promise<bigint> {
  let newest: bigint
  try {
    newest = await resolve()
  } catch (err) {
    if ((err as { code?: unknown } | undefined)?.code === 'not-found') return 1n
    throw err
  }
  return newest + 1n
}
