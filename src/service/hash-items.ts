/**
 * Hash items: put stores an immutable value under its SHA-256 on the R
 * nearest nodes (and here, pinned); get returns the first copy that hashes
 * right, asking the nearest replica first and widening on a miss.
 */
import { RemoteRejectedError } from '../errors.ts'
import { checkValueSize, hashItemKey, keyToCid, verifyHashItem } from '../records/hash-item.ts'
import { isExpired } from '../store/item-store.ts'
import type { Lookups } from './lookups.ts'
import type { PeerRequests } from './peer-requests.ts'
import type { Writer } from './writer.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { Item } from '../records/item.ts'
import type { PutResult } from './types.ts'
import type { Logger } from '@libp2p/interface'

export interface HashItemsInit {
  store: ItemStore
  acceptor: ItemAcceptor
  writer: Writer
  lookups: Lookups
  requests: PeerRequests
  log: Logger
}

export class HashItems {
  private readonly init: HashItemsInit

  constructor (init: HashItemsInit) {
    this.init = init
  }

  /** Keep the value here (pinned: our own users' data), then on the R nearest. */
  async put (value: Uint8Array, signal: () => AbortSignal): Promise<PutResult> {
    checkValueSize(value)
    const key = hashItemKey(value)
    const item: Item = { kind: 'hash', key, body: value, ttlSeconds: 0 }
    await this.init.acceptor.accept(item, { pinned: true })
    const stored = await this.init.writer.replicate(item, signal())
    return { key, cid: keyToCid(key), stored }
  }

  /** The local copy when it verifies, else the first verified copy a replica serves. */
  async get (key: Uint8Array, signal: () => AbortSignal): Promise<Uint8Array> {
    const local = await this.init.store.get(key)
    if (local != null && !isExpired(local) && verifyHashItem(key, local.body)) return local.body
    const { lookups, requests } = this.init
    let found: Uint8Array | undefined
    const result = await lookups.run(key, lookups.firstCopyShape(), signal(), async (peer, querySignal) => {
      const answer = await requests.ask(peer, { signal: querySignal }, async (rpc, options) => rpc.fetch(peer, key, 0, options))
      if (answer.item == null) return { closer: answer.closer }
      if (answer.item.kind !== 'hash' || !verifyHashItem(key, answer.item.body)) {
        // a lying or broken replica: skip it, the lookup goes on to the others
        this.init.log('%p served a value that does not hash to %s', peer.peerId, keyToCid(key))
        throw new RemoteRejectedError(`${peer.peerId} served wrong bytes`, 'hash-mismatch')
      }
      found ??= answer.item.body
      return { closer: [], stop: true }
    })
    if (found != null) return found
    throw lookups.missingError(keyToCid(key), result)
  }
}
