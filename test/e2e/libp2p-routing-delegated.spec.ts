/**
 * Delegated routing for IPNS over toyrrent's HTTP API
 * (`/routing/v1/ipns/{name}`), tested with a real client of that spec,
 * @helia/delegated-routing-v1-http-api-client (Kubo's custom HTTP router
 * speaks the same requests): a record PUT through one node's API is read by
 * another node's API and by libp2p content routing, and a name published
 * with @helia/ipns is read over HTTP. Invalid records are refused.
 */
import assert from 'node:assert/strict'
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { delegatedRoutingV1HttpApiClient } from '@helia/delegated-routing-v1-http-api-client'
import { ipns } from '@helia/ipns'
import { createIPNSRecord, marshalIPNSRecord, multihashToIPNSRoutingKey, unmarshalIPNSRecord } from 'ipns'
import { CID } from 'multiformats/cid'
import { base36 } from 'multiformats/bases/base36'
import { ApiServer } from '../../src/api/http-server.ts'
import { createTestnet, dialAddr } from '../helpers/testnet.ts'
import { createToyrrentHelia } from '../helpers/helia.ts'
import { waitFor } from '../helpers/wait.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentHelia } from '../helpers/helia.ts'
import type { DelegatedRoutingV1HttpApiClient } from '@helia/delegated-routing-v1-http-api-client'
import type { MultihashDigest } from 'multiformats/hashes/interface'

const LIBP2P_KEY = 0x72
const nameOf = (publicKey: { toMultihash(): MultihashDigest }): CID => CID.createV1(LIBP2P_KEY, publicKey.toMultihash())

describe('delegated IPNS routing (/routing/v1/ipns) over toyrrent', function () {
  this.timeout(120_000)
  let net: Testnet
  let servers: ApiServer[]
  let clients: DelegatedRoutingV1HttpApiClient[]
  let helia: ToyrrentHelia

  before(async () => {
    net = await createTestnet(5, { repairInterval: 0, refreshInterval: 0 })
    servers = [new ApiServer({ node: net.nodes[0], port: 0 }), new ApiServer({ node: net.nodes[3], port: 0 })]
    await Promise.all(servers.map(async s => s.start()))
    clients = servers.map(s => delegatedRoutingV1HttpApiClient({ url: `http://${s.hostPort}` })({ logger: defaultLogger() }))
    helia = await createToyrrentHelia(dialAddr(net.nodes[1]), { repairInterval: 0, refreshInterval: 0 })
  })
  after(async () => {
    await Promise.allSettled(clients?.map(async c => (c as any).stop?.()) ?? [])
    await helia?.stop()
    await Promise.allSettled(servers?.map(async s => s.stop()) ?? [])
    await net?.stop()
  })

  it('a record PUT through one node\'s API is read through another\'s and through libp2p content routing', async () => {
    const key = await generateKeyPair('Ed25519')
    const record = marshalIPNSRecord(await createIPNSRecord(key, '/ipfs/bafkqaaa', 3n, 3_600_000))
    const name = nameOf(key.publicKey)
    await clients[0].putIPNS(name, record, { signal: AbortSignal.timeout(20_000) })
    // Kubo writes names in base36 (k51...): both spellings reach the same record
    const read = await clients[1].getIPNS(CID.parse(name.toString(base36), base36), { signal: AbortSignal.timeout(20_000) })
    expect(new Uint8Array(read)).to.deep.equal(record)
    expect(await helia.libp2p.contentRouting.get(multihashToIPNSRoutingKey(key.publicKey.toMultihash()), { signal: AbortSignal.timeout(20_000) })).to.deep.equal(record)
  })

  it('a name published with @helia/ipns is read over HTTP', async () => {
    const { publicKey, record } = await ipns(helia).publish('http-site', CID.parse('bafkqaaa'), { signal: AbortSignal.timeout(20_000) })
    const read = await clients[1].getIPNS(nameOf(publicKey), { signal: AbortSignal.timeout(20_000) })
    expect(unmarshalIPNSRecord(read).sequence).to.equal(record.sequence)
    expect(unmarshalIPNSRecord(read).value).to.equal('/ipfs/bafkqaaa')
  })

  it('an expired or forged record is refused with 400 and nothing is stored; an unknown name is 404', async () => {
    const key = await generateKeyPair('Ed25519')
    const name = nameOf(key.publicKey)
    const other = await generateKeyPair('Ed25519')
    const foreign = marshalIPNSRecord(await createIPNSRecord(other, '/ipfs/bafkqaaa', 1n, 3_600_000))
    const expired = marshalIPNSRecord(await createIPNSRecord(key, '/ipfs/bafkqaaa', 2n, 1))
    await waitFor('the record to expire', () => Date.now() > Date.parse(unmarshalIPNSRecord(expired).validity) + 1)
    const url = `http://${servers[0].hostPort}/routing/v1/ipns/${name.toString(base36)}`
    for (const record of [foreign, expired]) {
      const res = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/vnd.ipfs.ipns-record' }, body: record, signal: AbortSignal.timeout(20_000) })
      expect(res.status).to.equal(400)
      expect(((await res.json()) as any).error.code).to.equal('invalid-record')
    }
    await assert.rejects(clients[1].getIPNS(name, { signal: AbortSignal.timeout(20_000) }), { name: 'NotFoundError' })
    const bad = await fetch(`http://${servers[0].hostPort}/routing/v1/ipns/not-a-name`, { signal: AbortSignal.timeout(5_000) })
    expect(bad.status).to.equal(400)
  })
})
