/**
 * The digest an add hands to the put (src/service/known-digests.ts): the put
 * keys the item by it instead of hashing the bytes again, only for the very
 * array it was handed over for, only once; the nodes that receive the item
 * verify it all the same, so a wrong digest stores nothing on them. The
 * files layer hands over its importer's digest without hashing, and a
 * CID from outside (a CAR) only after hashing the bytes to check it.
 */
import { expect } from 'chai'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'
import { handOverDigest, takeDigest } from '../../../src/service/known-digests.ts'
import { BlockMismatchError, putBlock } from '../../../src/files/blocks.ts'
import { hashItemKey } from '../../../src/records/hash-item.ts'
import { pseudorandomBytes } from './content.ts'
import type { BlockService } from '../../../src/files/blocks.ts'
import type { MemoryNetwork } from '../../../src/testing/memory-network.ts'
import type { PutResult } from '../../../src/service/types.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const cidOf = (digest: Uint8Array): CID => CID.createV1(raw.code, Digest.create(sha256.code, digest))

describe('unit: a digest handed to the put (known-digests.ts)', function () {
  this.timeout(60_000)
  let net: MemoryNetwork

  before(async () => { net = await createMemoryNetwork(5) })
  after(async () => { await net?.stop() })

  it('keys the put by the digest handed over, and is taken by that put', async () => {
    const value = pseudorandomBytes(4096, 'known-right')
    const digest = hashItemKey(value)
    handOverDigest(value, digest)
    const { key } = await net.nodes[0].put(value)
    expect(hex(key)).to.equal(hex(digest))
    expect(takeDigest(value), 'taken by the put').to.equal(undefined)
    expect(hex(await net.nodes[3].get(key))).to.equal(hex(value))
  })

  it('a wrong digest: every receiving node refuses the item, and the next put of the array hashes it', async () => {
    const value = pseudorandomBytes(4096, 'known-wrong')
    const wrong = hashItemKey(pseudorandomBytes(4096, 'other bytes'))
    handOverDigest(value, wrong)
    const adder = net.nodes[1]
    let failed: unknown
    try {
      await adder.put(value, { timeout: 10_000 })
    } catch (err) {
      failed = err
    }
    expect(failed, 'the put of a wrongly keyed value').to.be.instanceOf(Error)
    // the receivers verified: none of them keeps the bytes under the wrong key
    for (const node of net.nodes.filter(n => n !== adder)) expect(node.holdsLocally(wrong), 'a receiver holds it').to.equal(false)
    const { key } = await adder.put(value)
    expect(hex(key), 'hashed this time').to.equal(hex(hashItemKey(value)))
  })

  it('is for that very array only: the same bytes in another array are hashed', async () => {
    const value = pseudorandomBytes(4096, 'known-copy')
    handOverDigest(value, hashItemKey(pseudorandomBytes(16, 'not these')))
    const { key } = await net.nodes[2].put(Uint8Array.from(value))
    expect(hex(key)).to.equal(hex(hashItemKey(value)))
    expect(takeDigest(value), 'still there: the copy did not take it').to.not.equal(undefined)
  })

  it('refuses a digest that is not 32 bytes', () => {
    expect(() => { handOverDigest(new Uint8Array(8), new Uint8Array(20)) }).to.throw(RangeError)
  })
})

describe('unit: putBlock hands the put its digest', () => {
  /** A service that records the digest each put was handed (and hashes nothing). */
  function recording (): { service: BlockService, handed: Array<string | undefined> } {
    const handed: Array<string | undefined> = []
    const service: BlockService = {
      localPins: undefined as any,
      get: async () => { throw new Error('not used') },
      put: async (value): Promise<PutResult> => {
        const digest = takeDigest(value)
        handed.push(digest == null ? undefined : hex(digest))
        return { key: digest ?? new Uint8Array(32), cid: cidOf(digest ?? new Uint8Array(32)).toString(), stored: [] }
      }
    }
    return { service, handed }
  }

  it('our importer\'s CID: its digest, not checked (the bytes are not hashed)', async () => {
    const { service, handed } = recording()
    const bytes = pseudorandomBytes(1024, 'block-a')
    // a CID that does not name these bytes shows nothing hashed them: only ever for CIDs computed from the bytes
    const named = hashItemKey(pseudorandomBytes(8, 'elsewhere'))
    await putBlock(service, bytes, cidOf(named), {}, true)
    expect(handed).to.deep.equal([hex(named)])
  })

  it('a CID from outside: the bytes are hashed to check it, and that digest is handed over', async () => {
    const { service, handed } = recording()
    const bytes = pseudorandomBytes(1024, 'block-b')
    await putBlock(service, bytes, cidOf(hashItemKey(bytes)))
    expect(handed).to.deep.equal([hex(hashItemKey(bytes))])
    let refused: unknown
    try {
      await putBlock(service, bytes, cidOf(hashItemKey(pseudorandomBytes(8, 'wrong'))))
    } catch (err) {
      refused = err
    }
    expect(refused).to.be.instanceOf(BlockMismatchError)
    expect(handed, 'nothing put').to.have.length(1)
  })

  it('no CID: nothing handed over (the put hashes)', async () => {
    const { service, handed } = recording()
    await putBlock(service, pseudorandomBytes(100, 'block-c'))
    expect(handed).to.deep.equal([undefined])
  })
})
