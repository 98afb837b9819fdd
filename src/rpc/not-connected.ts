/**
 * A request sent with `noDial` to a peer we have no open direct connection
 * to: refused here, before anything is sent (a forwarder never dials; a
 * forwarded read goes only over a connection already open). It says nothing
 * about the peer: no routing-table effect.
 */
export class NotConnectedError extends Error {
  static override name = 'NotConnectedError'
  override name = 'NotConnectedError'
  readonly code = 'not-connected'
}
