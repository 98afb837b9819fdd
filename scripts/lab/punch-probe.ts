/**
 * Hole punching, tried TRIES times: run inside a NATed lab namespace, a
 * toyrrent node (DCUtR on, as the daemon runs it) listening on one transport
 * only dials TARGET through RELAY (`<relay>/p2p-circuit/p2p/<target>`),
 * waits up to WAIT_MS for a direct (not limited) connection to TARGET to
 * appear next to the relayed one, then hangs up and tries again. Prints one
 * JSON line: the tries, the successes, and the addresses DCUtR had to work
 * with (ours as we offer them, the target's as identify told us; a punch
 * needs a public, non-relayed one on each side).
 *
 *   node dist/scripts/lab/punch-probe.js tcp|quic /ip4/…/tcp/4001/p2p/<relay> <target peer id> 20 6000
 */
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { createToyrrentNode } from '../../src/node.ts'
import { isPublicAddr } from '../../src/reachability/reachability.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

const [transport, relay, target, triesText = '20', waitText = '6000'] = process.argv.slice(2)
const tries = Number(triesText)
const waitMs = Number(waitText)
const listen = transport === 'quic' ? '/ip4/0.0.0.0/udp/4001/quic-v1' : '/ip4/0.0.0.0/tcp/4001'
const node = await createToyrrentNode({ listen: [listen], bootstrap: [relay], mode: 'auto', upnp: false, relayReservations: 0, leaveTimeout: 0, bootstrapRetry: false })
const circuit = multiaddr(`${relay}/p2p-circuit/p2p/${target}`)
const peerOf = (): Array<{ limits?: unknown, status: string, remoteAddr: Multiaddr }> => node.libp2p.getConnections().filter(c => c.remotePeer.toString() === target)
const punchable = (addrs: Multiaddr[]): string[] => addrs.filter(a => isPublicAddr(a) && !a.toString().includes('/p2p-circuit')).map(String)

async function until (check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise(resolve => setTimeout(resolve, 50)) // poll interval for the connection list
  }
  return true
}

const results: Array<{ relayed: boolean, direct: boolean, directMs?: number, directAddr?: string, error?: string }> = []
let targetAddrs: string[] = []
for (let i = 0; i < tries; i++) {
  const started = Date.now()
  try {
    const relayed = await node.libp2p.dial(circuit, { signal: AbortSignal.timeout(15_000) })
    const direct = await until(() => peerOf().some(c => c.limits == null && c.status === 'open'), waitMs)
    const conn = peerOf().find(c => c.limits == null && c.status === 'open')
    results.push({ relayed: relayed.limits != null, direct, ...(direct ? { directMs: Date.now() - started, directAddr: conn?.remoteAddr.toString() } : {}) })
    if (targetAddrs.length === 0) targetAddrs = (await node.libp2p.peerStore.get(relayed.remotePeer)).addresses.map(a => a.multiaddr.toString())
  } catch (err: any) {
    results.push({ relayed: false, direct: false, error: err.message })
  }
  await node.libp2p.hangUp(peerIdFromString(target)).catch(() => {})
  await until(() => peerOf().length === 0, 5000)
}
const own = node.libp2p.getMultiaddrs()
process.stdout.write(JSON.stringify({
  transport,
  tries,
  relayedTries: results.filter(r => r.relayed).length,
  successes: results.filter(r => r.direct).length,
  results,
  ownAddrs: own.map(String),
  ownPunchable: punchable(own),
  targetAddrs,
  targetPunchable: punchable(targetAddrs.map(a => multiaddr(a)))
}) + '\n')
await node.stop()
