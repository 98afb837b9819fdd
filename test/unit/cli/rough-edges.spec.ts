/**
 * The rough edges a new user hit (issue 15), the parts that need no daemon:
 * negative numbers as flag values, CIDv0 keys, CIDs given as publish ids, the
 * config file's keys, the size estimate's range and how stats prints it, the
 * public shape of findBeforeN, and the key-file loader in the package's exports.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { CID } from 'multiformats/cid'
import * as toyrrentPackage from '../../../src/index.ts'
import { parseCommandArgs, UsageError } from '../../../src/cli/args.ts'
import { sizeText } from '../../../src/cli/commands/stats.ts'
import { finalSeqWarning, publishedText, seqFlags, SIGNING_OPTIONS } from '../../../src/cli/publishing.ts'
import { listenError } from '../../../src/cli/listen-error.ts'
import { parseConfig } from '../../../src/daemon/config.ts'
import { hashItemKey, keyToCid, parseKey } from '../../../src/records/hash-item.ts'
import { parsePublishId } from '../../../src/records/publish-id.ts'
import { estimateNetworkSize } from '../../../src/service/size-estimate.ts'
import { createMemoryNetwork } from '../../../src/testing/memory-network.ts'

describe('cli rough edges (issue 15)', function () {
  this.timeout(30_000)

  it('item 7: `--cas -1` is a value out of range, not an ambiguous argument', () => {
    const args = parseCommandArgs(['--cas', '-1', 'v'], SIGNING_OPTIONS, { min: 0, max: 1 })
    assert.equal(args.values.cas, '-1')
    assert.deepEqual(args.positionals, ['v'])
    assert.throws(() => seqFlags(args.values), (err: Error) => err instanceof UsageError && /--cas must be an integer from 0 to/.test(err.message))
  })

  it('item 9: a CIDv0 key is refused with its CIDv1 form, not silently renamed', () => {
    const digest = hashItemKey(new TextEncoder().encode('x'))
    const v1raw = keyToCid(digest)
    const v0 = CID.createV0(CID.parse(v1raw).multihash as any).toString()
    assert.match(v0, /^Qm/)
    assert.throws(() => parseKey(v0), (err: Error) => err.name === 'InvalidInputError' && /is a CIDv0/.test(err.message) && err.message.includes(CID.parse(v0).toV1().toString()))
    assert.deepEqual(parseKey(v1raw), digest)
  })

  it('item 9: --seq at the largest seq warns; publish/del --json print { id, seq, stored }', () => {
    assert.match(finalSeqWarning({ seq: '18446744073709551615' }) ?? '', /can never be updated or deleted again/)
    assert.equal(finalSeqWarning({ seq: '18446744073709551614' }), undefined)
    assert.equal(finalSeqWarning({}), undefined)
    const reply = { id: 'ab'.repeat(32), seq: '3', stored: ['12D3KooWa'] }
    assert.deepEqual(JSON.parse(publishedText(reply, true)), reply)
    assert.equal(publishedText(reply, false), `${reply.id} 3\n`)
  })

  it('item 10: a CID where a publish id belongs says it names a hash item', () => {
    const cid = keyToCid(hashItemKey(new TextEncoder().encode('y')))
    assert.throws(() => parsePublishId(cid), /is the CID of a hash item/)
    assert.throws(() => parsePublishId('nope'), /not a valid key/)
    assert.equal(parsePublishId('0f'.repeat(32)).byteLength, 32)
  })

  it('item 8: the config file takes writeQuorum, repairInterval, itemTtl, maxStorage, leaveTimeout', () => {
    const all = { writeQuorum: 2, repairInterval: 30, itemTtl: 3600, maxStorage: 1_000_000, leaveTimeout: 5, replicas: 3 }
    assert.deepEqual(parseConfig(all), all)
    assert.throws(() => parseConfig({ writeQuorum: 'two' }), /"writeQuorum" must be a number/)
    assert.throws(() => parseConfig({ leaveTimeout: -1 }), /"leaveTimeout" must be a number/)
    assert.throws(() => parseConfig({ nope: 1 }), /unknown key "nope".*leaveTimeout/)
  })

  it('item 6: a busy listen port is named without libp2p option names or stack text', () => {
    const raw = new Error('Some configured addresses failed to be listened on, you may need to remove one or more listen addresses from your configuration or set `transportManager.faultTolerance` to NO_FATAL: /ip4/127.0.0.1/tcp/4001: Error: listen EADDRINUSE: address already in use 127.0.0.1:4001\n    at Server.setupListenHandle [as _listen2] (node:net:2328:16)')
    const err = listenError(raw)
    assert.ok(err != null)
    assert.match(err.message, /^cannot listen on \/ip4\/127\.0\.0\.1\/tcp\/4001: the address is already in use/)
    assert.doesNotMatch(err.message, /faultTolerance|node:net| at /)
    assert.equal(listenError(new Error('something else')), undefined)
  })

  it('item 13: the size estimate has a likely range, wide on few peers, and stats prints it', () => {
    const self = randomBytes(32)
    for (const n of [5, 30]) {
      let inside = 0
      const trials = 300
      for (let t = 0; t < trials; t++) {
        const e = estimateNetworkSize(self, Array.from({ length: n - 1 }, () => randomBytes(32)))
        // the range holds the estimate, and neither goes below the nodes we know exist
        assert.ok(e.low <= e.estimate + 0.5 && e.estimate - 0.5 <= (e.high ?? Infinity), JSON.stringify(e))
        assert.ok(e.low >= e.peers + 1 && e.estimate >= e.peers + 1, 'never fewer nodes than the peers known and this one')
        if (e.low <= n && n <= (e.high ?? Infinity)) inside++
      }
      // about one standard deviation each side: the true size is inside most of the time
      assert.ok(inside / trials >= 0.6, `${n} nodes: inside ${inside} of ${trials}`)
    }
    assert.deepEqual(estimateNetworkSize(self, []), { estimate: 1, peers: 0, low: 1, high: 1, plusMinus: 0 })
    assert.equal(estimateNetworkSize(self, [randomBytes(32)]).high, null)
    assert.equal(sizeText({ estimate: 11.4, peers: 4, low: 6, high: 19, plusMinus: 7 }), '~11 nodes (±7: likely 6 to 19, from the 4 nearest peers)')
    assert.equal(sizeText({ estimate: 1, peers: 0, low: 1, high: 1, plusMinus: 0 }), '~1 nodes (no peers known)')
  })

  it('item 12: findBeforeN answers only { peerId, multiaddrs, position }; the key-file loader is exported', async () => {
    const net = await createMemoryNetwork(6)
    try {
      const found = await net.nodes[0].findBeforeN(randomBytes(32), 3)
      assert.equal(found.length, 3)
      for (const peer of found) assert.deepEqual(Object.keys(peer).sort(), ['multiaddrs', 'peerId', 'position'])
    } finally {
      await net.stop()
    }
    const dir = await mkdtemp(join(tmpdir(), 'toyrrent-key-'))
    try {
      const key = await generateKeyPair('Ed25519')
      await toyrrentPackage.writeKeyFile(join(dir, 'me.key'), key)
      const read = await toyrrentPackage.readKeyFile(join(dir, 'me.key'))
      assert.ok(read.equals(key))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
