/**
 * One node of the in-memory network: a real `Toyrrent` with a
 * MemoryDatastore, minimal stand-ins for the libp2p components it uses
 * (registrar, peer store, connection and address managers) and a
 * MemoryTransport in place of libp2p streams.
 */
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { sha256 } from '../keyspace.ts'
import { MemoryTransport } from './memory-transport.ts'
import { Toyrrent } from '../service/toyrrent.ts'
import type { FrameCarrier } from './memory-transport.ts'
import type { ToyrrentComponents } from '../service/toyrrent.ts'
import type { ToyrrentInit } from '../service/options.ts'
import type { ComponentLogger, PeerId, Peer, PeerStore, PrivateKey, StreamHandler, Topology } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'

/** One node of the network: the service and what stands in for its libp2p stack. */
export interface Member {
  node: Toyrrent
  peerId: PeerId
  /** Protocols the service handles (registrar.handle): a stopped service handles none and is refused. */
  handled: Set<string>
  topologies: Map<string, { protocol: string, topology: Topology }>
  down: boolean
  /** Aborted when the node goes down or stops: ends the requests it is serving. */
  alive: AbortController
}

/** A node's key: random, or the `index`-th derived from `seed` (the virtual-time simulation's determinism). */
export async function memberKey (seed: number | undefined, index: number): Promise<PrivateKey> {
  return seed == null
    ? generateKeyPair('Ed25519')
    : generateKeyPairFromSeed('Ed25519', sha256(new TextEncoder().encode(`memory network ${seed} node ${index}`)))
}

/** A new member, its service made (not started) and sending through `network`. */
export function createMember (key: PrivateKey, init: ToyrrentInit, network: FrameCarrier, logger: ComponentLogger): Member {
  const peerId = peerIdFromPrivateKey(key)
  let topologyIds = 0
  const member: Omit<Member, 'node'> = { peerId, handled: new Set(), topologies: new Map(), down: false, alive: new AbortController() }
  const registrar: Partial<Registrar> = {
    handle: async (protocol: string, _handler: StreamHandler) => { member.handled.add(protocol) },
    unhandle: async (protocol: string) => { member.handled.delete(protocol) },
    register: async (protocol: string, topology: Topology) => {
      const id = `topology-${++topologyIds}`
      member.topologies.set(id, { protocol, topology })
      return id
    },
    unregister: (id: string) => { member.topologies.delete(id) }
  }
  const peerStore: Partial<PeerStore> = {
    get: async (id: PeerId): Promise<Peer> => ({ id, addresses: [], protocols: [], metadata: new Map(), tags: new Map() }),
    merge: async (id: PeerId): Promise<Peer> => ({ id, addresses: [], protocols: [], metadata: new Map(), tags: new Map() })
  }
  const components: ToyrrentComponents = {
    peerId,
    registrar: registrar as Registrar,
    // lookups start from the routing table, which onConnect fills
    connectionManager: { getConnections: () => [] } as unknown as ConnectionManager,
    addressManager: { getAddresses: () => [] } as unknown as AddressManager,
    peerStore: peerStore as PeerStore,
    datastore: new MemoryDatastore(),
    logger,
    privateKey: key
  }
  return { ...member, node: new Toyrrent(components, init, new MemoryTransport(network, peerId)) }
}
