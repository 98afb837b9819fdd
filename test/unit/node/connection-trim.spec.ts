/**
 * Which connections the trim closes (src/node/connection-trim.ts), on fake
 * connections: strangers before members, oldest first, none younger than the
 * grace period, members only beyond the cap by themselves and farthest first.
 * The same policy over real TCP: test/e2e/connection-trim.spec.ts.
 */
import { expect } from 'chai'
import { ConnectionTrim } from '../../../src/node/connection-trim.ts'
import type { ConnectionTrimComponents } from '../../../src/node/connection-trim.ts'

interface FakeConnection { remotePeer: { toString(): string }, status: string, timeline: { open: number }, closed: boolean, close(): Promise<void>, abort(): void }

function fakes (peers: Array<[string, number]>): FakeConnection[] {
  return peers.map(([id, open]) => {
    const c: FakeConnection = {
      remotePeer: { toString: () => id },
      status: 'open',
      timeline: { open },
      closed: false,
      async close () { c.closed = true; c.status = 'closed' },
      abort () { c.closed = true }
    }
    return c
  })
}

function trimOf (connections: FakeConnection[], bands: Record<number, string[]>, maxConnections: number, graceMs = 1_000, tags: Record<string, string[]> = {}, reads: string[] = []): ConnectionTrim {
  const components = {
    events: new EventTarget(),
    connectionManager: { getConnections: () => connections.filter(c => c.status === 'open') },
    peerStore: {
      async get (id: { toString(): string }) {
        reads.push(id.toString())
        const own = tags[id.toString()]
        if (own == null) throw new Error('not found')
        return { tags: new Map(own.map(t => [t, { value: 1 }])) }
      }
    },
    toyrrent: { tableBands: () => new Map(Object.entries(bands).map(([b, ids]) => [Number(b), ids.map(id => ({ peerId: { toString: () => id } }))])) }
  } as unknown as ConnectionTrimComponents
  return new ConnectionTrim(components, { maxConnections, graceMs })
}

const closedIds = (cs: FakeConnection[]): string[] => cs.filter(c => c.closed).map(c => c.remotePeer.toString()).sort()

describe('connection trim: which connections close past the cap', () => {
  const NOW = 100_000

  it('closes nothing at or under the cap', async () => {
    const cs = fakes([['a', 0], ['b', 0], ['c', 0]])
    expect(await trimOf(cs, {}, 3).trim(NOW)).to.equal(0)
    expect(closedIds(cs)).to.deep.equal([])
  })

  it('closes the oldest connections to peers outside the table first, never a member while a stranger is left', async () => {
    const cs = fakes([['m1', 10], ['s-old', 20], ['m2', 30], ['s-mid', 40], ['s-new', 50]])
    const trim = trimOf(cs, { 3: ['m1'], 200: ['m2'] }, 3)
    expect(await trim.trim(NOW)).to.equal(2)
    expect(closedIds(cs)).to.deep.equal(['s-mid', 's-old'])
    expect(trim.closed).to.deep.equal({ nonMembers: 2, members: 0 })
  })

  it('keeps connections younger than the grace period, even over the cap', async () => {
    const cs = fakes([['s-old', 0], ['s-young1', NOW - 500], ['s-young2', NOW - 100]])
    const trim = trimOf(cs, {}, 1, 1_000)
    expect(await trim.trim(NOW)).to.equal(1)
    expect(closedIds(cs)).to.deep.equal(['s-old'])
    // once they are old enough, the next trim takes one of them
    expect(await trim.trim(NOW + 1_000)).to.equal(1)
    expect(closedIds(cs)).to.deep.equal(['s-old', 's-young1'])
  })

  it('closes members only beyond the cap by themselves, farthest band first', async () => {
    const cs = fakes([['near', 0], ['mid', 0], ['far', 0], ['farthest', 0], ['stranger', 0]])
    const trim = trimOf(cs, { 2: ['near'], 100: ['mid'], 200: ['far'], 250: ['farthest'] }, 2)
    expect(await trim.trim(NOW)).to.equal(3)
    expect(closedIds(cs)).to.deep.equal(['far', 'farthest', 'stranger'])
    expect(trim.closed).to.deep.equal({ nonMembers: 1, members: 2 })
  })

  it('never closes a peer tagged to be kept (keep-alive tags, a relay server\'s reserved clients)', async () => {
    const cs = fakes([['relay', 0], ['app', 10], ['client', 20], ['s1', 30], ['s2', 40]])
    const tags = { relay: ['keep-alive-circuit-relay'], app: ['keep-alive'], client: ['circuit-relay-source'], s1: ['some-other-tag'] }
    const trim = trimOf(cs, {}, 2, 1_000, tags)
    expect(await trim.trim(NOW)).to.equal(2)
    expect(closedIds(cs)).to.deep.equal(['s1', 's2'])
    // over the cap by kept peers alone: nothing more to close
    expect(await trim.trim(NOW)).to.equal(0)
  })

  it('reads the peer store only for the peers it may close, until enough are closed', async () => {
    // a trim runs after every burst of new connections: reading every open connection's tags each time grew with the cap
    const cs = fakes([...Array.from({ length: 20 }, (_, i): [string, number] => [`m${i}`, 0]), ['s-old', 10], ['s-new', 20], ['s-young', NOW - 10]])
    const reads: string[] = []
    const trim = trimOf(cs, { 200: Array.from({ length: 20 }, (_, i) => `m${i}`) }, 22, 1_000, {}, reads)
    expect(await trim.trim(NOW)).to.equal(1)
    expect(closedIds(cs)).to.deep.equal(['s-old'])
    expect(reads).to.deep.equal(['s-old'])
    // the rest of the excess is young connections and members within the cap: no reads for those
    reads.length = 0
    cs.push(...fakes([['s-young2', NOW - 5]]))
    const tight = trimOf(cs, { 200: Array.from({ length: 20 }, (_, i) => `m${i}`) }, 20, 1_000, {}, reads)
    expect(await tight.trim(NOW)).to.equal(1)
    expect(reads).to.deep.equal(['s-new'])
  })

  it('refuses a cap that is not a positive integer', () => {
    expect(() => trimOf([], {}, 0)).to.throw(RangeError)
    expect(() => trimOf([], {}, 1.5)).to.throw(RangeError)
  })
})
