/**
 * encodeFrame passes a big item body by reference and must give exactly the
 * bytes Frame.encode gives (wire compatibility, protocols/rpc.proto), for
 * every combination of the fields around the body; small bodies and other
 * frames take the ordinary path.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { BY_REFERENCE_BYTES, encodeFrame } from '../../../src/rpc/frame-encode.ts'
import { Frame, ItemKind, Status } from '../../../src/rpc/pb/rpc.ts'

function bytesOf (encoded: Uint8Array | Uint8ArrayList): Uint8Array {
  return encoded instanceof Uint8Array ? encoded : encoded.subarray()
}

const peer = { id: randomBytes(38), addrs: [randomBytes(8), randomBytes(20)] }

describe('rpc: frame encoding with the body by reference', () => {
  const sizes = [BY_REFERENCE_BYTES, 65_536, 200_000]
  for (const size of sizes) {
    for (const kind of [ItemKind.HASH, ItemKind.PUBLISH]) {
      for (const ttlSeconds of [0, 1, 300_000]) {
        it(`STORE request, ${size} B body, kind ${kind}, ttl ${ttlSeconds}: the same bytes as Frame.encode`, () => {
          const item = { kind, key: randomBytes(32), body: randomBytes(size), ttlSeconds }
          for (const rest of [{ closerCount: 0 }, { closerCount: 3 }, { expectedSeq: 7n, closerCount: 0 }, { expectedSeq: 0n, closerCount: 64 }]) {
            for (const id of [0n, 1n, 2n ** 40n]) {
              const frame: Partial<Frame> = { id, type: Frame.Type.STORE, response: false, storeRequest: { item, ...rest } }
              const encoded = encodeFrame(frame)
              expect(encoded).to.be.instanceOf(Uint8ArrayList, 'a big body goes by reference')
              expect(Buffer.from(bytesOf(encoded)).equals(Buffer.from(Frame.encode(frame)))).to.equal(true)
              // the body is the caller's buffer, not a copy
              expect([...(encoded as Uint8ArrayList)].some(b => b === item.body)).to.equal(true)
            }
          }
        })
      }
    }
    it(`FETCH answer, ${size} B body, with and without closer peers and a status message`, () => {
      const item = { kind: ItemKind.HASH, key: randomBytes(32), body: randomBytes(size), ttlSeconds: 42 }
      for (const closer of [[], [peer], [peer, peer]]) {
        for (const extra of [{}, { status: Status.OK, message: '' }, { status: Status.NOT_FOUND, message: 'a reason' }]) {
          const frame: Partial<Frame> = { id: 99n, type: Frame.Type.FETCH, response: true, ...extra, fetchResponse: { item, closer } }
          const encoded = encodeFrame(frame)
          expect(encoded).to.be.instanceOf(Uint8ArrayList)
          expect(Buffer.from(bytesOf(encoded)).equals(Buffer.from(Frame.encode(frame)))).to.equal(true)
          const decoded = Frame.decode(bytesOf(encoded))
          expect(Buffer.from(decoded.fetchResponse?.item?.body ?? []).equals(item.body)).to.equal(true)
          expect(decoded.fetchResponse?.closer).to.have.length(closer.length)
        }
      }
    })
  }

  it('small bodies, empty bodies and other frames: the ordinary encoding', () => {
    const small = { kind: ItemKind.HASH, key: randomBytes(32), body: randomBytes(BY_REFERENCE_BYTES - 1), ttlSeconds: 0 }
    const empty = { ...small, body: new Uint8Array(0) }
    const frames: Array<Partial<Frame>> = [
      { id: 1n, type: Frame.Type.STORE, storeRequest: { item: small, closerCount: 0 } },
      { id: 1n, type: Frame.Type.STORE, storeRequest: { item: empty, closerCount: 0 } },
      { id: 2n, type: Frame.Type.FETCH, response: true, fetchResponse: { closer: [peer] } },
      { id: 3n, type: Frame.Type.FETCH, fetchRequest: { key: randomBytes(32), closerCount: 0 } }
    ]
    for (const frame of frames) {
      const encoded = encodeFrame(frame)
      expect(encoded).to.be.instanceOf(Uint8Array)
      expect(Buffer.from(encoded as Uint8Array).equals(Buffer.from(Frame.encode(frame)))).to.equal(true)
    }
  })

  it('a frame with a second payload beside the item is not spliced (its bytes would move)', () => {
    const item = { kind: ItemKind.HASH, key: randomBytes(32), body: randomBytes(65_536), ttlSeconds: 0 }
    const frame: Partial<Frame> = { id: 5n, type: Frame.Type.STORE, storeRequest: { item, closerCount: 0 }, fetchRequest: { key: randomBytes(32), closerCount: 1 } }
    const encoded = encodeFrame(frame)
    expect(encoded).to.be.instanceOf(Uint8Array)
    expect(Buffer.from(encoded as Uint8Array).equals(Buffer.from(Frame.encode(frame)))).to.equal(true)
  })
})
