/**
 * The HTTP server's deadline and disconnect handling, against a stub node whose
 * calls only end when their AbortSignal fires.
 */
import assert from 'node:assert/strict'
import { ApiServer } from '../../src/api/http-server.ts'
import { http, open } from '../helpers/http.ts'
import { waitFor } from '../helpers/cli.ts'
import type { ApiNode } from '../../src/api/types.ts'

function assertError (res: { status: number, json: any }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.json))
  assert.equal(res.json?.error?.code, code)
}

describe('HTTP API deadlines and disconnects', () => {
  /** A node whose get never answers: it only ends when its signal aborts. */
  function hangingNode (onAbort: (reason: unknown) => void): ApiNode {
    const hang = async (_: unknown, options?: { signal?: AbortSignal }): Promise<never> => await new Promise((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => { onAbort(options.signal?.reason); reject(options.signal?.reason) })
    })
    return { libp2p: {} as any, toyrrent: { get: hang, put: hang, findBeforeN: hang } as any }
  }

  it('a request past its deadline is 504 timeout, and the node call is aborted', async () => {
    let aborted = false
    const server = new ApiServer({ node: hangingNode(() => { aborted = true }), port: 0, requestTimeout: 200 })
    await server.start()
    try {
      const res = await http(server.hostPort, 'GET', `/v1/items/${'00'.repeat(32)}`)
      assertError(res, 504, 'timeout')
      assert.equal(aborted, true)
    } finally {
      await server.stop()
    }
  })

  it('a client that goes away aborts the node call', async () => {
    let aborted = false
    let started = false
    const node = hangingNode(() => { aborted = true })
    const get = node.toyrrent.get
    node.toyrrent.get = async (key, options) => { started = true; return await get(key, options) }
    const server = new ApiServer({ node, port: 0 })
    await server.start()
    try {
      const req = open(server.hostPort, 'GET', `/v1/items/${'00'.repeat(32)}`)
      req.on('error', () => {})
      req.end()
      await waitFor('the request to reach the node', () => started)
      req.destroy()
      await waitFor('the node call to be aborted', () => aborted)
    } finally {
      await server.stop()
    }
  })
})
