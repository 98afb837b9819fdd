/**
 * The route table of API v1.
 */
import { findBeforeN } from './find-before-n.ts'
import { getItem, putItem } from './items.ts'
import { getHealth, getId, getPeers } from './node-info.ts'
import { publishRecord, resolveRecord } from './records.ts'
import { getHolders, getLocalItems, getStats } from './replicas.ts'
import { getMetrics } from './metrics.ts'
import { connectPeer } from './connect.ts'
import { dashboardFeatures, dashboardFile, dashboardPage } from './dashboard.ts'
import { getTable } from './table.ts'
import { getIpnsRecord, putIpnsRecord } from './routing-v1.ts'
import { getStatsHistory } from './stats-history.ts'
import type { Handler, Route } from '../router.ts'

/** A files route: the files stack (UnixFS importer and exporter, CAR, multipart) loads on the first such request, not in every daemon. */
function files (name: 'addFile' | 'getFile' | 'listPins' | 'addPin' | 'removePin'): Handler {
  return async ctx => (await import('./files.ts'))[name](ctx)
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/items', handler: putItem },
  { method: 'GET', path: '/v1/items/:key', handler: getItem },
  { method: 'POST', path: '/v1/records', handler: publishRecord },
  { method: 'GET', path: '/v1/records/:id', handler: resolveRecord },
  { method: 'GET', path: '/v1/id', handler: getId },
  { method: 'GET', path: '/v1/peers', handler: getPeers },
  { method: 'POST', path: '/v1/connect', handler: connectPeer },
  { method: 'GET', path: '/v1/find-before-n/:id', handler: findBeforeN },
  { method: 'GET', path: '/v1/health', handler: getHealth },
  { method: 'GET', path: '/v1/holders/:key', handler: getHolders },
  { method: 'GET', path: '/v1/local/items', handler: getLocalItems },
  { method: 'GET', path: '/v1/stats', handler: getStats },
  { method: 'GET', path: '/metrics', handler: getMetrics },
  // files of any size (src/files): no overall deadline, each block has its own
  { method: 'POST', path: '/v1/files', handler: files('addFile'), longRunning: true },
  { method: 'GET', path: '/v1/files/:cid', handler: files('getFile'), longRunning: true },
  { method: 'GET', path: '/v1/pins', handler: files('listPins'), longRunning: true },
  { method: 'POST', path: '/v1/pins/:cid', handler: files('addPin'), longRunning: true },
  { method: 'DELETE', path: '/v1/pins/:cid', handler: files('removePin'), longRunning: true },
  // the web dashboard (src/dashboard) and the table picture it draws
  { method: 'GET', path: '/', handler: dashboardPage },
  { method: 'GET', path: '/dashboard/:file', handler: dashboardFile },
  { method: 'GET', path: '/v1/dashboard/features', handler: async () => dashboardFeatures(routes) },
  { method: 'GET', path: '/v1/table', handler: getTable },
  // delegated routing for IPNS (specs.ipfs.tech/routing/http-routing-v1): Kubo and Helia clients
  { method: 'GET', path: '/routing/v1/ipns/:name', handler: getIpnsRecord },
  { method: 'PUT', path: '/routing/v1/ipns/:name', handler: putIpnsRecord },
  // the dashboard's charts: request counters sampled every 2 s over the last 15 minutes
  { method: 'GET', path: '/v1/stats/history', handler: getStatsHistory }
]
