/**
 * Noise frames cut out without an exception per chunk
 * (src/node/noise-frame-length.ts): the same frames as Noise's own decoder
 * however the bytes are split, nothing thrown while a frame is incomplete,
 * the buffer bound kept, and a handshake of toyrrentNoise over an in-memory
 * connection pair leaves both encrypted streams decoding with it.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { LengthPrefixedDecoder, multiaddrConnectionPair } from '@libp2p/utils'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Uint8ArrayList } from 'uint8arraylist'
import { NoiseFrameDecoder } from '../../../src/node/noise-frame-length.ts'
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

function decodeAll (decoder: { decode(data: Uint8Array): Iterable<Uint8ArrayList> }, bytes: Uint8Array, cut: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let at = 0; at < bytes.byteLength; at += cut) {
    for (const frame of decoder.decode(bytes.subarray(at, at + cut))) out.push(frame.subarray())
  }
  return out
}

/** Noise's own decoder, as @chainsafe/libp2p-noise 17 builds it. */
const noisesDecoder = (): LengthPrefixedDecoder => new LengthPrefixedDecoder({ lengthDecoder: uint16BEDecode, encodingLength: () => 2, maxBufferSize: 16 * 1024 * 1024 })

describe('unit: Noise frames cut out without an exception per chunk', () => {
  it('decodes the same frames as Noise\'s own decoder however the bytes are cut', () => {
    const bytes = frames(40)
    const expected = decodeAll(noisesDecoder(), bytes, bytes.byteLength)
    expect(expected).to.have.length(40)
    for (const cut of [1, 2, 3, 7, 1000, 4097, bytes.byteLength]) {
      expect(decodeAll(new NoiseFrameDecoder(), bytes, cut)).to.deep.equal(expected)
    }
  })

  it('yields nothing while a frame is incomplete (it has no "not yet" exception to throw), and skips empty frames as Noise does', () => {
    const decoder = new NoiseFrameDecoder()
    const got = (chunk: number[]): number[][] => [...decoder.decode(Uint8Array.from(chunk))].map(f => [...f.subarray()])
    expect(got([0])).to.deep.equal([])
    expect(got([3, 1])).to.deep.equal([])
    expect(got([2])).to.deep.equal([])
    expect(got([3, 0, 0, 0, 1])).to.deep.equal([[1, 2, 3]])
    expect(decoder.buffer.byteLength).to.equal(2)
    expect(got([9])).to.deep.equal([[9]])
    expect(decoder.buffer.byteLength).to.equal(0)
  })

  it('refuses more unread bytes than its bound, as Noise\'s decoder does', () => {
    const decoder = new NoiseFrameDecoder(1000)
    expect(() => [...decoder.decode(Uint8Array.of(0xff, 0xff, ...new Uint8Array(999)))]).to.throw(/Buffer length limit exceeded/)
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
    for (const secured of [out, inn]) expect((secured.connection as any).decoder).to.be.instanceOf(NoiseFrameDecoder)
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
