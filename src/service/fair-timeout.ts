/**
 * Whether a request's timeout says anything about the peer or only about
 * us. Under load the silence is often our own: the event loop was too busy
 * to run the timer (or to read an answer already waiting on the socket), or
 * the request spent most of its deadline waiting for BUSY retries before its
 * last attempt went out. dht-rpc likewise starts a request's timer only once
 * its congestion window lets the request go out. Such timeouts never count
 * toward dropping a peer (PeerRequests, PeerTable.failed).
 */

/** A timer firing this much later than asked (and at least LATE_TIMER_MIN_MS) means this process was stalled. */
export const LATE_TIMER_SHARE = 0.25
export const LATE_TIMER_MIN_MS = 100

/** A last attempt left with less than this share of the request deadline had no fair chance. */
export const FAIR_DEADLINE_SHARE = 0.5

export interface TimedOutAttempt {
  /** ms the attempt was given. */
  timeout: number
  /** ms that passed between sending it and hearing it timed out. */
  elapsed: number
  /** The deadline of a whole request (all attempts), in ms. */
  requestTimeout: number
}

/** Why the timeout was ours (a sentence for the log), or undefined when it counts against the peer. */
export function timeoutWasOurs (attempt: TimedOutAttempt): string | undefined {
  const late = attempt.elapsed - attempt.timeout
  if (late > Math.max(LATE_TIMER_MIN_MS, attempt.timeout * LATE_TIMER_SHARE)) {
    return `its ${Math.round(attempt.timeout)} ms timer fired ${Math.round(late)} ms late: this process was too busy`
  }
  if (attempt.timeout < attempt.requestTimeout * FAIR_DEADLINE_SHARE) {
    return `its last attempt had only ${Math.round(attempt.timeout)} of ${attempt.requestTimeout} ms`
  }
  return undefined
}
