/**
 * An item as the service and the store handle it: the domain form of the
 * wire `Item` (src/rpc/wire.ts converts between the two).
 */

/** Hash items are immutable (key = SHA-256 of the value); publish items are signed records. */
export type ItemKind = 'hash' | 'publish'

export interface Item {
  kind: ItemKind
  /** 32 bytes. */
  key: Uint8Array
  /** The value (hash item) or the encoded PublishRecord (publish item). */
  body: Uint8Array
  /** How much longer holders keep it, in seconds as it travels; 0 = the receiver's default. */
  ttlSeconds: number
}
