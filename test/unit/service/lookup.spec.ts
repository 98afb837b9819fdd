/**
 * lookup(): the iterative find_before_n engine, driven by a scripted query
 * function over a world of peers whose routing tables are real PeerTables.
 * No network: each "peer" answers from its own table, as find_before_n does.
 */
import { expect } from 'chai'
import { lookup } from '../../../src/service/lookup.ts'
import { PeerTable } from '../../../src/service/peer-table.ts'
import { nearestPositioned } from '../../../src/keyspace.ts'
import { randomPeers, waitFor, within } from '../helpers.ts'
import { randomBytes } from 'node:crypto'
import type { LookupInit, QueryOutcome } from '../../../src/service/lookup.ts'
import type { FoundPeer } from '../../../src/found-peer.ts'

interface World {
  peers: FoundPeer[]
  /** What each peer answers for a target: the n it knows nearest, itself included. */
  answer(peer: FoundPeer, target: Uint8Array, n: number): FoundPeer[]
  /** The true n nearest of the whole world. */
  truth(target: Uint8Array, n: number): FoundPeer[]
}

async function world (size: number, bucketSize = 20): Promise<World> {
  const peers = await randomPeers(size)
  const tables = new Map<string, PeerTable>()
  for (const p of peers) {
    const table = new PeerTable(p.peerId, bucketSize)
    for (const q of peers) if (q !== p) table.add(q.peerId, [], q.position)
    tables.set(p.peerId.toString(), table)
  }
  return {
    peers,
    answer: (peer, target, n) => nearestPositioned(target, [...tables.get(peer.peerId.toString())!.closest(target, n), peer], n),
    truth: (target, n) => nearestPositioned(target, peers, n)
  }
}

const ids = (peers: FoundPeer[]): string[] => peers.map(p => p.peerId.toString())

/** A lookup from `self` in `w`, its seeds from self's view; `query` defaults to an honest, instant answer. */
function init (w: World, self: FoundPeer, target: Uint8Array, extra: Partial<LookupInit> = {}): LookupInit {
  const n = extra.n ?? 10
  return {
    target,
    n,
    alpha: 3,
    self,
    seeds: w.answer(self, target, n).filter(p => p !== self),
    signal: AbortSignal.timeout(5000),
    query: async (peer) => ({ closer: w.answer(peer, target, n) }),
    ...extra
  }
}

describe('unit: lookup()', function () {
  let w: World

  before(async () => { w = await world(150) })

  it('finds exactly the n nearest of the whole world, from any node, for any target', async () => {
    for (let i = 0; i < 40; i++) {
      const self = w.peers[i % w.peers.length]
      const target = new Uint8Array(randomBytes(32))
      const result = await lookup(init(w, self, target, { n: 10 }))
      expect(ids(result.peers)).to.deep.equal(ids(w.truth(target, 10)))
      expect(result.failed).to.equal(0)
    }
  })

  it('starting from a single far seed, still converges on the exact n nearest', async () => {
    const self = w.peers[0]
    const target = new Uint8Array(randomBytes(32))
    const farthest = nearestPositioned(target, w.peers.filter(p => p !== self), w.peers.length).at(-1)!
    const result = await lookup(init(w, self, target, { n: 8, seeds: [farthest] }))
    expect(ids(result.peers)).to.deep.equal(ids(w.truth(target, 8)))
    expect(result.hops).to.be.greaterThan(1)
  })

  it('a dead peer never fails the lookup: the nearest that answer, nearest first', async () => {
    const self = w.peers[3]
    const target = new Uint8Array(randomBytes(32))
    // the true 3 nearest (but not ourselves) are dead: they fail every query. As
    // the service does (exactShape), the shortlist is wider than the 6 wanted,
    // since live peers still name the dead ones among their nearest.
    const dead = new Set(ids(w.truth(target, 4).filter(p => p !== self).slice(0, 3)))
    const result = await lookup(init(w, self, target, {
      n: 10,
      query: async (peer) => {
        if (dead.has(peer.peerId.toString())) throw Object.assign(new Error('connection refused'), { name: 'ConnectionRefusedError' })
        return { closer: w.answer(peer, target, 10) }
      }
    }))
    const alive = w.peers.filter(p => !dead.has(p.peerId.toString()))
    expect(ids(result.peers.slice(0, 6))).to.deep.equal(ids(nearestPositioned(target, alive, 6)))
    expect(result.failed).to.equal(3)
  })

  it('every seed dead: resolves with ourselves alone, counting the failures', async () => {
    const self = w.peers[5]
    const target = new Uint8Array(randomBytes(32))
    const seeds = w.peers.filter(p => p !== self).slice(0, 4)
    const result = await lookup(init(w, self, target, { n: 5, seeds, query: async () => { throw new Error('refused') } }))
    expect(ids(result.peers)).to.deep.equal([self.peerId.toString()])
    expect(result.failed).to.equal(4)
    expect(result.answered).to.equal(0)
  })

  it('keeps at most alpha queries in flight', async () => {
    const self = w.peers[7]
    const target = new Uint8Array(randomBytes(32))
    let inflight = 0
    let most = 0
    await lookup(init(w, self, target, {
      n: 10,
      alpha: 2,
      query: async (peer) => {
        most = Math.max(most, ++inflight)
        await new Promise(resolve => setImmediate(resolve))
        inflight--
        return { closer: w.answer(peer, target, 10) }
      }
    }))
    expect(most).to.equal(2)
  })

  it('stop: an answer that ends the lookup leaves the other candidates unasked', async () => {
    const self = w.peers[8]
    const target = new Uint8Array(randomBytes(32))
    const result = await lookup(init(w, self, target, {
      n: 10,
      initialAlpha: 1,
      query: async () => ({ closer: [], stop: true })
    }))
    expect(result.stopped).to.equal(true)
    expect(result.queried).to.equal(1)
  })

  it("the near watch settles on the nearest `count` while a farther one of the n is still slow, and hears each of them answer", async () => {
    const self = w.peers[5]
    const target = new Uint8Array(randomBytes(32))
    const truth = w.truth(target, 10)
    const slow = truth.filter(p => !p.peerId.equals(self.peerId)).at(-1)!
    const release = Promise.withResolvers<void>()
    const heard: FoundPeer[] = []
    let settled: FoundPeer[] | undefined
    let ended = false
    const running = lookup(init(w, self, target, {
      n: 10,
      query: async (peer) => {
        if (peer.peerId.equals(slow.peerId)) await release.promise
        return { closer: w.answer(peer, target, 10) }
      },
      near: { count: 3, onNear: peer => { heard.push(peer) }, onSettled: peers => { settled = peers } }
    })).finally(() => { ended = true })
    await waitFor('the near watch to settle', () => settled != null, 5000)
    expect(ended, 'the lookup waits for its slow peer').to.equal(false)
    expect(ids(settled!)).to.deep.equal(ids(w.truth(target, 3)))
    expect(ids(heard)).to.include.members(ids(w.truth(target, 3).filter(p => !p.peerId.equals(self.peerId))))
    release.resolve()
    const result = await within(5000, running, 'the lookup')
    expect(ids(result.peers)).to.deep.equal(ids(truth))
  })

  describe('narrow start, hedging and widening', () => {
    /** A query that records when each peer was asked and answers per `script`. */
    function scripted (target: Uint8Array, script: (peer: FoundPeer, index: number, signal: AbortSignal) => Promise<QueryOutcome>): { asked: Array<{ peer: string, at: number }>, query: LookupInit['query'], started: number } {
      const asked: Array<{ peer: string, at: number }> = []
      const started = performance.now()
      return {
        asked,
        started,
        query: async (peer, signal) => {
          asked.push({ peer: peer.peerId.toString(), at: performance.now() - started })
          return script(peer, asked.length - 1, signal)
        }
      }
    }

    it('asks only the nearest first when its answer settles the lookup (one request for a get)', async () => {
      const self = w.peers[10]
      const target = new Uint8Array(randomBytes(32))
      const { asked, query } = scripted(target, async () => ({ closer: [], stop: true }))
      const seeds = w.answer(self, target, 6).filter(p => p !== self)
      await lookup(init(w, self, target, { n: 6, alpha: 3, initialAlpha: 1, hedgeMs: 10_000, seeds, query }))
      expect(asked.map(a => a.peer)).to.deep.equal([seeds[0].peerId.toString()])
    })

    it('widens to alpha at once when a query of the narrow start fails', async () => {
      const self = w.peers[11]
      const target = new Uint8Array(randomBytes(32))
      const release = Promise.withResolvers<void>()
      const { asked, query } = scripted(target, async (peer, index) => {
        if (index === 0) throw new Error('refused')
        await release.promise
        return { closer: [], stop: true }
      })
      const done = lookup(init(w, self, target, { n: 6, alpha: 4, initialAlpha: 2, hedgeMs: 10_000, query }))
      // the failure alone (no hedge timer: 10 s; the second narrow query still out) brings alpha = 4 in flight
      await waitFor('three more queries', () => asked.length >= 5, 2000)
      expect(asked.length).to.equal(5)
      release.resolve()
      await within(2000, done)
    })

    it('widens after hedgeMs while the first query is still outstanding', async () => {
      const self = w.peers[12]
      const target = new Uint8Array(randomBytes(32))
      let failedAt = Infinity
      const { asked, query, started } = scripted(target, async (peer, index, signal) => {
        if (index === 0) {
          // a peer that does not answer: its request times out after 300 ms (PeerRequests' deadline, shortened)
          await new Promise((_resolve, reject) => {
            const timer = setTimeout(() => {
              failedAt = performance.now() - started
              reject(Object.assign(new Error('no response'), { name: 'TimeoutError' }))
            }, 300)
            signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason) })
          })
        }
        // 7, not 6: every table is complete, so answers of 6 would all name the silent peer
        // and never the 7th nearest, and the lookup could end one short through no fault of its own
        return { closer: w.answer(peer, target, 7) }
      })
      const result = await within(3000, lookup(init(w, self, target, { n: 6, alpha: 3, initialAlpha: 1, hedgeMs: 40, query })), 'a hedged lookup')
      expect(asked.length).to.be.greaterThan(1)
      // widened by the hedge timer, not by the first query's failure
      expect(asked[1].at).to.be.at.least(35).and.below(failedAt)
      expect(result.peers.length).to.equal(6)
    })

    it('an answer that staysNarrow does not widen; the narrow start widens only once it is spent', async () => {
      const self = w.peers[13]
      const target = new Uint8Array(randomBytes(32))
      const second = Promise.withResolvers<void>()
      const { asked, query } = scripted(target, async (peer, index) => {
        if (index === 1) await second.promise
        return { closer: [], staysNarrow: true }
      })
      const done = lookup(init(w, self, target, { n: 6, alpha: 4, initialAlpha: 2, hedgeMs: 10_000, query }))
      await waitFor('the narrow start', () => asked.length >= 2, 2000)
      // the first answered (staysNarrow), the second is outstanding: nobody else is asked
      await new Promise(resolve => setTimeout(resolve, 20))
      expect(asked.length).to.equal(2)
      second.resolve()
      // both narrow answers are in without settling the lookup: it goes wide
      await within(2000, done)
      expect(asked.length).to.be.greaterThan(2)
    })

    it('an answer that neither stops nor staysNarrow widens at once', async () => {
      const self = w.peers[14]
      const target = new Uint8Array(randomBytes(32))
      const second = Promise.withResolvers<void>()
      const { asked, query } = scripted(target, async (peer, index) => {
        if (index === 1) await second.promise
        return { closer: [] }
      })
      const done = lookup(init(w, self, target, { n: 6, alpha: 4, initialAlpha: 2, hedgeMs: 10_000, query }))
      // the first answer widens to 4 while the second is still outstanding
      await waitFor('the lookup to widen', () => asked.length >= 4, 2000)
      second.resolve()
      await within(2000, done)
    })
  })

  describe('abort', () => {
    it('rejects with the signal\'s reason and aborts the queries still in flight', async () => {
      const self = w.peers[20]
      const target = new Uint8Array(randomBytes(32))
      const controller = new AbortController()
      const querySignals: AbortSignal[] = []
      const done = lookup(init(w, self, target, {
        signal: controller.signal,
        query: async (_peer, signal) => {
          querySignals.push(signal)
          return new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) })
        }
      }))
      await waitFor('alpha queries in flight', () => querySignals.length >= 3, 2000)
      const reason = new Error('caller gave up')
      controller.abort(reason)
      const err = await within(1000, done.then(() => undefined, (e: unknown) => e))
      expect(err).to.equal(reason)
      expect(querySignals.every(s => s.aborted)).to.equal(true)
    })

    it('an already aborted signal rejects before any query is sent', async () => {
      const self = w.peers[21]
      const target = new Uint8Array(randomBytes(32))
      let queried = 0
      const err = await lookup(init(w, self, target, {
        signal: AbortSignal.abort(new Error('too late')),
        query: async (peer) => { queried++; return { closer: w.answer(peer, target, 10) } }
      })).then(() => undefined, (e: Error) => e)
      expect(err?.message).to.equal('too late')
      expect(queried).to.equal(0)
    })
  })
})
