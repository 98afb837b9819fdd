/**
 * Operation deadlines (src/signals.ts deadlineSignal). Node 24 keeps a
 * composite of AbortSignal.any([..., AbortSignal.timeout(ms)]) reachable
 * until its timer fires, used or not: every block put of a 1 GiB add kept
 * ~1.5 KiB (two signals, their sets and weak references, a Timeout) for
 * the 30 s operation timeout. And a composite held by no listener lost its
 * timeout signal to a collection, so it never aborted. A deadline now
 * fires while its signal is in use and costs nothing once it is dropped.
 */
import { expect } from 'chai'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { deadlineSignal } from '../../src/signals.ts'
import { waitFor } from './helpers.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

async function collect (): Promise<void> {
  // finalization callbacks run as tasks after a collection
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

describe('unit: operation deadlines', () => {
  it('abort with a TimeoutError after their time while in use, collections or not', async () => {
    const caller = new AbortController()
    const signal = deadlineSignal([caller.signal], 150)
    await collect()
    await waitFor('the deadline to fire', () => signal.aborted, 5000)
    expect((signal.reason as Error).name).to.equal('TimeoutError')
  })

  it('still time out a signal derived from them once they are dropped (AbortSignal.any flattens composites)', async () => {
    const caller = new AbortController()
    let derived: AbortSignal
    {
      const deadline = deadlineSignal([caller.signal], 150)
      derived = AbortSignal.any([deadline, new AbortController().signal])
    }
    await collect()
    await waitFor('the derived signal to time out', () => derived.aborted, 5000)
    expect((derived.reason as Error).name).to.equal('TimeoutError')
  })

  it('abort with the caller\'s reason when the caller aborts first', () => {
    const caller = new AbortController()
    const signal = deadlineSignal([caller.signal], 60_000)
    caller.abort(new Error('gone'))
    expect(signal.aborted).to.equal(true)
    expect((signal.reason as Error).message).to.equal('gone')
  })

  it('keep nothing for their timeout once dropped (< 100 bytes each; Node\'s any + timeout kept ~500)', async () => {
    const longLived = new AbortController()
    const n = 5000
    await collect()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < n; i++) deadlineSignal([longLived.signal], 60_000).throwIfAborted()
    await collect()
    const perSignal = (process.memoryUsage().heapUsed - before) / n
    expect(perSignal).to.be.below(100)
  })
})
