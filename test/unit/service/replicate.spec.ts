/**
 * replicate(): the write fan-out, with a scripted storeOn. Which peers are
 * asked, when the write settles, and what it fails with.
 */
import { expect } from 'chai'
import { replicate } from '../../../src/service/replicate.ts'
import { systemClock } from '../../../src/clock.ts'
import { InsufficientPeersError, RemoteRejectedError } from '../../../src/errors.ts'
import { randomPeers, waitFor, within } from '../helpers.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'

type Outcome = 'ok' | 'unreachable' | 'never' | { refused: string }

/** storeOn that answers per peer index as scripted, recording the order peers were asked in. */
function scripted (peers: FoundPeer[], script: Record<number, Outcome>): { asked: number[], storeOn(peer: FoundPeer): Promise<void> } {
  const asked: number[] = []
  return {
    asked,
    storeOn: async (peer) => {
      const index = peers.indexOf(peer)
      asked.push(index)
      await new Promise(resolve => setImmediate(resolve))
      const outcome = script[index] ?? 'ok'
      if (outcome === 'ok') return
      if (outcome === 'never') return new Promise(() => {})
      if (outcome === 'unreachable') throw Object.assign(new Error(`peer ${index} refused the connection`), { name: 'ConnectionRefusedError' })
      throw new RemoteRejectedError(`peer ${index} refused: ${outcome.refused}`, outcome.refused)
    }
  }
}

async function failure (promise: Promise<unknown>): Promise<Error> {
  return within(2000, promise).then(() => { throw new Error('expected the write to fail') }, (err: Error) => err)
}

describe('unit: replicate()', () => {
  let peers: FoundPeer[]
  before(async () => { peers = await randomPeers(6) })

  it('asks the replica set only, and resolves once W acknowledged', async () => {
    const { asked, storeOn } = scripted(peers, {})
    const { acked } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, storeOn }))
    expect(asked).to.deep.equal([0, 1, 2])
    expect(acked.length).to.be.at.least(2)
    expect(acked.every(p => peers.indexOf(p) < 3)).to.equal(true)
  })

  it('does not wait for the last replica once W acknowledged', async () => {
    const { storeOn } = scripted(peers, { 2: 'never' })
    const { acked } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, storeOn }), 'a write with one silent replica')
    expect(acked.map(p => peers.indexOf(p)).sort()).to.deep.equal([0, 1])
  })

  it('falls back to the next nearest when a replica cannot be reached', async () => {
    const { asked, storeOn } = scripted(peers, { 0: 'unreachable', 1: 'unreachable' })
    const { acked } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, storeOn }))
    expect(asked.slice(0, 3)).to.deep.equal([0, 1, 2])
    expect(asked).to.include.members([3, 4])
    expect(asked).to.not.include(5)
    expect(acked.map(p => peers.indexOf(p))).to.include.members([2])
    expect(acked.length).to.be.at.least(2)
  })

  it('falls back on a retryable refusal (busy, full) as on silence', async () => {
    const { asked, storeOn } = scripted(peers, { 0: { refused: 'busy' }, 1: { refused: 'full' } })
    const { acked } = await within(2000, replicate({ peers, replicas: 3, quorum: 3, storeOn }))
    expect(asked).to.deep.equal([0, 1, 2, 3, 4])
    expect(acked.map(p => peers.indexOf(p)).sort()).to.deep.equal([2, 3, 4])
  })

  it('a final refusal (stale-seq) is not retried elsewhere, and the write fails with its code', async () => {
    const { asked, storeOn } = scripted(peers, { 0: { refused: 'stale-seq' }, 1: { refused: 'stale-seq' }, 2: { refused: 'stale-seq' } })
    const err = await failure(replicate({ peers, replicas: 3, quorum: 2, storeOn }))
    expect(err).to.be.instanceOf(RemoteRejectedError)
    expect((err as RemoteRejectedError).code).to.equal('stale-seq')
    expect(asked).to.deep.equal([0, 1, 2])
  })

  it('one final refusal next to two acknowledgements still reaches W = 2', async () => {
    const { asked, storeOn } = scripted(peers, { 1: { refused: 'cas-mismatch' } })
    const { acked } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, storeOn }))
    expect(acked.map(p => peers.indexOf(p)).sort()).to.deep.equal([0, 2])
    expect(asked).to.not.include(3)
  })

  it('a refusal wins over silence in the error: the writer learns why', async () => {
    const { storeOn } = scripted(peers, { 0: { refused: 'bad-signature' }, 1: 'unreachable', 2: 'unreachable', 3: 'unreachable', 4: 'unreachable', 5: 'unreachable' })
    const err = await failure(replicate({ peers, replicas: 3, quorum: 2, storeOn }))
    expect((err as RemoteRejectedError).code).to.equal('bad-signature')
  })

  it('too few reachable peers: InsufficientPeersError naming the failures', async () => {
    const { asked, storeOn } = scripted(peers, { 0: 'unreachable', 1: 'unreachable', 2: 'unreachable', 3: 'unreachable', 4: 'unreachable' })
    const err = await failure(replicate({ peers, replicas: 3, quorum: 2, storeOn }))
    expect(err).to.be.instanceOf(InsufficientPeersError)
    expect(err.message).to.match(/stored on 1 of the 2/)
    expect(err.message).to.contain('refused the connection')
    expect(asked).to.have.members([0, 1, 2, 3, 4, 5])
  })

  it('no peers at all: InsufficientPeersError, at once', async () => {
    const err = await failure(replicate({ peers: [], replicas: 3, quorum: 2, storeOn: async () => {} }))
    expect(err).to.be.instanceOf(InsufficientPeersError)
    expect(err.message).to.contain('no peers')
  })

  describe('fallback acknowledgements (hinted copies)', () => {
    it('count toward W by default (hash items): two replicas down, the next two nearest make W', async () => {
      const { asked, storeOn } = scripted(peers, { 0: 'unreachable', 1: 'unreachable' })
      const { acked, fallbacks } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, storeOn }))
      expect(asked).to.include.members([3])
      expect(acked.length).to.be.at.least(2)
      expect(fallbacks.length).to.be.at.least(1)
      expect(fallbacks.every(p => peers.indexOf(p) >= 3)).to.equal(true)
    })

    it('[finding 5, failed before: countFallbacks was ignored] with countFallbacks: false only the R nearest count; fallbacks are still stored, and too few replicas is InsufficientPeersError', async () => {
      const { asked, storeOn } = scripted(peers, { 0: 'unreachable', 1: 'unreachable' })
      const err = await failure(replicate({ peers, replicas: 3, quorum: 2, countFallbacks: false, storeOn }))
      expect(err).to.be.instanceOf(InsufficientPeersError)
      expect(err.message).to.match(/stored on 1 of the 2 replicas needed/)
      expect(err.message).to.match(/2 fallback/)
      // the hinted copies were still written
      expect(asked).to.include.members([3, 4])
    })

    it('with countFallbacks: false a write whose replicas answer succeeds as before', async () => {
      const { asked, storeOn } = scripted(peers, { 2: 'unreachable' })
      const { acked, fallbacks } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, countFallbacks: false, storeOn }))
      expect(acked.filter(p => peers.indexOf(p) < 3).length).to.be.at.least(2)
      expect(fallbacks.every(p => peers.indexOf(p) >= 3)).to.equal(true)
      expect(asked.slice(0, 3)).to.deep.equal([0, 1, 2])
    })
  })

  describe('no stand-ins: hinted copies only for replicas that failed', () => {
    // 'never': a store that waits on a dial for the whole test
    it('[200-node not-found reads, failed before: connected stand-ins were asked beside replicas behind a dial and acknowledged the write] two replicas slow: nobody beyond the replica set is asked, and the write waits', async () => {
      const { asked, storeOn } = scripted(peers, { 0: 'never', 2: 'never' })
      const err = await failure(Promise.race([
        replicate({ peers, replicas: 3, quorum: 2, storeOn }),
        new Promise((_resolve, reject) => setTimeout(() => { reject(new Error('still waiting on the replica set')) }, 200))
      ]))
      expect(err.message).to.equal('still waiting on the replica set')
      expect(asked).to.deep.equal([0, 1, 2])
    })
  })

  describe('awaitAnswer: replicas heard before the write settles', () => {
    it('W acknowledged but an awaited replica has not answered: the write waits for it', async () => {
      let release!: () => void
      const gate = new Promise<void>(resolve => { release = resolve })
      const answered: number[] = []
      const storeOn = async (peer: FoundPeer): Promise<void> => {
        if (peers.indexOf(peer) === 2) await gate
        answered.push(peers.indexOf(peer))
      }
      let settled = false
      const write = replicate({ peers, replicas: 3, quorum: 2, awaitAnswer: p => peers.indexOf(p) === 2, storeOn }).then(r => { settled = true; return r })
      await waitFor('replicas 0 and 1 to acknowledge', () => answered.length === 2, 2000)
      // the settle that W would have triggered runs in the store's own callbacks: give them a turn
      await new Promise(resolve => setImmediate(resolve))
      expect(answered.sort()).to.deep.equal([0, 1])
      expect(settled, 'settled before the awaited replica answered').to.equal(false)
      release()
      const { acked } = await within(2000, write)
      expect(acked.map(p => peers.indexOf(p)).sort()).to.deep.equal([0, 1, 2])
    })

    it('an awaited replica that never answers holds the write back for awaitMs only', async () => {
      const { storeOn } = scripted(peers, { 2: 'never' })
      const started = Date.now()
      const { acked } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, awaitAnswer: p => peers.indexOf(p) === 2, awaitMs: 100, clock: systemClock, storeOn }))
      expect(acked.map(p => peers.indexOf(p)).sort()).to.deep.equal([0, 1])
      expect(Date.now() - started, 'ms before it settled').to.be.at.least(95)
    })

    it('an awaited replica that fails does not hold the write back, and a replica not awaited is not waited for', async () => {
      const { storeOn } = scripted(peers, { 1: 'unreachable', 2: 'never' })
      const { acked } = await within(2000, replicate({ peers, replicas: 3, quorum: 2, awaitAnswer: p => peers.indexOf(p) === 1, storeOn }))
      expect(acked.map(p => peers.indexOf(p)).sort()).to.deep.equal([0, 3])
    })
  })

  it('fewer candidates than W is InsufficientPeersError, never a smaller quorum', async () => {
    const { storeOn } = scripted(peers, {})
    const err = await failure(replicate({ peers: peers.slice(0, 1), replicas: 3, quorum: 2, storeOn }))
    expect(err).to.be.instanceOf(InsufficientPeersError)
    expect(err.message).to.match(/stored on 1 of the 2 nodes needed: only 1 node\(s\) reachable/)
    expect(err.message).to.contain('--replicas 1')
  })
})
