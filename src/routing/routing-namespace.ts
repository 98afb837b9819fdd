/**
 * What a routing-key namespace provides (`/ipns/` built in, others added by
 * the embedder): its own module so the built-in namespaces and the registry
 * (namespaces.ts) both depend on it and not on each other.
 */
export interface RoutingNamespace {
  /** Resolves when `value` is a valid record under `key`; throws (any error) otherwise. */
  validate(key: Uint8Array, value: Uint8Array): Promise<void>
  /** The index of the best of `values`, all valid under `key`. */
  select(key: Uint8Array, values: Uint8Array[]): number
  /**
   * A number that grows with each newer record (IPNS: its sequence), kept
   * with the item so anti-entropy repair notices a replica holding an older
   * one. Omitted: 0, and repair only notices a missing record.
   */
  version?(value: Uint8Array): bigint
}
