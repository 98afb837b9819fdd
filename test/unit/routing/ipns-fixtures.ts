/** IPNS records made with the `ipns` package, for the routing unit specs. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createIPNSRecord, createIPNSRecordWithExpiration, marshalIPNSRecord, multihashToIPNSRoutingKey } from 'ipns'
import type { PrivateKey } from '@libp2p/interface'

export interface IpnsName {
  key: PrivateKey
  routingKey: Uint8Array
  /** A marshalled record at `seq`, valid for `lifetime` ms (1 h by default). */
  record(seq: bigint, value?: string, lifetime?: number): Promise<Uint8Array>
  /** A marshalled record at `seq` that ends at the given RFC 3339 time. */
  recordUntil(seq: bigint, value: string, expiration: string): Promise<Uint8Array>
}

export async function ipnsName (): Promise<IpnsName> {
  const key = await generateKeyPair('Ed25519')
  return {
    key,
    routingKey: multihashToIPNSRoutingKey(key.publicKey.toMultihash()),
    record: async (seq, value = `/ipfs/bafkqaaa/${seq}`, lifetime = 3_600_000) => marshalIPNSRecord(await createIPNSRecord(key, value, seq, lifetime)),
    recordUntil: async (seq, value, expiration) => marshalIPNSRecord(await createIPNSRecordWithExpiration(key, value, seq, expiration))
  }
}

export function flipLastBit (bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[copy.length - 1] ^= 1
  return copy
}
