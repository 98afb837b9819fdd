/**
 * The libp2p configuration a node starts with keeps libp2p's connection
 * monitor frugal: its default (a ping stream on every connection from both
 * ends every 10 s, the connection closed when one takes over 5 s) cost a
 * 50-node network in one process 0.3 s of CPU per second while idle, and
 * closed live connections of a busy process; once a minute still cost a
 * 200-node network about a third of a core (~2 ms of CPU per ping, both
 * ends). A ping once every 5 minutes, a connection closed only after 15 s
 * without an answer.
 */
import { expect } from 'chai'
import { MemoryDatastore } from 'datastore-core'
import { libp2pOptions } from '../../../src/node/libp2p-options.ts'
import { planNode } from '../../../src/node/plan.ts'

describe('unit: the connection monitor of a node\'s libp2p options', () => {
  it('pings each connection at most once every 5 minutes and waits at least 15 s for an answer', () => {
    const options = libp2pOptions({}, planNode({ listen: ['/ip4/127.0.0.1/tcp/0'] }), { datastore: new MemoryDatastore(), tableEmpty: () => true })
    const monitor = options.connectionMonitor
    expect(monitor?.enabled ?? true, 'still on: idle connections and NAT mappings need a keep-alive').to.equal(true)
    expect(monitor?.pingInterval ?? 10_000).to.be.at.least(300_000)
    expect(monitor?.pingTimeout?.minTimeout ?? 5_000).to.be.at.least(15_000)
  })
})
