/**
 * The `/ipns/` namespace, built in: the `ipns` package's validator (size at
 * most 10 KiB, the routing key names the signing key, signature V2 valid,
 * not expired) and selector (higher sequence, then the later end of life),
 * the same ones kad-dht and Kubo use, so toyrrent accepts and prefers
 * exactly the records they do.
 */
import { ipnsValidator } from 'ipns/validator'
import { ipnsSelector } from 'ipns/selector'
import { unmarshalIPNSRecord } from 'ipns'
import type { RoutingNamespace } from './routing-namespace.ts'

export const ipnsNamespace: RoutingNamespace = {
  validate: ipnsValidator,
  select: ipnsSelector,
  // repair's digests compare versions: an IPNS record's is its sequence number
  version: value => unmarshalIPNSRecord(value).sequence
}
