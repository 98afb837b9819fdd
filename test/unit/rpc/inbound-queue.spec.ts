import { expect } from 'chai'
import { InboundQueue } from '../../../src/rpc/inbound-queue.ts'

/** A job that runs until released, recording when it started. */
function gate (log: string[], name: string): { job: () => Promise<void>, release: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>()
  return { job: async () => { log.push(name); await promise }, release: resolve }
}

describe('inbound queue', () => {
  it('serves waiting peers round robin: a flooding peer delays another by one turn at most', async () => {
    const queue = new InboundQueue({ concurrency: 2, maxQueued: 1000, maxPerPeer: 1000 })
    const started: string[] = []
    const flood = Array.from({ length: 100 }, (_, i) => gate(started, `flood-${i}`))
    for (const g of flood) expect(queue.push('flooder', g.job)).to.equal(undefined)
    const other = gate(started, 'other')
    expect(queue.push('other', other.job)).to.equal(undefined)
    expect(started).to.deep.equal(['flood-0', 'flood-1'])
    // the flooder was back in the rotation before the other peer arrived: one turn for it, then the other peer,
    // not the 98 flood jobs queued ahead
    flood[0].release()
    await waitFor(() => started.length === 3)
    flood[1].release()
    await waitFor(() => started.length === 4)
    expect(started.slice(2)).to.deep.equal(['flood-2', 'other'])
    other.release()
    for (const g of flood) g.release()
    await queue.onIdle()
    expect(queue.stats()).to.include({ running: 0, queued: 0, done: 101, refused: 0 })
  })

  it('refuses over the per-peer limit and over the global limit, and takes jobs again as they finish', async () => {
    const queue = new InboundQueue({ concurrency: 1, maxQueued: 3, maxPerPeer: 2 })
    const started: string[] = []
    const gates = Array.from({ length: 6 }, (_, i) => gate(started, `g${i}`))
    expect(queue.push('a', gates[0].job)).to.equal(undefined)
    expect(queue.push('a', gates[1].job)).to.equal(undefined)
    expect(queue.push('a', gates[2].job)).to.equal('peer-limit')
    expect(queue.push('b', gates[3].job)).to.equal(undefined)
    expect(queue.push('c', gates[4].job)).to.equal(undefined)
    // 1 running, 3 waiting: full
    expect(queue.push('d', gates[5].job)).to.equal('queue-full')
    expect(queue.stats()).to.include({ running: 1, queued: 3, refused: 2 })
    gates[0].release()
    await waitFor(() => started.length === 2)
    expect(queue.push('d', gates[5].job)).to.equal(undefined)
    for (const g of gates) g.release()
    await queue.onIdle()
    expect(started).to.deep.equal(['g0', 'g1', 'g3', 'g4', 'g5'])
  })

  it('a job that throws does not stop the queue', async () => {
    const queue = new InboundQueue({ concurrency: 1 })
    let ran = false
    queue.push('a', async () => { throw new Error('boom') })
    queue.push('a', async () => { ran = true })
    await queue.onIdle()
    expect(ran).to.equal(true)
  })
})

async function waitFor (condition: () => boolean, timeout = 2_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setImmediate(resolve))
  }
}
