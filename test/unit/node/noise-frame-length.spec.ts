/**
 * Noise frame lengths read without an Error per chunk
 * (src/node/noise-frame-length.ts): the same lengths as Noise's own reader,
 * frames decoded alike however the bytes are split, "not yet" always the one
 * RangeError made once, and a handshake of toyrrentNoise over an in-memory
 * connection pair leaves both encrypted streams reading with it.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { LengthPrefixedDecoder, multiaddrConnectionPair } from '@libp2p/utils'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Uint8ArrayList } from 'uint8arraylist'
import { readFrameLength } from '../../../src/node/noise-frame-length.ts'
import { toyrrentNoise } from '../../../src/node/noise.ts'

/** Noise's own length reader as @chainsafe/libp2p-noise 17 has it (src/encoder.ts, not exported): a new RangeError for "not yet". */
function uint16BEDecode (data: Uint8Array | Uint8ArrayList): number {
  if (data.length < 2) throw RangeError('Could not decode int16BE')
  if (data instanceof Uint8Array) return (data[0] << 8) + data[1]
  return data.getUint16(0)
}

function frames (count: number): Uint8Array {
  const parts: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const body = randomBytes(1 + (i * 977) % 3000)
    parts.push(Uint8Array.of(body.byteLength >> 8, body.byteLength & 0xff), body)
  }
  return Buffer.concat(parts)
}

function decodeAll (lengthDecoder: (data: any) => number, bytes: Uint8Array, cut: number): Uint8Array[] {
  const decoder = new LengthPrefixedDecoder({ lengthDecoder, encodingLength: () => 2, maxBufferSize: 1 << 20 })
  const out: Uint8Array[] = []
  for (let at = 0; at < bytes.byteLength; at += cut) {
    for (const frame of decoder.decode(bytes.subarray(at, at + cut))) out.push(frame.subarray())
  }
  return out
}

describe('unit: Noise frame lengths without an Error per chunk', () => {
  it('reads the lengths Noise reads, from a buffer and from a list of them', () => {
    for (const [a, b] of [[0, 0], [0, 1], [1, 0], [0xff, 0xef], [0xff, 0xff]]) {
      const bytes = Uint8Array.of(a, b, 7)
      expect(readFrameLength(bytes)).to.equal(uint16BEDecode(bytes))
      const list = new Uint8ArrayList(Uint8Array.of(a), Uint8Array.of(b, 7))
      expect(readFrameLength(list)).to.equal(uint16BEDecode(new Uint8ArrayList(Uint8Array.of(a), Uint8Array.of(b, 7))))
    }
  })

  it('says "not yet" with one RangeError made once, for no bytes and for one', () => {
    const caught: unknown[] = []
    for (const data of [new Uint8Array(0), Uint8Array.of(1), new Uint8ArrayList(), new Uint8ArrayList(Uint8Array.of(1))]) {
      try { readFrameLength(data) } catch (err) { caught.push(err) }
    }
    expect(caught).to.have.length(4)
    expect(caught[0]).to.be.instanceOf(RangeError)
    for (const err of caught) expect(err).to.equal(caught[0])
  })

  it('decodes the same frames as Noise\'s own reader however the bytes are cut', () => {
    const bytes = frames(40)
    const expected = decodeAll(uint16BEDecode, bytes, bytes.byteLength)
    expect(expected).to.have.length(40)
    for (const cut of [1, 2, 3, 7, 1000, 4097]) {
      expect(decodeAll(readFrameLength, bytes, cut)).to.deep.equal(expected)
    }
  })

  it('is what both ends of a toyrrentNoise handshake read with, and data crosses both ways', async () => {
    const [outbound, inbound] = multiaddrConnectionPair()
    const keys = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
    const upgrader = { getStreamMuxers: () => new Map() }
    const [a, b] = keys.map(privateKey => toyrrentNoise()({ privateKey, peerId: peerIdFromPrivateKey(privateKey), logger: defaultLogger(), upgrader } as any))
    const [out, inn] = await Promise.all([
      a.secureOutbound(outbound, { remotePeer: peerIdFromPrivateKey(keys[1]), skipStreamMuxerNegotiation: true }),
      b.secureInbound(inbound, { skipStreamMuxerNegotiation: true })
    ])
    for (const secured of [out, inn]) expect((secured.connection as any).decoder.lengthDecoder).to.equal(readFrameLength)
    const received: Uint8Array[] = []
    inn.connection.addEventListener('message', (evt: any) => { received.push(evt.data.subarray()) })
    const message = randomBytes(100_000)
    out.connection.send(message)
    const deadline = Date.now() + 5_000
    while (Buffer.concat(received).byteLength < message.byteLength && Date.now() < deadline) await new Promise(resolve => setImmediate(resolve))
    expect(Buffer.concat(received).equals(message)).to.equal(true)
    out.connection.abort(new Error('done'))
    inn.connection.abort(new Error('done'))
  })
})
