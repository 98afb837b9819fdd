/**
 * The web dashboard (src/dashboard): `GET /` is the page, `GET /dashboard/:file`
 * its script and style. Served from the package's src/dashboard folder as
 * plain files (no build step); only the names listed here are ever read.
 */
import { readFile } from 'node:fs/promises'
import { UnknownRouteError } from '../errors.ts'
import type { ApiResult, RequestContext, Route } from '../router.ts'

/** dist/src/api/routes → the package root's src/dashboard (shipped in package.json `files`). */
const FOLDER = new URL('../../../../src/dashboard/', import.meta.url)

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml'
}

export async function dashboardPage (_ctx: RequestContext): Promise<ApiResult> {
  return await serve('index.html')
}

export async function dashboardFile (ctx: RequestContext): Promise<ApiResult> {
  const name = ctx.params.file
  if (!Object.hasOwn(FILES, name)) throw new UnknownRouteError(`no such dashboard file: ${name}`)
  return await serve(name)
}

/**
 * `GET /v1/dashboard/features`: which optional parts this daemon's API has, so
 * the page shows only what works (asking a missing route would log a 404).
 * The route table passes itself in (routes/index.ts), so neither module
 * imports the other both ways.
 */
export async function dashboardFeatures (routes: Route[]): Promise<ApiResult> {
  return { status: 200, json: { files: routes.some(r => r.path === '/v1/files') } }
}

async function serve (name: string): Promise<ApiResult> {
  const bytes = await readFile(new URL(name, FOLDER))
  return {
    status: 200,
    bytes,
    headers: {
      'Content-Type': FILES[name],
      // the page only talks to the API it came from
      'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self'",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache'
    }
  }
}
