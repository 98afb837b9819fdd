/**
 * `GET /v1/stats/history[?since=MS]`: the request counters the daemon sampled
 * every 2 s over the last 15 minutes (src/daemon/stats-history.ts), oldest
 * first; `since` (ms since the epoch, the `t` of the last sample a client
 * has) keeps only newer ones. The dashboard draws its charts from them.
 */
import { InvalidInputError, ToyrrentError } from '../../errors.ts'
import { statsHistoryOf } from '../../daemon/stats-history.ts'
import type { ApiResult, RequestContext } from '../router.ts'

/** This node keeps no history (an API served outside the daemon). */
class NoHistoryError extends ToyrrentError {
  static override name = 'NoHistoryError'
  override name = 'NoHistoryError'
  override code = 'not-found'
}

export async function getStatsHistory (ctx: RequestContext): Promise<ApiResult> {
  const history = statsHistoryOf(ctx.node)
  if (history == null) throw new NoHistoryError('this node keeps no stats history (only `toyrrent daemon` does)')
  const since = ctx.query.get('since')
  if (since != null && !/^\d{1,16}$/.test(since)) throw new InvalidInputError(`since must be a time in ms since the epoch (digits only), not "${since}"`)
  return { status: 200, json: history.toJSON(since == null ? undefined : Number(since)) }
}
