/**
 * An item as the service and the store handle it: the domain form of the
 * wire `Item` (src/rpc/wire.ts converts between the two).
 */

/**
 * Hash items are immutable (key = SHA-256 of the value); publish items are
 * signed records; routing records are libp2p routing keys and values
 * (key = SHA-256 of the routing key) checked by their namespace's validator.
 */
export type ItemKind = 'hash' | 'publish' | 'routing'

export interface Item {
  kind: ItemKind
  /** 32 bytes. */
  key: Uint8Array
  /** The value (hash item), the encoded PublishRecord (publish item) or RoutingRecord (routing record). */
  body: Uint8Array
  /** How much longer holders keep it, in seconds as it travels; 0 = the receiver's default. */
  ttlSeconds: number
  /**
   * Publish items chosen by compare-and-swap: the acceptor set of the next
   * slot (records/acceptor-set.ts, protocols/cas.md). Outside the record's
   * signature; absent or empty: no set.
   */
  acceptors?: Uint8Array[]
}
