/**
 * Frames queued on one stream in one turn of the event loop go out as one
 * send, the same bytes in the same order (rpc/frame-batch.ts); the request
 * channel uses it and its requests still each get their own answer.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { streamPair } from '@libp2p/utils'
import { logger } from '@libp2p/logger'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameBatch } from '../../../src/rpc/frame-batch.ts'
import { RpcChannel } from '../../../src/rpc/channel.ts'
import { FrameStream } from '../../../src/rpc/frame-stream.ts'
import { encodePrefixedFrame } from '../../../src/rpc/frame-encode.ts'
import { Frame, ItemKind } from '../../../src/rpc/pb/rpc.ts'
import { MAX_FRAME_BYTES } from '../../../src/constants.ts'
import { waitFor } from '../../helpers/wait.ts'
import type { Stream } from '@libp2p/interface'

/** Counts the stream's sends and keeps what each was handed. */
function spySends (stream: Stream): Array<Uint8Array | Uint8ArrayList> {
  const sent: Array<Uint8Array | Uint8ArrayList> = []
  const send = stream.send.bind(stream)
  stream.send = (data: Uint8Array | Uint8ArrayList) => {
    sent.push(data)
    return send(data)
  }
  return sent
}

function request (id: bigint): Partial<Frame> {
  return { id, type: Frame.Type.FETCH, response: false }
}

/** The frames the peer receives, decoded, until `count` have come. */
async function receive (stream: Stream, count: number): Promise<Frame[]> {
  const frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: 4 * MAX_FRAME_BYTES })
  const out: Frame[] = []
  while (out.length < count) {
    const read = await frames.read({ frameTimeout: 5000, idleTimeout: 5000 })
    if (!('frame' in read)) throw new Error(`stream ended after ${out.length} frames`)
    out.push(Frame.decode(read.frame))
  }
  return out
}

describe('rpc: frames queued in one turn go out as one send', () => {
  it('several frames queued in one tick: one send, the frames in order, the bytes of each unchanged', async () => {
    const [out, inb] = await streamPair()
    const sent = spySends(out)
    const batch = new FrameBatch(out, err => { throw err })
    const encoded = [1n, 2n, 3n, 4n, 5n].map(id => encodePrefixedFrame(request(id)))
    for (const e of encoded) batch.push(e)
    expect(sent).to.have.length(0)
    const got = receive(inb, 5)
    await waitFor('the batch sent', () => sent.length > 0, 2000)
    expect(sent).to.have.length(1)
    expect(Buffer.from(sent[0].subarray()).equals(Buffer.concat(encoded.flatMap(e => e.parts)))).to.equal(true)
    expect((await got).map(f => f.id)).to.deep.equal([1n, 2n, 3n, 4n, 5n])
  })

  it('a frame queued after a send is under way is sent next, not lost or reordered', async () => {
    const [out, inb] = await streamPair({ delay: 20 })
    const sent = spySends(out)
    const batch = new FrameBatch(out, err => { throw err })
    batch.push(encodePrefixedFrame(request(1n)))
    batch.push(encodePrefixedFrame(request(2n)))
    await waitFor('the first send', () => sent.length === 1, 2000)
    batch.push(encodePrefixedFrame(request(3n)))
    await waitFor('the second send', () => sent.length === 2, 2000)
    batch.push(encodePrefixedFrame(request(4n)))
    batch.flush()
    expect(sent).to.have.length(3)
    expect((await receive(inb, 4)).map(f => f.id)).to.deep.equal([1n, 2n, 3n, 4n])
  })

  it('a big item body is handed to the stream by reference, not copied', async () => {
    const [out, inb] = await streamPair()
    const sent = spySends(out)
    const batch = new FrameBatch(out, err => { throw err })
    const body = randomBytes(65_536)
    const item = { kind: ItemKind.HASH, key: randomBytes(32), body, ttlSeconds: 60, acceptors: [] }
    batch.push(encodePrefixedFrame(request(1n)))
    batch.push(encodePrefixedFrame({ id: 2n, type: Frame.Type.FETCH, response: true, fetchResponse: { item, closer: [] } }))
    batch.flush()
    expect(sent).to.have.length(1)
    const list = sent[0]
    expect(list).to.be.instanceOf(Uint8ArrayList)
    expect([...(list as Uint8ArrayList)].some(buf => buf === body)).to.equal(true)
    const frames = await receive(inb, 2)
    expect(Buffer.from(frames[1].fetchResponse?.item?.body ?? []).equals(body)).to.equal(true)
  })

  it('nothing is sent on a stream that is no longer writable, and clear drops what is queued', async () => {
    const [out] = await streamPair()
    const sent = spySends(out)
    const batch = new FrameBatch(out, err => { throw err })
    batch.push(encodePrefixedFrame(request(1n)))
    batch.clear()
    batch.flush()
    await out.close()
    batch.push(encodePrefixedFrame(request(2n)))
    batch.flush()
    expect(sent).to.have.length(0)
  })
})

describe('rpc: the request channel batches its requests', () => {
  it('requests made together: one send, and an aborted one does not break the others', async () => {
    const [out, inb] = await streamPair()
    const sent = spySends(out)
    const channel = new RpcChannel(out, logger('test:frame-batch'))
    // the peer answers every request it gets, in reverse order of arrival
    const answered = receive(inb, 6).then(requests => {
      for (const r of requests.reverse()) inb.send(encodePrefixedFrame({ id: r.id, type: r.type, response: true }).parts[0])
      return requests.length
    })
    const aborting = new AbortController()
    const requests = [0, 1, 2, 3, 4, 5].map(async i => channel.request(request(0n), { timeout: 5000, signal: i === 2 ? aborting.signal : undefined }))
    aborting.abort(new Error('given up'))
    const results = await Promise.allSettled(requests)
    expect(await answered).to.equal(6)
    expect(sent).to.have.length(1)
    expect(results.map(r => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'])
    for (const r of results) if (r.status === 'fulfilled') expect(r.value.response.response).to.equal(true)
    expect(channel.closed).to.equal(false)
    channel.close()
  })

  it('a request on a full stream that never drains ends at its own deadline', async () => {
    const [out] = await streamPair()
    // a stream that needed a drain and was then reset may never report one (@libp2p/utils 7.4)
    Object.defineProperty(out, 'writableNeedsDrain', { get: () => true })
    out.onDrain = async () => await new Promise<void>(() => {})
    const channel = new RpcChannel(out, logger('test:frame-batch'))
    const started = Date.now()
    const outcome = await channel.request(request(0n), { timeout: 200 }).then(() => 'answered', (err: Error) => err.name)
    expect(outcome).to.equal('TimeoutError')
    expect(Date.now() - started).to.be.below(5000)
    channel.close()
  })
})
