/**
 * toyrrent as libp2p content routing, tested by its real users: Helia nodes
 * whose libp2p carries the toyrrent service (and no other router) publish
 * and resolve IPNS names with @helia/ipns; records made with the `ipns`
 * package go through libp2p.contentRouting, and every replica checks them
 * with the same validator and selector kad-dht uses.
 */
import assert from 'node:assert/strict'
import { expect } from 'chai'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ipns } from '@helia/ipns'
import { createIPNSRecord, marshalIPNSRecord, multihashToIPNSRoutingKey, unmarshalIPNSRecord } from 'ipns'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 as sha256Hasher } from 'multiformats/hashes/sha2'
import { internals } from '../../src/service/toyrrent.ts'
import { decodeRoutingRecord, encodeRoutingRecord, routingItemKey } from '../../src/records/routing-record.ts'
import { nearestN, peerPosition } from '../../src/keyspace.ts'
import { kindNumber } from '../../src/store/item-store.ts'
import { createTestnet, dialAddr } from '../helpers/testnet.ts'
import { createToyrrentHelia } from '../helpers/helia.ts'
import { waitFor } from '../helpers/wait.ts'
import type { Testnet } from '../helpers/testnet.ts'
import type { ToyrrentHelia } from '../helpers/helia.ts'
import type { Toyrrent } from '../../src/service/toyrrent.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { MultihashDigest } from 'multiformats/hashes/interface'

interface Member { peerId: PeerId, toyrrent: Toyrrent }

async function cidOf (text: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256Hasher.digest(new TextEncoder().encode(text)))
}

describe('toyrrent as libp2p content routing: IPNS with Helia', function () {
  this.timeout(120_000)
  let net: Testnet
  let publisher: ToyrrentHelia
  let resolver: ToyrrentHelia
  let members: Member[]

  before(async () => {
    net = await createTestnet(5, { repairInterval: 0, refreshInterval: 0 })
    // each Helia node joins through a different toyrrent node
    publisher = await createToyrrentHelia(dialAddr(net.nodes[0]), { repairInterval: 0, refreshInterval: 0 })
    resolver = await createToyrrentHelia(dialAddr(net.nodes[3]), { repairInterval: 0, refreshInterval: 0 })
    members = [
      ...net.nodes.map(n => ({ peerId: n.libp2p.peerId, toyrrent: n.toyrrent })),
      ...[publisher, resolver].map(h => ({ peerId: h.libp2p.peerId, toyrrent: h.libp2p.services.toyrrent }))
    ]
  })
  after(async () => {
    await Promise.allSettled([publisher?.stop(), resolver?.stop()])
    await net?.stop()
  })

  /** The R nearest of all toyrrent nodes (Helia's included) to the item key of a routing key. */
  function replicaSet (routingKey: Uint8Array): Member[] {
    return nearestN(routingItemKey(routingKey), members, 3, m => peerPosition(m.peerId))
  }

  /** The IPNS sequence each replica holds for the routing key (undefined: none). */
  async function heldSequences (routingKey: Uint8Array): Promise<Array<bigint | undefined>> {
    return Promise.all(replicaSet(routingKey).map(async m => {
      const stored = await m.toyrrent[internals].store.get(routingItemKey(routingKey))
      return stored == null ? undefined : unmarshalIPNSRecord(decodeRoutingRecord(stored.body).value).sequence
    }))
  }

  it('a Helia node publishes an IPNS name with @helia/ipns and a Helia node on another toyrrent node resolves it', async () => {
    const first = await cidOf('first version')
    const { publicKey } = await ipns(publisher).publish('site', first, { signal: AbortSignal.timeout(20_000) })
    const routingKey = multihashToIPNSRoutingKey(publicKey.toMultihash() as MultihashDigest<0x00>)
    // on the replica set of SHA-256(routing key), W of them at least
    expect((await heldSequences(routingKey)).filter(s => s === 1n).length).to.be.at.least(2)

    const resolved = await last(ipns(resolver).resolve(publicKey, { signal: AbortSignal.timeout(20_000), nocache: true }))
    expect(resolved.value).to.equal(`/ipfs/${first.toString()}`)
    expect(resolved.record.sequence).to.equal(1n)

    // a new version replaces it: the resolver sees the higher sequence
    const second = await cidOf('second version')
    await ipns(publisher).publish('site', second, { signal: AbortSignal.timeout(20_000) })
    const again = await last(ipns(resolver).resolve(publicKey, { signal: AbortSignal.timeout(20_000), nocache: true }))
    expect(again.value).to.equal(`/ipfs/${second.toString()}`)
    expect(again.record.sequence).to.equal(2n)
  })

  describe('records the ipns validator or selector refuses', () => {
    let key: PrivateKey
    let routingKey: Uint8Array
    let current: Uint8Array

    before(async () => {
      key = await generateKeyPair('Ed25519')
      routingKey = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
      current = marshalIPNSRecord(await createIPNSRecord(key, await cidOf('seq 5'), 5n, 3_600_000))
      await publisher.libp2p.contentRouting.put(routingKey, current, { signal: AbortSignal.timeout(20_000) })
      expect((await heldSequences(routingKey)).filter(s => s === 5n).length).to.be.at.least(2)
    })

    /** Send a routing record straight to one replica, past the writer's own checks. */
    async function storeDirectly (value: Uint8Array, key = routingKey): Promise<void> {
      const replica = replicaSet(key).find(m => !m.peerId.equals(publisher.libp2p.peerId))!
      const item = { kind: 'routing' as const, key: routingItemKey(key), body: encodeRoutingRecord({ key, value }), ttlSeconds: 0 }
      const peer = { peerId: replica.peerId, multiaddrs: [], position: peerPosition(replica.peerId) }
      if (publisher.libp2p.getConnections(replica.peerId).length === 0) await publisher.libp2p.dial(replica.peerId, { signal: AbortSignal.timeout(10_000) })
      await publisher.libp2p.services.toyrrent[internals].rpc.store(peer, item, {}, { signal: AbortSignal.timeout(10_000), timeout: 10_000 })
    }

    async function resolvedBytes (): Promise<Uint8Array> {
      return resolver.libp2p.contentRouting.get(routingKey, { signal: AbortSignal.timeout(20_000) })
    }

    it('an older record (lower sequence) is refused by the replicas; the newer one stays', async () => {
      const older = marshalIPNSRecord(await createIPNSRecord(key, await cidOf('seq 3'), 3n, 3_600_000))
      await assert.rejects(publisher.libp2p.contentRouting.put(routingKey, older, { signal: AbortSignal.timeout(20_000) }), { name: 'RemoteRejectedError', code: 'stale-seq' })
      await assert.rejects(storeDirectly(older), { name: 'RemoteRejectedError', code: 'stale-seq' })
      expect(await heldSequences(routingKey)).to.not.include(3n)
      expect(await resolvedBytes()).to.deep.equal(current)
    })

    it('an expired record is refused by the writer and by a replica sent it directly', async () => {
      const expired = marshalIPNSRecord(await createIPNSRecord(key, await cidOf('expired'), 9n, 1))
      const validUntil = Date.parse(unmarshalIPNSRecord(expired).validity)
      await waitFor('the record to expire', () => Date.now() > validUntil + 1)
      await assert.rejects(publisher.libp2p.contentRouting.put(routingKey, expired), { name: 'InvalidRecordError', message: /expired/ })
      await assert.rejects(storeDirectly(expired), { name: 'RemoteRejectedError', code: 'invalid-record' })
      expect(await heldSequences(routingKey)).to.not.include(9n)
      expect(await resolvedBytes()).to.deep.equal(current)
    })

    it('a forged record (bytes changed after signing, or signed by another key) is refused', async () => {
      const genuine = await createIPNSRecord(key, await cidOf('seq 7'), 7n, 3_600_000)
      const tampered = marshalIPNSRecord({ ...genuine, signatureV2: flipLastBit(genuine.signatureV2) })
      const otherKey = await generateKeyPair('Ed25519')
      const impostor = marshalIPNSRecord(await createIPNSRecord(otherKey, await cidOf('seq 8'), 8n, 3_600_000))
      for (const forged of [tampered, impostor] as Uint8Array[]) {
        await assert.rejects(publisher.libp2p.contentRouting.put(routingKey, forged), { name: 'InvalidRecordError' })
        await assert.rejects(storeDirectly(forged), { name: 'RemoteRejectedError', code: 'invalid-record' })
      }
      expect((await heldSequences(routingKey)).filter(s => s === 7n || s === 8n)).to.deep.equal([])
      expect(await resolvedBytes()).to.deep.equal(current)
    })

    it('a replica that serves a forged record is outvoted: the read returns the valid one', async () => {
      // plant a forgery with a higher sequence in one replica's store, past its acceptor
      const genuine = await createIPNSRecord(key, await cidOf('seq 50'), 50n, 3_600_000)
      const forged = marshalIPNSRecord({ ...genuine, signatureV2: flipLastBit(genuine.signatureV2) })
      const liar = replicaSet(routingKey)[0]
      await liar.toyrrent[internals].store.put(routingItemKey(routingKey), {
        kind: kindNumber('routing'), body: Uint8Array.from(encodeRoutingRecord({ key: routingKey, value: forged })), pinned: false, expiresAt: BigInt(Date.now() + 60_000), storedAt: BigInt(Date.now()), seq: 50n
      })
      expect(await resolvedBytes()).to.deep.equal(current)
      // read repair puts the valid record back on the liar (its acceptor no longer trusts the forgery)
      await waitFor('read repair of the liar', async () => (await heldSequences(routingKey))[0] === 5n)
    })

    it('a key in a namespace with no validator is refused, by the writer and by a replica', async () => {
      const foreign = new TextEncoder().encode('/unknown/some-key')
      await assert.rejects(publisher.libp2p.contentRouting.put(foreign, new Uint8Array([1, 2, 3])), { name: 'UnknownNamespaceError' })
      await assert.rejects(storeDirectly(new Uint8Array([1, 2, 3]), foreign), { name: 'RemoteRejectedError', code: 'unknown-namespace' })
      // libp2p's get takes the first router that answers (Promise.any): toyrrent's error is inside the AggregateError
      await assert.rejects(resolver.libp2p.contentRouting.get(foreign), (err: AggregateError) => err.errors[0].name === 'UnknownNamespaceError')
    })

    it('a routing key nobody published is not found (after a read quorum answered)', async () => {
      const nobody = await generateKeyPair('Ed25519')
      const missing = multihashToIPNSRoutingKey(nobody.publicKey.toMultihash())
      await assert.rejects(resolver.libp2p.contentRouting.get(missing, { signal: AbortSignal.timeout(20_000) }), (err: AggregateError) => err.errors[0].name === 'NotFoundError')
      // and @helia/ipns says the name is not found
      await assert.rejects(last(ipns(resolver).resolve(nobody.publicKey.toMultihash(), { signal: AbortSignal.timeout(20_000), nocache: true })), { name: 'RecordNotFoundError' })
    })
  })

  it('provide and findProviders say that toyrrent keeps no provider records', async () => {
    const cid = await cidOf('no providers')
    await assert.rejects(publisher.libp2p.contentRouting.provide(cid), { name: 'UnsupportedOperationError', message: /no provider records/ })
    await assert.rejects((async () => { for await (const p of publisher.libp2p.contentRouting.findProviders(cid)) void p })(), { name: 'UnsupportedOperationError' })
  })
})

async function last<T> (source: AsyncIterable<T>): Promise<T> {
  let result: T | undefined
  for await (const item of source) result = item
  if (result === undefined) throw new Error('nothing yielded')
  return result
}

function flipLastBit (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = Uint8Array.from(bytes)
  copy[copy.length - 1] ^= 1
  return copy
}
