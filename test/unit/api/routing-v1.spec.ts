/**
 * The delegated IPNS routes' handling of names and bodies, against a fake
 * node: every spelling of a name (libp2p-key CID in base36 or base32, peer
 * id) reaches the same routing key; anything else is bad input, before the
 * node is asked.
 */
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multihashToIPNSRoutingKey } from 'ipns'
import { CID } from 'multiformats/cid'
import { base36 } from 'multiformats/bases/base36'
import { getIpnsRecord, putIpnsRecord } from '../../../src/api/routes/routing-v1.ts'
import type { RequestContext } from '../../../src/api/router.ts'

function context (name: string, calls: Array<{ op: string, key: Uint8Array, value?: Uint8Array }>, body = new Uint8Array([1, 2, 3])): RequestContext {
  const toyrrent = {
    async getRoutingRecord (key: Uint8Array) { calls.push({ op: 'get', key }); return new Uint8Array([9]) },
    async putRoutingRecord (key: Uint8Array, value: Uint8Array) { calls.push({ op: 'put', key, value }); return [] }
  }
  return {
    node: { toyrrent } as any,
    params: { name },
    query: new URLSearchParams(),
    headers: {},
    signal: AbortSignal.timeout(5000),
    timeout: 5000,
    body: async (limit: number) => { if (body.byteLength > limit) throw Object.assign(new Error('too large'), { name: 'TooLargeError' }); return body },
    json: async () => ({}),
    stream: async function * () {}
  }
}

describe('unit: /routing/v1/ipns routes', () => {
  it('base36 and base32 libp2p-key CIDs and the peer id name the same routing key', async () => {
    const key = await generateKeyPair('Ed25519')
    const expected = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
    const cid = CID.createV1(0x72, key.publicKey.toMultihash())
    const calls: Array<{ op: string, key: Uint8Array }> = []
    for (const name of [cid.toString(base36), cid.toString(), peerIdFromPrivateKey(key).toString()]) {
      const result = await getIpnsRecord(context(name, calls))
      expect(result.status).to.equal(200)
      expect(result.headers?.['Content-Type']).to.equal('application/vnd.ipfs.ipns-record')
    }
    expect(calls.map(c => Buffer.from(c.key).toString('hex'))).to.deep.equal(Array(3).fill(Buffer.from(expected).toString('hex')))
    const put = await putIpnsRecord(context(cid.toString(base36), calls))
    expect(put.status).to.equal(200)
    expect(calls.at(-1)?.op).to.equal('put')
  })

  it('names that are not IPNS names are bad input and the node is not asked; a record over 10 KiB is too large', async () => {
    const calls: Array<{ op: string, key: Uint8Array }> = []
    const raw = CID.createV1(0x55, CID.parse('bafkqaaa').multihash).toString()
    for (const name of ['not-a-name', raw, '']) {
      let error: any
      await getIpnsRecord(context(name, calls)).catch(err => { error = err })
      expect(error?.name, name).to.equal('InvalidInputError')
    }
    const key = await generateKeyPair('Ed25519')
    let error: any
    await putIpnsRecord(context(peerIdFromPrivateKey(key).toString(), calls, new Uint8Array(10 * 1024 + 1))).catch(err => { error = err })
    expect(error?.name).to.equal('TooLargeError')
    expect(calls).to.deep.equal([])
  })
})
