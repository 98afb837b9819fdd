/**
 * Every request this node sends to a peer goes through here: its deadline,
 * its retries when the peer answers BUSY, and the one rule for what a
 * failure says about the peer. Every answer (a refusal included) is a sign
 * of life; only silence counts against a peer: a refused connection or a
 * broken stream takes it out of the routing table at once, a timeout only
 * the third in a row (the table's rule). A request we gave up on ourselves
 * says nothing about the peer.
 */
import { RemoteRejectedError } from '../errors.ts'
import { BUSY_BACKOFF_MS, BUSY_RETRIES } from '../constants.ts'
import { sleep } from '../signals.ts'
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

  constructor (init: PeerRequestsInit) {
    this.init = init
  }

  /**
   * Ask `peer` one thing: `call` gets the typed client and the options of one
   * attempt. Throws what the last attempt threw.
   */
  async ask<T> (peer: FoundPeer, options: AskOptions, call: (rpc: PeerRpc, options: RequestOptions) => Promise<T>): Promise<T> {
    const clock = this.init.clock ?? systemClock
    const deadline = clock.now() + this.init.requestTimeout
    for (let attempt = 0; ; attempt++) {
      try {
        const sent = clock.monotonic()
        const answer = await call(this.init.rpc, { signal: options.signal, timeout: Math.max(deadline - clock.now(), 1), onBytes: options.onBytes })
        if (attempt === 0) this.init.rtt?.record(peer.peerId.toString(), clock.monotonic() - sent)
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
        this.failed(peer, err, options.signal)
        throw err
      }
    }
  }

  /** Drop every open channel (service stop). */
  close (): void {
    this.init.rpc.close()
  }

  private failed (peer: FoundPeer, err: Error, signal: AbortSignal): void {
    if (signal.aborted || err instanceof RemoteRejectedError) return
    if (this.init.table.failed(peer.peerId, err.name === 'TimeoutError')) {
      this.init.log('asking %p failed, dropped it from the table: %s', peer.peerId, err.message)
    }
  }
}

function isBusy (err: unknown): boolean {
  return err instanceof RemoteRejectedError && err.code === 'busy'
}
