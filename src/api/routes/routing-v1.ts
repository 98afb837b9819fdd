/**
 * Delegated routing for IPNS (https://specs.ipfs.tech/routing/http-routing-v1/,
 * the `/routing/v1/ipns/{name}` part): any client of that spec — Kubo's
 * custom HTTP router, Helia's delegated routing client, someone's curl —
 * publishes and resolves IPNS names on the toyrrent network through this
 * node. `name` is a libp2p-key CID (base36 `k51...` or base32) or a peer id.
 * Records are checked as every replica checks them (protocols/routing-record.md).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multihashToIPNSRoutingKey } from 'ipns'
import { CID } from 'multiformats/cid'
import { base36 } from 'multiformats/bases/base36'
import { InvalidInputError } from '../../errors.ts'
import { UnknownRouteError } from '../errors.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { MultihashDigest } from 'multiformats/hashes/interface'

const IPNS_RECORD_TYPE = 'application/vnd.ipfs.ipns-record'
/** The IPNS spec's record limit. */
const MAX_IPNS_RECORD_BYTES = 10 * 1024
const LIBP2P_KEY_CODEC = 0x72

export async function getIpnsRecord (ctx: RequestContext): Promise<ApiResult> {
  const key = ipnsRoutingKey(ctx.params.name)
  const record = await routing(ctx).getRoutingRecord(key, { signal: ctx.signal, timeout: ctx.timeout })
  return { status: 200, bytes: record, headers: { 'Content-Type': IPNS_RECORD_TYPE, 'Cache-Control': 'no-cache' } }
}

export async function putIpnsRecord (ctx: RequestContext): Promise<ApiResult> {
  const key = ipnsRoutingKey(ctx.params.name)
  const record = await ctx.body(MAX_IPNS_RECORD_BYTES, 'IPNS record')
  await routing(ctx).putRoutingRecord(key, record, { signal: ctx.signal, timeout: ctx.timeout })
  return { status: 200, bytes: new Uint8Array(0) }
}

/** `/ipns/` ‖ the multihash the name carries. */
function ipnsRoutingKey (name: string): Uint8Array {
  let multihash: MultihashDigest
  try {
    const cid = name.startsWith('k') ? CID.parse(name, base36) : CID.parse(name)
    if (cid.code !== LIBP2P_KEY_CODEC) throw new InvalidInputError(`${name} is not a libp2p-key CID`)
    multihash = cid.multihash
  } catch {
    try {
      multihash = peerIdFromString(name).toMultihash()
    } catch {
      throw new InvalidInputError(`"${name.slice(0, 80)}" is not an IPNS name (a libp2p-key CID or a peer id)`)
    }
  }
  if (multihash.code !== 0x00 && multihash.code !== 0x12) throw new InvalidInputError(`IPNS names hash keys with identity or sha2-256, not 0x${multihash.code.toString(16)}`)
  return multihashToIPNSRoutingKey(multihash as MultihashDigest<0x00 | 0x12>)
}

function routing (ctx: RequestContext): Required<Pick<RequestContext['node']['toyrrent'], 'getRoutingRecord' | 'putRoutingRecord'>> {
  const { toyrrent } = ctx.node
  if (toyrrent.getRoutingRecord == null || toyrrent.putRoutingRecord == null) {
    throw new UnknownRouteError('this node does not store routing records')
  }
  return { getRoutingRecord: toyrrent.getRoutingRecord.bind(toyrrent), putRoutingRecord: toyrrent.putRoutingRecord.bind(toyrrent) }
}
