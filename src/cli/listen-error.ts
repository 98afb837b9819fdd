/**
 * libp2p's error for listen addresses it could not bind names one of its own
 * options (`transportManager.faultTolerance`) and carries stack text: say
 * instead which address failed and why, in toyrrent's terms.
 */
import { ToyrrentError } from '../errors.ts'

export function listenError (err: unknown): Error | undefined {
  const message = (err as Error)?.message ?? ''
  if (!/failed to be listened on|faultTolerance/.test(message)) return undefined
  const failures = [...message.matchAll(/(\/[\w/.:-]+?): (?:\w*Error: )?listen (\w+)/g)]
  const what = failures.length === 0
    ? 'a --listen address could not be bound'
    : failures.map(([, addr, code]) => `${addr}: ${reason(code)}`).join('; ')
  return new ToyrrentError(`cannot listen on ${what} (pick another port with --listen, e.g. /ip4/0.0.0.0/tcp/0 for any free one)`)
}

function reason (code: string): string {
  if (code === 'EADDRINUSE') return 'the address is already in use (another daemon?)'
  if (code === 'EADDRNOTAVAIL') return 'no interface of this machine has that address'
  if (code === 'EACCES') return 'permission denied (ports below 1024 need privileges)'
  return code
}
