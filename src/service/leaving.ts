/**
 * A graceful leave, in its two steps: hand every item to the next nearest
 * nodes while connections are still up (repair's handOffAll), then tell our
 * peers we leave (LEAVE, leave-notice.ts) so they drop us now rather than on
 * a failed request. Both are bounded: the handoff by `leaveTimeout`, the
 * notice by its own deadline; neither throws.
 */
import { deadlineSignal } from '../signals.ts'
import { announceLeave } from './leave-notice.ts'
import { rememberLeave } from './leave-return.ts'
import type { Clock } from '../clock.ts'
import type { PeerRpc } from '../rpc/peer-rpc.ts'
import type { PeerTable } from './peer-table.ts'
import type { Repairer } from './repair.ts'
import type { ToyrrentComponents } from './types.ts'
import type { Logger, PeerId } from '@libp2p/interface'

export interface LeavingInit {
  components: Pick<ToyrrentComponents, 'connectionManager' | 'peerStore' | 'datastore'>
  protocol: string
  /** ms the handoff may take. */
  leaveTimeout: number
  repairer: Repairer
  rpc: PeerRpc
  table: PeerTable
  /** Items held here (nothing to hand off when 0). */
  items(): number
  /** A client is in nobody's table and says nothing. */
  serving(): boolean
  clock: Clock
  log: Logger
}

export async function leaveGracefully (init: LeavingInit, signal: AbortSignal): Promise<void> {
  await handOffAll(init, signal)
  if (init.serving()) await tellPeers(init, signal)
}

async function handOffAll (init: LeavingInit, signal: AbortSignal): Promise<void> {
  const { leaveTimeout: timeout, log } = init
  if (timeout <= 0 || init.items() === 0 || init.table.size === 0) return
  const started = Date.now()
  log('leaving: handing %d items to the next nearest nodes (at most %d ms)', init.items(), timeout)
  try {
    const { items, pushed } = await init.repairer.handOffAll(deadlineSignal([signal], timeout, init.clock))
    log('leaving: %d items checked, %d pushed in %d ms', items, pushed, Date.now() - started)
  } catch (err: any) {
    log('leaving: handoff stopped after %d ms: %s', Date.now() - started, err.message)
  }
}

/** LEAVE to the peers of our table and the connected ones that speak the protocol (not over relayed connections). */
async function tellPeers (init: LeavingInit, signal: AbortSignal): Promise<void> {
  const started = Date.now()
  const { connectionManager, peerStore } = init.components
  const connectedPeers = async (): Promise<PeerId[]> => {
    const peers = [...new Map(connectionManager.getConnections().filter(c => c.limits == null).map(c => [c.remotePeer.toString(), c.remotePeer])).values()]
    const speaks = await Promise.all(peers.map(async p => (await peerStore.get(p).catch(() => undefined))?.protocols.includes(init.protocol) === true))
    return peers.filter((_, i) => speaks[i])
  }
  const { peers, told, unknownType, failed, sent } = await announceLeave({ rpc: init.rpc, table: init.table, connectedPeers, clock: init.clock }, signal)
  init.log('leaving: told %d of %d peers (%d older ones do not know LEAVE, %d did not answer) in %d ms', told, peers, unknownType, failed, Date.now() - started)
  // a restart soon after dials them back, so they take us in again at once (leave-return.ts)
  await rememberLeave(init.components, sent, init.clock)
}
