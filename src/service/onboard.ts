/**
 * Onboarding, the newcomer's side of the handoff protocol: pull from a
 * neighbour, batch by batch, the items this node is now among the R nearest
 * for; verify and keep each (the acceptor re-hashes or checks the signature)
 * and acknowledge the kept ones in the next request. The neighbour drops its
 * copies only after these acknowledgements.
 */
import { Frame, Status } from '../rpc/pb/rpc.ts'
import { HANDOFF_BATCH_ITEMS } from '../constants.ts'
import type { RpcClient } from '../rpc/client.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { FoundPeer } from './types.ts'
import type { Logger } from '@libp2p/interface'

export interface HandoffResult {
  items: number
  bytes: number
  refused: number
}

export async function pullHandoff (peer: FoundPeer, rpc: RpcClient, acceptor: ItemAcceptor, log: Logger, signal: AbortSignal, requestTimeout: number): Promise<HandoffResult> {
  const result: HandoffResult = { items: 0, bytes: 0, refused: 0 }
  let cursor = new Uint8Array(0) as Uint8Array<ArrayBuffer>
  let acked: Array<Uint8Array<ArrayBuffer>> = []
  // bounded: every batch advances the cursor through the neighbour's finite key set
  while (true) {
    signal.throwIfAborted()
    const response = await rpc.request(peer.peerId, {
      type: Frame.Type.HANDOFF,
      handoffRequest: { cursor, limit: HANDOFF_BATCH_ITEMS, acked }
    }, { signal, timeout: requestTimeout })
    const batch = response.handoffResponse
    if (batch == null) break
    acked = []
    for (const item of batch.items) {
      const accepted = await acceptor.accept(item, { signal })
      if (accepted.status === Status.OK) {
        acked.push(item.key)
        result.items++
        result.bytes += item.body.byteLength
      } else {
        result.refused++
        log('handoff from %p: refused an item: %s', peer.peerId, accepted.message)
      }
    }
    if (batch.done || batch.items.length === 0) break
    cursor = batch.cursor
  }
  if (acked.length > 0) {
    // deliver the last batch's acknowledgements; the reply is empty
    await rpc.request(peer.peerId, { type: Frame.Type.HANDOFF, handoffRequest: { cursor: new Uint8Array(32).fill(255), limit: 1, acked } }, { signal, timeout: requestTimeout })
  }
  return result
}
