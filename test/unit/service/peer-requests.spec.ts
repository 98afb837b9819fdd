/**
 * PeerRequests: the one rule for what a request says about a peer. Every
 * answer, whatever it says, is a sign of life; only silence (a timeout, a
 * refused connection, a broken stream) counts against a peer, and a request
 * we gave up on ourselves says nothing.
 */
import { expect } from 'chai'
import { PeerRequests } from '../../../src/service/peer-requests.ts'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { ProtocolError, RemoteRejectedError, TimeoutError } from '../../../src/errors.ts'
import { REFUSALS } from '../../../src/refusals.ts'
import { MAX_TIMEOUTS } from '../../../src/constants.ts'
import { randomPeerId, randomPeers } from '../helpers.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'
import type { Logger } from '@libp2p/interface'

const log = Object.assign(() => {}, { enabled: false, error: () => {}, trace: () => {}, newScope: () => log }) as unknown as Logger

describe('unit: PeerRequests (answers are signs of life)', () => {
  let table: PeerTable
  let requests: PeerRequests
  let peer: FoundPeer

  beforeEach(async () => {
    table = new PeerTable(await randomPeerId())
    requests = new PeerRequests({ rpc: {} as any, table, requestTimeout: 2000, log })
    ;[peer] = await randomPeers(1)
    table.add(peer.peerId, [], peer.position)
  })

  const ask = async (fail: () => Error, signal = new AbortController().signal): Promise<void> => {
    await requests.ask(peer, { signal }, async () => { throw fail() }).catch(() => {})
  }

  it('every refusal a peer can answer with keeps it in the table (busy after its retries, not-found, wrong kind, stale-seq, error ...)', async () => {
    for (const code of Object.keys(REFUSALS)) {
      await ask(() => new RemoteRejectedError(`answered ${code}`, code))
      expect(table.get(peer.peerId), `after answering ${code}`).to.not.equal(undefined)
    }
  })

  it('a refused connection or a broken stream takes the peer out at once', async () => {
    await ask(() => Object.assign(new Error('connection refused'), { name: 'ConnectionRefusedError' }))
    expect(table.get(peer.peerId)).to.equal(undefined)
    table.add(peer.peerId, [], peer.position)
    await ask(() => new ProtocolError('channel closed'))
    expect(table.get(peer.peerId)).to.equal(undefined)
  })

  it(`a timeout counts only when it is the ${MAX_TIMEOUTS}-th in a row; an answer in between resets the count`, async () => {
    for (let i = 1; i < MAX_TIMEOUTS; i++) await ask(() => new TimeoutError('no response'))
    expect(table.get(peer.peerId)).to.not.equal(undefined)
    await requests.ask(peer, { signal: new AbortController().signal }, async () => 'an answer')
    for (let i = 1; i < MAX_TIMEOUTS; i++) await ask(() => new TimeoutError('no response'))
    expect(table.get(peer.peerId)).to.not.equal(undefined)
    await ask(() => new TimeoutError('no response'))
    expect(table.get(peer.peerId)).to.equal(undefined)
  })

  it('a request we gave up on ourselves says nothing about the peer', async () => {
    const controller = new AbortController()
    controller.abort()
    await ask(() => Object.assign(new Error('aborted'), { name: 'AbortError' }), controller.signal)
    expect(table.get(peer.peerId)).to.not.equal(undefined)
  })
})
