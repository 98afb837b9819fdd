/**
 * The value log's appends of one turn go to disk in one writev
 * (src/store/coalesced-writes.ts): an add stores several blocks at once,
 * and each writev is a hand-off to libuv's thread pool on the main thread.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CoalescedWrites, MAX_BATCH_BUFFERS } from '../../../src/store/coalesced-writes.ts'
import { ValueLog } from '../../../src/store/value-log.ts'
import type { FileHandle } from 'node:fs/promises'

describe('unit: store coalesced writes', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'toyrrent-coalesced-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  /** Counts the writev calls of every FileHandle while `work` runs. */
  async function countingWritev (work: () => Promise<void>): Promise<number[]> {
    const probe = await open(join(dir, 'probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as FileHandle
    await probe.close()
    const original = proto.writev
    const sizes: number[] = []
    proto.writev = async function (this: FileHandle, buffers: NodeJS.ArrayBufferView[], position?: number) {
      sizes.push(buffers.length)
      return original.call(this, buffers, position)
    } as FileHandle['writev']
    try {
      await work()
    } finally {
      proto.writev = original
    }
    return sizes
  }

  it('16 parallel value-log appends are one writev, and every body reads back', async () => {
    const log = new ValueLog(join(dir, 'values'))
    await log.open()
    const bodies = Array.from({ length: 16 }, () => randomBytes(65536))
    const keys = bodies.map(() => randomBytes(32))
    let at: Awaited<ReturnType<ValueLog['append']>>[] = []
    const calls = await countingWritev(async () => {
      at = await Promise.all(bodies.map(async (b, i) => log.append(keys[i], b)))
    })
    expect(calls, 'writev calls (buffers each)').to.deep.equal([32])
    for (let i = 0; i < bodies.length; i++) expect(Buffer.from(await log.read(keys[i], at[i])).equals(bodies[i])).to.equal(true)
    await log.close()
  })

  it('joins only writes that follow each other, at most MAX_BATCH_BUFFERS buffers a batch', async () => {
    const fh = await open(join(dir, 'f'), 'w+')
    const writes = new CoalescedWrites(fh, join(dir, 'f'))
    const one = Buffer.alloc(10, 1)
    const calls = await countingWritev(async () => {
      const all: Array<Promise<void>> = []
      for (let i = 0; i < MAX_BATCH_BUFFERS + 2; i++) all.push(writes.write(i * 10, [one], 10))
      all.push(writes.write(5000, [Buffer.alloc(10, 2)], 10)) // not right after the others: a batch of its own
      await Promise.all(all)
    })
    expect(calls).to.deep.equal([MAX_BATCH_BUFFERS, 2, 1])
    const bytes = await readFile(join(dir, 'f'))
    expect(bytes.subarray(0, (MAX_BATCH_BUFFERS + 2) * 10).every(b => b === 1)).to.equal(true)
    expect(bytes.subarray(5000, 5010).every(b => b === 2)).to.equal(true)
    await fh.close()
  })

  it('a failed batch fails every write in it', async () => {
    const fh = await open(join(dir, 'g'), 'w')
    const writes = new CoalescedWrites(fh, join(dir, 'g'))
    await fh.close() // writev on a closed handle fails
    const results = await Promise.allSettled([writes.write(0, [Buffer.alloc(4)], 4), writes.write(4, [Buffer.alloc(4)], 4)])
    expect(results.map(r => r.status)).to.deep.equal(['rejected', 'rejected'])
  })
})
