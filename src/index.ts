/**
 * toyrrent: a Kademlia-style distributed key-value store as a libp2p service.
 *
 * @example Embedding the service in a libp2p application
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { toyrrent } from 'toyrrent'
 *
 * const node = await createLibp2p({ ...yourConfig, services: { ...yourServices, toyrrent: toyrrent() } })
 * const { cid, key } = await node.services.toyrrent.put(new TextEncoder().encode('hello'))
 * const value = await node.services.toyrrent.get(key)
 * ```
 */
import { Toyrrent } from './service/toyrrent.ts'
import type { ToyrrentComponents } from './service/toyrrent.ts'
import type { ToyrrentInit } from './service/options.ts'

export function toyrrent (init: ToyrrentInit = {}): (components: ToyrrentComponents) => Toyrrent {
  return (components) => new Toyrrent(components, init)
}

export { Toyrrent }
export type { ToyrrentComponents, ToyrrentInit }
export type { ToyrrentApi, FoundPeer, PutResult, PublishOptions, PublishResult, ResolveResult, HoldersResult, HeldItem, ToyrrentStats, NetworkStats, ToyrrentOperationOptions } from './service/types.ts'
export type { HandoffResult } from './service/onboard.ts'
export type { RefusalCode, Refusal } from './refusals.ts'
export { REFUSALS, refusal, isFinal } from './refusals.ts'
export { createToyrrentNode } from './node.ts'
export type { ToyrrentNode, ToyrrentNodeOptions } from './node.ts'
export * from './errors.ts'
export * from './constants.ts'
export { keyToCid, parseKey, hashItemKey } from './records/hash-item.ts'
export { peerPosition, distance, compareDistance } from './keyspace.ts'
export { RoutingNamespaces } from './routing/namespaces.ts'
export type { RoutingNamespace } from './routing/namespaces.ts'
export { routingItemKey, MAX_ROUTING_KEY_BYTES } from './records/routing-record.ts'
// files of any size: UnixFS DAGs over hash items (src/files)
export { Files, filesOf, ToyrrentBlockstore, getBlock, putBlock, blockKey } from './files/index.ts'
export type { FilesInit, BlockService, PinRecord, PinEntry } from './files/index.ts'
export type { LocalPins } from './service/types.ts'
// the CLI's key files (`toyrrent keygen`), for applications that publish under the same key
export { readKeyFile, writeKeyFile } from './key-file.ts'
