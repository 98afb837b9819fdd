/** `POST /v1/connect` `{ "multiaddr": "..." }`: add a peer to the running node (dial, then join). */
import { InvalidInputError, ToyrrentError } from '../../errors.ts'
import type { ApiResult, RequestContext } from '../router.ts'
import type { ConnectResponse } from '../types.ts'

/** A JSON body with one multiaddr is far smaller than this. */
const MAX_CONNECT_BODY_BYTES = 4096

export async function connectPeer (ctx: RequestContext): Promise<ApiResult> {
  const body = await ctx.json(MAX_CONNECT_BODY_BYTES)
  const addr = (body as { multiaddr?: unknown } | null)?.multiaddr
  if (typeof addr !== 'string' || addr === '') throw new InvalidInputError('the body must be { "multiaddr": "/ip4/.../tcp/.../p2p/..." }')
  if (ctx.node.connect == null) throw new ToyrrentError('this node cannot add peers')
  const result = await ctx.node.connect(addr, { signal: ctx.signal })
  const reply: ConnectResponse = { peerId: result.peerId.toString(), joined: result.joined, peers: result.peers }
  return { status: 200, json: reply }
}
