/**
 * Yamux window updates at half a window (src/node/yamux-window.ts), over an
 * in-memory connection pair: a hundred small request/answer exchanges on one
 * stream draw a window update per message from stock yamux and next to none
 * from ours. Bulk transfers through many windows, with a slow reader and
 * stock yamux at the other end, are test/e2e/yamux-window.spec.ts (real TCP).
 */
import { expect } from 'chai'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { yamux } from '@chainsafe/libp2p-yamux'
import { toyrrentYamux } from '../../../src/node/yamux-window.ts'
import type { Stream, StreamMuxer } from '@libp2p/interface'

/** WindowUpdate frames without flags (plain updates) a muxer sent, counted as they go out. */
interface Counted { muxer: StreamMuxer, plainUpdates: () => number }

function muxerOf (factory: () => { createStreamMuxer(c: any): StreamMuxer }, connection: any): Counted {
  const muxer = factory().createStreamMuxer(connection) as any
  let updates = 0
  const sendFrame = muxer.sendFrame.bind(muxer)
  // streams bind the muxer's sendFrame when they are made, so this sees all of theirs
  muxer.sendFrame = (header: { type: number, flag: number }, data?: unknown) => {
    if (header.type === 1 && header.flag === 0) updates++
    return sendFrame(header, data)
  }
  return { muxer, plainUpdates: () => updates }
}

async function pair (ours: boolean, theirs: boolean): Promise<{ a: Counted, b: Counted, sa: Stream, sb: Stream }> {
  const [outbound, inbound] = multiaddrConnectionPair({ capacity: 100_000 })
  const a = muxerOf(ours ? toyrrentYamux() : yamux(), outbound)
  const b = muxerOf(theirs ? toyrrentYamux() : yamux(), inbound)
  const incoming = new Promise<Stream>(resolve => { b.muxer.addEventListener('stream', (evt: any) => { resolve(evt.detail) }, { once: true }) })
  const sa = await a.muxer.createStream()
  sa.send(Uint8Array.of(0))
  const sb = await incoming
  return { a, b, sa, sb }
}

async function until (condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 1))
  }
}

/** 100 small messages each way, one answered before the next goes. */
async function exchanges (ours: boolean): Promise<number> {
  const { a, b, sa, sb } = await pair(ours, ours)
  let atB = 0
  let atA = 0
  sb.addEventListener('message', (evt: any) => { atB += evt.data.byteLength; sb.send(new Uint8Array(200)) })
  sa.addEventListener('message', (evt: any) => { atA += evt.data.byteLength })
  for (let i = 1; i <= 100; i++) {
    sa.send(new Uint8Array(300))
    await until(() => atA >= i * 200, `answer ${i}`)
  }
  expect(atB).to.equal(1 + 100 * 300)
  const updates = a.plainUpdates() + b.plainUpdates()
  a.muxer.abort(new Error('done'))
  b.muxer.abort(new Error('done'))
  return updates
}

describe('unit: yamux window updates at half a window', () => {
  it('small exchanges draw next to no window updates (stock yamux: one per message)', async () => {
    const stock = await exchanges(false)
    const ours = await exchanges(true)
    expect(stock).to.be.at.least(200)
    expect(ours).to.be.at.most(2)
  })

})
