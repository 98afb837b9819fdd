/**
 * encodePrefixedFrame gives exactly the varint length prefix and the bytes
 * Frame.encode gives (wire compatibility, protocols/rpc.md), for every
 * combination of the fields around a big item body, which it passes by
 * reference (three buffers at most); small bodies and other frames are one
 * buffer, prefix included.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { BY_REFERENCE_BYTES, encodePrefixedFrame } from '../../../src/rpc/frame-encode.ts'
import { encodeVarint } from '../../../src/rpc/frame-stream.ts'
import { Frame, ItemKind, Status } from '../../../src/rpc/pb/rpc.ts'
import type { PrefixedFrame } from '../../../src/rpc/frame-encode.ts'

/** The prefixed frame is the prefix and Frame.encode's bytes, and says their length. */
function expectWire (encoded: PrefixedFrame, frame: Partial<Frame>): void {
  const want = Frame.encode(frame)
  expect(encoded.length).to.equal(want.byteLength)
  expect(Buffer.concat(encoded.parts).equals(Buffer.concat([encodeVarint(want.byteLength), want]))).to.equal(true)
}

const peer = { id: randomBytes(38), addrs: [randomBytes(8), randomBytes(20)] }

describe('rpc: frame encoding with the body by reference', () => {
  const sizes = [BY_REFERENCE_BYTES, 65_536, 200_000]
  for (const size of sizes) {
    for (const kind of [ItemKind.HASH, ItemKind.PUBLISH]) {
      for (const ttlSeconds of [0, 1, 300_000]) {
        it(`STORE request, ${size} B body, kind ${kind}, ttl ${ttlSeconds}, with and without acceptors: the same bytes as Frame.encode`, () => {
          const acceptors = kind === ItemKind.PUBLISH ? [randomBytes(38), randomBytes(38)] : []
          const item = { kind, key: randomBytes(32), body: randomBytes(size), ttlSeconds, acceptors }
          for (const rest of [{ closerCount: 0 }, { closerCount: 3 }, { expectedSeq: 7n, closerCount: 0 }, { expectedSeq: 0n, closerCount: 64 }]) {
            for (const id of [0n, 1n, 2n ** 40n]) {
              const frame: Partial<Frame> = { id, type: Frame.Type.STORE, response: false, storeRequest: { item, ...rest } }
              const encoded = encodePrefixedFrame(frame)
              expectWire(encoded, frame)
              // the body is the caller's buffer, not a copy, with what comes before and after it
              expect(encoded.parts[1]).to.equal(item.body)
              expect(encoded.parts.length).to.be.at.most(3)
            }
          }
        })
      }
    }
    it(`FETCH answer, ${size} B body, with and without closer peers and a status message`, () => {
      const item = { kind: ItemKind.PUBLISH, key: randomBytes(32), body: randomBytes(size), ttlSeconds: 42, acceptors: [randomBytes(38)] }
      for (const closer of [[], [peer], [peer, peer]]) {
        for (const extra of [{}, { status: Status.OK, message: '' }, { status: Status.NOT_FOUND, message: 'a reason' }]) {
          const frame: Partial<Frame> = { id: 99n, type: Frame.Type.FETCH, response: true, ...extra, fetchResponse: { item, closer } }
          const encoded = encodePrefixedFrame(frame)
          expectWire(encoded, frame)
          expect(encoded.parts[1]).to.equal(item.body)
          const whole = Buffer.concat(encoded.parts)
          const decoded = Frame.decode(whole.subarray(whole.byteLength - encoded.length))
          expect(Buffer.from(decoded.fetchResponse?.item?.body ?? []).equals(item.body)).to.equal(true)
          expect(decoded.fetchResponse?.closer).to.have.length(closer.length)
        }
      }
    })
  }

  it('small bodies, empty bodies and other frames: the ordinary encoding', () => {
    const small = { kind: ItemKind.HASH, key: randomBytes(32), body: randomBytes(BY_REFERENCE_BYTES - 1), ttlSeconds: 0, acceptors: [] }
    const empty = { ...small, body: new Uint8Array(0) }
    const frames: Array<Partial<Frame>> = [
      { id: 1n, type: Frame.Type.STORE, storeRequest: { item: small, closerCount: 0 } },
      { id: 1n, type: Frame.Type.STORE, storeRequest: { item: empty, closerCount: 0 } },
      { id: 2n, type: Frame.Type.FETCH, response: true, fetchResponse: { closer: [peer] } },
      { id: 3n, type: Frame.Type.FETCH, fetchRequest: { key: randomBytes(32), closerCount: 0 } }
    ]
    for (const frame of frames) {
      const encoded = encodePrefixedFrame(frame)
      expect(encoded.parts).to.have.length(1, 'one buffer, prefix included')
      expectWire(encoded, frame)
    }
  })

  it('a frame with a second payload beside the item is not spliced (its bytes would move)', () => {
    const item = { kind: ItemKind.HASH, key: randomBytes(32), body: randomBytes(65_536), ttlSeconds: 0, acceptors: [] }
    const frame: Partial<Frame> = { id: 5n, type: Frame.Type.STORE, storeRequest: { item, closerCount: 0 }, fetchRequest: { key: randomBytes(32), closerCount: 1 } }
    const encoded = encodePrefixedFrame(frame)
    expect(encoded.parts).to.have.length(1)
    expectWire(encoded, frame)
  })
})
