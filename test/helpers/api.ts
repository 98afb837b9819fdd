/** Two in-process nodes, the first behind a real ApiServer on 127.0.0.1: the HTTP API specs' fixture. */
import { createToyrrentNode } from '../../src/node.ts'
import { ApiServer } from '../../src/api/http-server.ts'
import { waitFor } from './wait.ts'
import type { ToyrrentNode, ToyrrentNodeOptions } from '../../src/node.ts'

export interface ApiPair {
  nodes: ToyrrentNode[]
  server: ApiServer
  /** HOST:PORT of the API. */
  api: string
  stop(): Promise<void>
}

/** `first` and `second` add to each node's options (the first serves the API). */
export async function startApiPair (options: { first?: ToyrrentNodeOptions, second?: ToyrrentNodeOptions } = {}): Promise<ApiPair> {
  const first = await createToyrrentNode({ listen: ['/ip4/127.0.0.1/tcp/0'], ...options.first })
  const second = await createToyrrentNode({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [first.libp2p.getMultiaddrs()[0].toString()],
    ...options.second
  })
  await waitFor('the nodes to connect', () => first.libp2p.getConnections().length > 0)
  const server = new ApiServer({ node: first, port: 0 })
  await server.start()
  return {
    nodes: [first, second],
    server,
    api: server.hostPort,
    async stop () {
      await server.stop()
      await Promise.all([first, second].map(async node => { await node.stop() }))
    }
  }
}
