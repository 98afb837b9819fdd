/**
 * JSON shapes of the HTTP API, shared by the server (src/api/routes) and the
 * client (src/api/client.ts). Values travel as raw bytes, everything else as JSON.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { FoundPeer, ToyrrentApi } from '../service/types.ts'

/** The narrow part of a toyrrent node the API needs (a ToyrrentNode satisfies it). */
export interface ApiNode {
  libp2p: Pick<Libp2p, 'peerId' | 'getMultiaddrs' | 'getConnections'>
  toyrrent: ToyrrentApi & { tableBands?(): Map<number, FoundPeer[]> }
  /** Dial a multiaddr and join through it (`POST /v1/connect`); a ToyrrentNode has it. */
  connect?(addr: string, options?: { signal?: AbortSignal }): Promise<{ peerId: PeerId, joined: boolean, peers: number }>
  /** Server or client and the reachability behind it (src/reachability); a ToyrrentNode has it. */
  modes?: { mode: 'server' | 'client', reachability: 'public' | 'private' | 'unknown' }
}

/** Reply of `POST /v1/connect`. */
export interface ConnectResponse {
  /** The peer the address led to. */
  peerId: string
  /** It speaks toyrrent and is in this node's routing table after the join. */
  joined: boolean
  /** Peers in this node's routing table afterwards. */
  peers: number
}

/** Reply of `POST /v1/items`. `key` and `cid` are the same CID string. */
export interface PutResponse {
  key: string
  cid: string
  /** The 32-byte key as 64 hex characters. */
  hex: string
  /** Peer ids that acknowledged storing the item. */
  stored: string[]
}

/** Reply of `GET /v1/id`. */
export interface IdResponse {
  peerId: string
  /** Position in the key space, 64 hex characters. */
  position: string
  multiaddrs: string[]
  /** Whether peers on the internet can dial this node, as far as it knows. */
  reachability: 'public' | 'private' | 'unknown'
  /** A server answers the RPC protocol and holds replicas; a client only asks. */
  mode: 'server' | 'client'
}

/** One connected peer in `GET /v1/peers`. */
export interface PeerJson {
  peerId: string
  /** Where it listens (as it told us, else the address of our connection), without `/p2p/<peer id>`. */
  multiaddrs: string[]
  /** Each open connection: its remote address and whether it runs through a relay. */
  connections?: Array<{ remoteAddr: string, relayed: boolean, direction: 'inbound' | 'outbound' }>
  /** True when every open connection to this peer is relayed. */
  relayed?: boolean
  /** Round-trip time of the connection in ms, once libp2p measured it. */
  latencyMs?: number
}

/** Reply of `GET /v1/table`: the routing table by distance band, farthest band first. */
export interface TableResponse {
  /** How many peers the table holds. */
  size: number
  /** Every peer in the table, with its band and the addresses it listens on. */
  peers: Array<{ peerId: string, multiaddrs: string[], band: number, position: string }>
  bands: Array<{ band: number, peers: Array<{ peerId: string, position: string }> }>
}

/** Reply of `GET /v1/peers`. */
export interface PeersResponse {
  peers: PeerJson[]
}

/** One peer in `GET /v1/find-before-n/:id`, nearest first. */
export interface FoundPeerJson {
  peerId: string
  multiaddrs: string[]
  /** Position in the key space, 64 hex characters. */
  position: string
  /** XOR distance to the target, 64 hex characters. */
  distance: string
}

/** Reply of `GET /v1/find-before-n/:id`. */
export interface FindBeforeNResponse {
  /** The target position, 64 hex characters. */
  target: string
  n: number
  peers: FoundPeerJson[]
}

/** Reply of `GET /v1/health`. */
export interface HealthResponse {
  ok: true
  peerId: string
  connections: number
}

/** Body of every error reply. */
export interface ErrorResponse {
  error: { code: string, message: string }
}

export function peerIdText (peerId: PeerId): string {
  return peerId.toString()
}

/** Bytes as lowercase hex (keys, positions, distances in JSON). */
export { hexKey as toHex } from '../bytes.ts'

/**
 * A publish record as JSON (`GET /v1/records/:id?format=json`, `toyrrent resolve --json`).
 * `seq` is a decimal string: it goes up to 2^64-1, past what a JSON number holds exactly.
 */
export interface RecordJson {
  /** SHA-256(publicKey ‖ salt), 64 hex characters. */
  id: string
  seq: string
  /** The value, base64 (empty for a tombstone). */
  value: string
  deleted: boolean
  /** Raw 32-byte Ed25519 public key, hex. */
  publicKey: string
  /** 0-64 bytes, hex. */
  salt: string
  /** Ed25519 signature, hex. */
  signature: string
}

/** Reply of `POST /v1/records`. */
export interface PublishResponse {
  /** 64 hex characters. */
  id: string
  /** Decimal string, as in RecordJson. */
  seq: string
  /** Peer ids that acknowledged storing the record. */
  stored: string[]
}

/** Body of the 410 reply of `GET /v1/records/:id` for a deleted id. */
export interface DeletedResponse extends ErrorResponse {
  seq: string
}

/** Reply of `GET /v1/holders/:key`. */
export interface HoldersResponse {
  key: string
  hex: string
  /** Size of the replica set found (R, or fewer on a smaller network). */
  replicas: number
  /** Members of the replica set that hold the item. */
  holding: number
  replicaSet: Array<{ peerId: string, holds: boolean }>
  otherHolders: string[]
}
