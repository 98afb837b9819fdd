/**
 * The pin state of the hash items held on this node: what files' pins
 * (src/files/pins.ts) ask of the node's store, and nothing more. A value is
 * kept pinned through the acceptor (the store's one way in), so a pin obeys
 * the same checks as any other write.
 */
import { InvalidInputError } from '../errors.ts'
import { MAX_VALUE_BYTES } from '../constants.ts'
import { hashItemKey, verifyHashItem } from '../records/hash-item.ts'
import type { ItemAcceptor } from './accept.ts'
import type { ItemStore } from './item-store.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/** The pin state of hash items held on this node, and a place for pin records. */
export interface LocalPins {
  /** Keep a value here, pinned, without writing it to others (`pin add` of blocks fetched from the network). Returns its key. */
  keep(value: Uint8Array, options?: AbortOptions): Promise<Uint8Array>
  /** Unpin a hash item held here: it becomes an ordinary item that expires like others'. False when it was not pinned here. */
  unpin(key: Uint8Array, options?: AbortOptions): Promise<boolean>
  /** Is this hash item held here, pinned? (no I/O) */
  isPinned(key: Uint8Array): boolean
  /** The pinned hash items held here, with their stored sizes (no I/O). */
  pinned(): Array<{ key: Uint8Array, bytes: number }>
  /** The node's datastore: pin records live under their own prefix beside the items. */
  readonly datastore: Datastore
}

/** LocalPins over a node's store and acceptor; pin records go to `datastore`. */
export function localPins (store: Pick<ItemStore, 'meta' | 'metas'>, acceptor: Pick<ItemAcceptor, 'accept' | 'unpin'>, datastore: Datastore): LocalPins {
  return {
    datastore,
    async keep (value, options) {
      const key = hashItemKey(value)
      if (!verifyHashItem(key, value)) throw new InvalidInputError(`value is ${value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES}`)
      const result = await acceptor.accept({ kind: 'hash', key, body: value, ttlSeconds: 0 }, { ...options, pinned: true })
      if (result.refused != null) throw new InvalidInputError(result.message ?? result.refused)
      return key
    },
    async unpin (key, options) { return acceptor.unpin(key, options) },
    isPinned: key => store.meta(key)?.pinned === true,
    pinned: () => [...store.metas()].filter(m => m.pinned && m.kind === 'hash').map(m => ({ key: m.key, bytes: m.bytes }))
  }
}
