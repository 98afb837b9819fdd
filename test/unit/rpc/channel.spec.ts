/**
 * The client's RPC channel (src/rpc/channel.ts) reads answers as whole
 * frames: an answer arriving a byte at a time, two of the largest answers
 * (a full FETCH_MANY's) back to back, and the peer ending the stream with a
 * request pending, over an in-memory stream pair.
 */
import { expect } from 'chai'
import { streamPair } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { RpcChannel } from '../../../src/rpc/channel.ts'
import { Frame, ItemKind } from '../../../src/rpc/pb/rpc.ts'
import { FrameStream, encodeVarint } from '../../../src/rpc/frame-stream.ts'
import { MAX_FETCH_MANY_ANSWER_BYTES } from '../../../src/rpc/fetch-many-limits.ts'
import { MAX_FRAME_BYTES } from '../../../src/constants.ts'
import type { Stream } from '@libp2p/interface'

const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => log }) as any

/** The server end: reads each request frame and lets `answer` write whatever bytes it likes. */
function serve (stream: Stream, answer: (request: Frame, send: (bytes: Uint8Array) => Promise<void>) => Promise<void>): void {
  const frames = new FrameStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: 1 << 22 })
  const send = async (bytes: Uint8Array): Promise<void> => {
    if (!stream.send(bytes)) await stream.onDrain({ signal: AbortSignal.timeout(5_000) })
  }
  void (async () => {
    while (true) {
      const read = await frames.read({ frameTimeout: 5_000 })
      if (!('frame' in read)) return
      await answer(Frame.decode(read.frame), send)
    }
  })().catch(() => {})
}

/** `frame` as an answer on the wire: varint length, then the frame. */
function wire (frame: Partial<Frame>): Uint8Array {
  const bytes = Frame.encode(frame)
  return new Uint8ArrayList(encodeVarint(bytes.byteLength), bytes).subarray()
}

const fetchAnswer = (id: bigint, body: Uint8Array<ArrayBuffer>): Partial<Frame> =>
  ({ id, response: true, type: Frame.Type.FETCH, fetchResponse: { item: { kind: ItemKind.HASH, key: new Uint8Array(32), body, ttlSeconds: 1, acceptors: [] }, closer: [] } })

describe('unit: the RPC channel reads whole answer frames', () => {
  it('an answer that arrives one byte at a time', async () => {
    const [client, server] = await streamPair()
    serve(server, async (request, send) => {
      const bytes = wire(fetchAnswer(request.id, new Uint8Array(300).fill(7)))
      for (let i = 0; i < bytes.byteLength; i++) await send(bytes.subarray(i, i + 1))
    })
    const channel = new RpcChannel(client, log)
    const { response } = await channel.request({ type: Frame.Type.FETCH, fetchRequest: { key: new Uint8Array(32), closerCount: 0 } }, { timeout: 5_000 })
    expect(response.fetchResponse?.item?.body).to.deep.equal(new Uint8Array(300).fill(7))
    channel.close()
  })

  it('two of the largest answers back to back, each whole', async () => {
    const [client, server] = await streamPair({ capacity: 1_000 })
    const body = new Uint8Array(MAX_FETCH_MANY_ANSWER_BYTES - 200).fill(1)
    let served = 0
    const answers: Array<() => Promise<void>> = []
    serve(server, async (request, send) => {
      answers.push(async () => { await send(wire(fetchAnswer(request.id, body))) })
      if (++served === 2) for (const a of answers) await a()
    })
    const channel = new RpcChannel(client, log)
    const ask = async (): Promise<Frame> => (await channel.request({ type: Frame.Type.FETCH, fetchRequest: { key: new Uint8Array(32), closerCount: 0 } }, { timeout: 10_000 })).response
    const both = await Promise.all([ask(), ask()])
    for (const r of both) expect(r.fetchResponse?.item?.body.byteLength).to.equal(body.byteLength)
    channel.close()
  })

  it('a request pending when the peer ends the stream fails at once', async () => {
    const [client, server] = await streamPair()
    serve(server, async () => { await server.close() })
    const channel = new RpcChannel(client, log)
    const started = Date.now()
    const failed = await channel.request({ type: Frame.Type.FETCH, fetchRequest: { key: new Uint8Array(32), closerCount: 0 } }, { timeout: 10_000 }).then(() => undefined, (err: Error) => err)
    expect(failed).to.be.instanceOf(Error)
    expect(Date.now() - started).to.be.below(5_000)
    expect(channel.closed).to.equal(true)
  })
})
