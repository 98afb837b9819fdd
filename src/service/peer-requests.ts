/**
 * Every request this node sends to a peer goes through here: its deadline,
 * its retries when the peer answers BUSY, and the one rule for what a
 * failure says about the peer. Every answer (a refusal included) is a sign
 * of life; only silence counts against a peer: a refused connection or a
 * broken stream takes it out of the routing table at once, a timeout only
 * the third in a row (the table's rule). A request we gave up on ourselves
 * says nothing about the peer, and neither does a timeout that was ours
 * (fair-timeout.ts): one whose timer fired late because this process was too
 * busy to run it, or one left with too little of the deadline to be fair.
 * An answer that comes after its request timed out is a sign of life too.
 */
import { RemoteRejectedError } from '../errors.ts'
import { BUSY_BACKOFF_MS, BUSY_RETRIES } from '../constants.ts'
import { sleep } from '../signals.ts'
import { timeoutWasOurs } from './fair-timeout.ts'
import type { PeerRtt } from './peer-rtt.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { PeerRpc, RequestOptions } from '../rpc/peer-rpc.ts'
import type { PeerTable } from './peer-table.ts'
import type { FoundPeer } from '../found-peer.ts'
import type { Logger, PeerId } from '@libp2p/interface'

export interface AskOptions {
  signal: AbortSignal
  /** Hears the bytes each exchange took (repair accounts its traffic). */
  onBytes?(bytes: number): void
}

export interface PeerRequestsInit {
  rpc: PeerRpc
  table: PeerTable
  /** Deadline of one request, BUSY retries included, in ms. */
  requestTimeout: number
  log: Logger
  clock?: Clock
  /** Hears the round trip of every answered request (the read hedge uses it). */
  rtt?: PeerRtt
  /**
   * Whether a peer that answered may enter the routing table: not while we
   * reach it only through a relay (a limited connection carries too little
   * for a replica; protocols/rpc.md, "Limited connections"). @default always
   */
  admits?(peer: PeerId): boolean
}

export class PeerRequests {
  private readonly init: PeerRequestsInit
  private readonly answerListeners = new Set<() => void>()

  constructor (init: PeerRequestsInit) {
    this.init = init
  }

  /** Hear every answer any peer gives (refusals and late answers too) until the returned function is called. */
  onAnswer (listener: () => void): () => void {
    this.answerListeners.add(listener)
    return () => { this.answerListeners.delete(listener) }
  }

  private answered (): void {
    for (const listener of this.answerListeners) listener()
  }

  /**
   * Ask `peer` one thing: `call` gets the typed client and the options of one
   * attempt. Throws what the last attempt threw.
   */
  async ask<T> (peer: FoundPeer, options: AskOptions, call: (rpc: PeerRpc, options: RequestOptions) => Promise<T>): Promise<T> {
    const clock = this.init.clock ?? systemClock
    const deadline = clock.now() + this.init.requestTimeout
    const onLateAnswer = (): void => {
      this.init.table.heard(peer.peerId)
      this.answered()
    }
    let sentAt = 0
    let sent = 0
    let timeout = 0
    for (let attempt = 0; ; attempt++) {
      try {
        sentAt = clock.now()
        sent = clock.monotonic()
        timeout = Math.max(deadline - sentAt, 1)
        const answer = await call(this.init.rpc, { signal: options.signal, timeout, onBytes: options.onBytes, onLateAnswer })
        if (attempt === 0) this.init.rtt?.record(peer.peerId.toString(), clock.monotonic() - sent)
        this.answered()
        if (this.init.admits?.(peer.peerId) !== false) this.init.table.add(peer.peerId, peer.multiaddrs, peer.position)
        return answer
      } catch (err: any) {
        // BUSY is retryable: back off and ask again while the deadline allows, then fail with
        // code 'busy', which writes treat as this peer failing (they move on to the next)
        const backoff = BUSY_BACKOFF_MS * 2 ** attempt * (0.5 + Math.random())
        if (isBusy(err) && attempt < BUSY_RETRIES && clock.now() + backoff < deadline) {
          await sleep(backoff, options.signal, clock)
          continue
        }
        this.failed(peer, err, options.signal, { sentAt, elapsed: clock.monotonic() - sent, timeout })
        throw err
      }
    }
  }

  /** Drop every open channel (service stop). */
  close (): void {
    this.init.rpc.close()
  }

  private failed (peer: FoundPeer, err: Error, signal: AbortSignal, attempt: { sentAt: number, elapsed: number, timeout: number }): void {
    if (signal.aborted) return
    if (err instanceof RemoteRejectedError) {
      this.init.table.heard(peer.peerId)
      this.answered()
      return
    }
    const timedOut = err.name === 'TimeoutError'
    if (timedOut) {
      const ours = timeoutWasOurs({ ...attempt, requestTimeout: this.init.requestTimeout })
      if (ours != null) {
        this.init.log('a request to %p timed out, not counted against it: %s', peer.peerId, ours)
        return
      }
    }
    if (this.init.table.failed(peer.peerId, timedOut, attempt.sentAt)) {
      this.init.log('asking %p failed, dropped it from the table: %s', peer.peerId, err.message)
    }
  }
}

function isBusy (err: unknown): boolean {
  return err instanceof RemoteRejectedError && err.code === 'busy'
}
