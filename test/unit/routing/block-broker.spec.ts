/**
 * The Helia block broker over a stand-in for toyrrent's get: it asks for the
 * CID's SHA-256 digest, refuses CIDs toyrrent cannot hold, enforces Helia's
 * size limit and runs Helia's verifier before handing a block back.
 */
import { expect } from 'chai'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { identity } from 'multiformats/hashes/identity'
import { equals } from 'uint8arrays/equals'
import { ToyrrentBlockBroker, toyrrentBlockBroker } from '../../../src/helia/index.ts'
import { NotFoundError } from '../../../src/errors.ts'
import { hexKey } from '../../../src/bytes.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A toyrrent get over a map of blocks by their SHA-256, recording what it was asked. */
function source (blocks: Uint8Array[]): { get(key: Uint8Array): Promise<Uint8Array>, asked: string[] } {
  const byKey = new Map<string, Uint8Array>()
  const asked: string[] = []
  return {
    asked,
    async get (key) {
      asked.push(hexKey(key))
      if (byKey.size === 0) for (const b of blocks) byKey.set(hexKey((await sha256.digest(b)).digest), b)
      const block = byKey.get(hexKey(key))
      if (block == null) throw new NotFoundError('not held')
      return block
    }
  }
}

async function rejection (promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('did not reject')
}

describe('unit: the Helia block broker', () => {
  it('fetches a block by its CID\'s SHA-256 digest and runs Helia\'s verifier on it', async () => {
    const block = bytes('a block')
    const src = source([block])
    const cid = CID.createV1(raw.code, await sha256.digest(block))
    const verified: Uint8Array[] = []
    const broker = new ToyrrentBlockBroker({ toyrrent: src })
    const got = await broker.retrieve(cid, { validateFn: async b => { verified.push(b) } })
    expect(equals(got, block)).to.equal(true)
    expect(src.asked).to.deep.equal([hexKey(cid.multihash.digest)])
    expect(verified).to.have.length(1)
    expect(broker.name).to.equal('toyrrent')
  })

  it('a block that fails Helia\'s verifier is not returned', async () => {
    const block = bytes('a block')
    const cid = CID.createV1(raw.code, await sha256.digest(block))
    const broker = new ToyrrentBlockBroker({ toyrrent: source([block]) })
    const err = await rejection(broker.retrieve(cid, { validateFn: async () => { throw new Error('hash mismatch') } }))
    expect(err.message).to.equal('hash mismatch')
  })

  it('refuses CIDs whose multihash is not a 32-byte SHA-256 before asking, and blocks over Helia\'s maxSize', async () => {
    const src = source([])
    const broker = new ToyrrentBlockBroker({ toyrrent: src })
    for (const digest of [await sha512.digest(bytes('x')), identity.digest(bytes('x'))]) {
      const err = await rejection(broker.retrieve(CID.createV1(raw.code, digest)))
      expect(err.name).to.equal('InvalidParametersError')
    }
    expect(src.asked).to.deep.equal([])
    const big = new Uint8Array(2000).fill(7)
    const tooLarge = await rejection(new ToyrrentBlockBroker({ toyrrent: source([big]) }).retrieve(CID.createV1(raw.code, await sha256.digest(big)), { maxSize: 1000 }))
    expect(tooLarge.name).to.equal('TooLargeError')
  })

  it('the factory resolves the service lazily (Helia makes its libp2p on start) and passes toyrrent\'s errors through', async () => {
    let service: ReturnType<typeof source> | undefined
    const broker = toyrrentBlockBroker({ toyrrent: () => service! })()
    service = source([])
    const err = await rejection(broker.retrieve!(CID.createV1(raw.code, await sha256.digest(bytes('absent')))))
    expect(err.name).to.equal('NotFoundError')
    expect(service.asked).to.have.length(1)
  })
})
