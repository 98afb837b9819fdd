/**
 * Write fan-out: store an item on the R nearest peers and settle once W have
 * acknowledged. A peer that does not answer (or is busy, or full) is replaced
 * by the next nearest so W can still be reached; a peer that refuses the item
 * itself (stale seq, bad signature...) is not, since the next would be asked
 * to accept what the replica set has already refused.
 */
import { InsufficientPeersError, RemoteRejectedError } from '../errors.ts'
import { isFinal } from '../refusals.ts'
import type { FoundPeer } from '../found-peer.ts'

export interface ReplicateInit {
  /** Candidates nearest first; the first `replicas` are the replica set, the rest stand by. */
  peers: FoundPeer[]
  replicas: number
  quorum: number
  storeOn(peer: FoundPeer): Promise<void>
}

export interface ReplicateResult {
  acked: FoundPeer[]
}

export async function replicate (init: ReplicateInit): Promise<ReplicateResult> {
  const { peers, replicas, quorum } = init
  const acked: FoundPeer[] = []
  const refusals: RemoteRejectedError[] = []
  const failures: Error[] = []
  const { promise, resolve, reject } = Promise.withResolvers<ReplicateResult>()
  let next = 0
  let running = 0

  const settle = (): void => {
    if (acked.length >= quorum) {
      resolve({ acked: [...acked] })
    } else if (running === 0) {
      if (refusals.length > 0) {
        const first = refusals[0]
        reject(new RemoteRejectedError(`refused by ${refusals.length} replica(s): ${first.message}`, first.code))
      } else {
        const reasons = failures.map(e => e.message).join('; ')
        reject(new InsufficientPeersError(`stored on ${acked.length} of the ${quorum} nodes needed${reasons === '' ? ': no peers' : ` (${reasons})`}`))
      }
    }
  }

  const launch = (): void => {
    while (running + acked.length + refusals.length < replicas && next < peers.length) {
      const peer = peers[next++]
      running++
      void init.storeOn(peer).then(() => { acked.push(peer) }, (err: Error) => {
        if (err instanceof RemoteRejectedError && isFinal(err.code)) refusals.push(err)
        else failures.push(err)
      }).finally(() => {
        running--
        launch()
        settle()
      })
    }
  }
  launch()
  settle()
  return promise
}
