/**
 * Operation deadlines (src/signals.ts releasableDeadline). Node 24 keeps a
 * composite of AbortSignal.any([..., AbortSignal.timeout(ms)]) reachable
 * until its timer fires, used or not: every block put of a 1 GiB add kept
 * ~0.5 KiB (signals, their sets and weak references, a Timeout) for the
 * 30 s operation timeout. An operation's deadline now fires while the work
 * runs, however its signal is held or derived from (AbortSignal.any
 * flattens composites and holds its sources weakly), and keeps nothing once
 * the work has settled and released it.
 */
import { expect } from 'chai'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { deadlineSignal, releasableDeadline, releasingDeadlines } from '../../src/signals.ts'
import { waitFor } from './helpers.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

async function collect (): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

describe('unit: operation deadlines', () => {
  it('abort with a TimeoutError after their time while the work runs, collections or not', async () => {
    const caller = new AbortController()
    const { signal } = releasableDeadline([caller.signal], 150)
    await collect()
    await waitFor('the deadline to fire', () => signal.aborted, 5000)
    expect((signal.reason as Error).name).to.equal('TimeoutError')
  })

  it('time out a signal derived from one that is dropped before the work settles', async () => {
    const caller = new AbortController()
    let derived: AbortSignal | undefined
    const work = releasingDeadlines(() => releasableDeadline([caller.signal], 150), async deadline => {
      derived = AbortSignal.any([deadline(), new AbortController().signal])
      await collect()
      await waitFor('the derived signal to time out', () => derived?.aborted === true, 5000)
    })
    await work
    expect((derived?.reason as Error).name).to.equal('TimeoutError')
  })

  it('abort with the caller\'s reason when the caller aborts first', () => {
    const caller = new AbortController()
    const { signal } = releasableDeadline([caller.signal], 60_000)
    caller.abort(new Error('gone'))
    expect(signal.aborted).to.equal(true)
    expect((signal.reason as Error).message).to.equal('gone')
  })

  it('keep nothing for their timeout once the work has released them (< 100 bytes each; deadlineSignal keeps ~500)', async () => {
    const longLived = new AbortController()
    const n = 5000
    const perDeadline = async (make: () => AbortSignal, release: boolean): Promise<number> => {
      await collect()
      const before = process.memoryUsage().heapUsed
      for (let i = 0; i < n; i++) {
        if (release) await releasingDeadlines(() => releasableDeadline([longLived.signal], 60_000), async deadline => { deadline().throwIfAborted() })
        else make().throwIfAborted()
      }
      await collect()
      return (process.memoryUsage().heapUsed - before) / n
    }
    // the control: the plain deadline keeps its composite for the timeout, so the probe can see it
    expect(await perDeadline(() => deadlineSignal([longLived.signal], 60_000), false)).to.be.above(200)
    expect(await perDeadline(() => deadlineSignal([], 0), true)).to.be.below(100)
  })
})
