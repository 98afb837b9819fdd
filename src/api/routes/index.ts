/**
 * The route table of API v1. Later issues add their routes here:
 * `/v1/records/:id` (publish/resolve/del of signed records), `/v1/holders/:key`,
 * `/v1/stats`, `/metrics`.
 */
import { findBeforeN } from './find-before-n.ts'
import { getItem, putItem } from './items.ts'
import { getHealth, getId, getPeers } from './node-info.ts'
import { getStats } from './stats.ts'
import { getMetrics } from './metrics.ts'
import type { Route } from '../router.ts'

export const routes: Route[] = [
  { method: 'POST', path: '/v1/items', handler: putItem },
  { method: 'GET', path: '/v1/items/:key', handler: getItem },
  { method: 'GET', path: '/v1/id', handler: getId },
  { method: 'GET', path: '/v1/peers', handler: getPeers },
  { method: 'GET', path: '/v1/find-before-n/:id', handler: findBeforeN },
  { method: 'GET', path: '/v1/health', handler: getHealth },
  { method: 'GET', path: '/v1/stats', handler: getStats },
  { method: 'GET', path: '/metrics', handler: getMetrics }
]
