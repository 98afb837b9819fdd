/**
 * Swarm keys for private networks (libp2p pnet, the same format as IPFS):
 *
 *     /key/swarm/psk/1.0.0/
 *     /base16/
 *     <64 hex digits>
 *
 * Every node of a private network holds the same key; a node without it
 * cannot complete a connection to any of them.
 */
import { randomBytes } from 'node:crypto'
import { InvalidInputError } from './errors.ts'

const HEADER = '/key/swarm/psk/1.0.0/'

/** A new random swarm key, as the file holds it. */
export function generateSwarmKey (): string {
  return `${HEADER}\n/base16/\n${randomBytes(32).toString('hex')}\n`
}

/** Check a swarm key file's contents and return them as the bytes @libp2p/pnet expects. */
export function parseSwarmKey (contents: Uint8Array | string): Uint8Array {
  const text = typeof contents === 'string' ? contents : new TextDecoder().decode(contents)
  const lines = text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '')
  if (lines.length !== 3 || lines[0] !== HEADER || lines[1] !== '/base16/' || !/^[0-9a-fA-F]{64}$/.test(lines[2])) {
    throw new InvalidInputError(`not a swarm key: expected the lines "${HEADER}", "/base16/" and 64 hex digits (make one with \`toyrrent swarm-key --out FILE\`)`)
  }
  return new TextEncoder().encode(`${lines[0]}\n${lines[1]}\n${lines[2].toLowerCase()}`)
}
