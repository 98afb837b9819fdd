/** `GET /metrics`: Prometheus text format — libp2p's own metrics and toyrrent's (see src/metrics.ts for the names). */
import type { ApiResult, RequestContext } from '../router.ts'

export async function getMetrics (ctx: RequestContext): Promise<ApiResult> {
  const metrics = (ctx.node as { metrics?: () => Promise<string> }).metrics
  if (metrics == null) return { status: 404, json: { error: { code: 'not-found', message: 'this node collects no metrics' } } }
  return {
    status: 200,
    bytes: new TextEncoder().encode(await metrics()),
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }
  }
}
