/**
 * Write fan-out: store an item on the R nearest peers and settle once W have
 * acknowledged. A peer that does not answer (or is busy, or full) is replaced
 * by the next nearest so W can still be reached; a peer that refuses the item
 * itself (stale seq, bad signature...) is not, since the next would be asked
 * to accept what the replica set has already refused.
 */
import { InsufficientPeersError, RemoteRejectedError } from '../errors.ts'
import type { FoundPeer } from './types.ts'

/** Refusals about the item, not the peer: moving on to another peer would not help. */
const FINAL_REFUSALS = new Set(['bad-request', 'too-large', 'hash-mismatch', 'bad-signature', 'id-mismatch', 'stale-seq', 'cas-mismatch'])

export interface ReplicateInit {
  /** Candidates nearest first; the first `replicas` are the replica set, the rest stand by. */
  peers: FoundPeer[]
  replicas: number
  quorum: number
  storeOn(peer: FoundPeer): Promise<void>
}

export interface ReplicateResult {
  acked: FoundPeer[]
  /** Stores still running when the quorum was reached; they go on in the background. */
  pending: Promise<void>
}

export async function replicate (init: ReplicateInit): Promise<ReplicateResult> {
  const { peers, replicas, quorum } = init
  const acked: FoundPeer[] = []
  const refusals: RemoteRejectedError[] = []
  const failures: Error[] = []
  const all: Array<Promise<void>> = []
  const { promise, resolve, reject } = Promise.withResolvers<ReplicateResult>()
  let next = 0
  let running = 0

  const settle = (): void => {
    if (acked.length >= quorum) {
      resolve({ acked: [...acked], pending: Promise.allSettled(all).then(() => {}) })
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
      all.push(init.storeOn(peer).then(() => { acked.push(peer) }, (err: Error) => {
        if (err instanceof RemoteRejectedError && FINAL_REFUSALS.has(err.code)) refusals.push(err)
        else failures.push(err)
      }).finally(() => {
        running--
        launch()
        settle()
      }))
    }
  }
  launch()
  settle()
  return promise
}
