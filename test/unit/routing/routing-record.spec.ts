/** The routing record's byte form (protocols/routing-record.md): canonical, bounded, keyed by SHA-256 of the routing key. */
import { expect } from 'chai'
import { decodeRoutingRecord, encodeRoutingRecord, MAX_ROUTING_KEY_BYTES, MAX_ROUTING_RECORD_BYTES, namespaceOf, routingItemKey } from '../../../src/records/routing-record.ts'
import { sha256 } from '../../../src/keyspace.ts'
import { MAX_VALUE_BYTES } from '../../../src/constants.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('unit: routing records', () => {
  it('the item key is SHA-256 of the routing key; a record round-trips', () => {
    const key = text('/ipns/abc')
    expect(routingItemKey(key)).to.deep.equal(sha256(key))
    const bytes = encodeRoutingRecord({ key, value: text('value') })
    expect(decodeRoutingRecord(bytes, routingItemKey(key))).to.deep.equal({ key, value: text('value') })
  })

  it('the test vector: key "/ipns/abc", value "v" is 0a 09 "/ipns/abc" 12 01 "v"', () => {
    const bytes = encodeRoutingRecord({ key: text('/ipns/abc'), value: text('v') })
    expect(Buffer.from(bytes).toString('hex')).to.equal('0a092f69706e732f6162631201' + '76')
    // sha256sum of the 9 bytes "/ipns/abc"
    expect(Buffer.from(routingItemKey(text('/ipns/abc'))).toString('hex')).to.equal('ef0fb31a6f12c632e1ac3c1b7dc14d7b32116a8e4d3940e701e05cd2b298c0cd')
  })

  it('reads the namespace as kad-dht does, and refuses keys without one', () => {
    expect(namespaceOf(text('/ipns/x'))).to.equal('ipns')
    expect(namespaceOf(text('/pk/x/y'))).to.equal('pk')
    for (const bad of ['ipns/x', '/ipns', '//x', '/', '/IPNS/x', '/a b/x']) {
      expect(() => namespaceOf(text(bad)), bad).to.throw().with.property('name', 'InvalidInputError')
    }
  })

  it('refuses a record under another item key, an empty value, fields over the limits, and a non-canonical encoding', () => {
    const key = text('/ipns/abc')
    const bytes = encodeRoutingRecord({ key, value: text('v') })
    expect(() => decodeRoutingRecord(bytes, sha256(text('/ipns/abd')))).to.throw(/does not hash/)
    expect(() => decodeRoutingRecord(encodeRoutingRecord({ key, value: new Uint8Array(0) }))).to.throw(/has a value/)
    expect(() => decodeRoutingRecord(encodeRoutingRecord({ key: text('/ipns/' + 'a'.repeat(MAX_ROUTING_KEY_BYTES)), value: text('v') }))).to.throw().with.property('name', 'TooLargeError')
    expect(() => decodeRoutingRecord(encodeRoutingRecord({ key, value: new Uint8Array(MAX_VALUE_BYTES + 1) }))).to.throw().with.property('name', 'TooLargeError')
    // checked before parsing: garbage over the cap is too large, not malformed
    expect(() => decodeRoutingRecord(new Uint8Array(MAX_ROUTING_RECORD_BYTES + 1).fill(0xff))).to.throw().with.property('name', 'TooLargeError')
    // fields in the other order: the same message, not its canonical bytes
    const reordered = Uint8Array.from([0x12, 0x01, 0x76, 0x0a, 0x09, ...key])
    expect(() => decodeRoutingRecord(reordered)).to.throw(/canonical/)
  })

  it('the largest valid record fits the stated maximum (66,055 bytes, as protocols/routing-record.md says)', () => {
    expect(MAX_ROUTING_RECORD_BYTES).to.equal(66_055)
    const bytes = encodeRoutingRecord({ key: text('/ipns/' + 'a'.repeat(MAX_ROUTING_KEY_BYTES - 6)), value: new Uint8Array(MAX_VALUE_BYTES).fill(1) })
    expect(bytes.byteLength).to.be.at.most(MAX_ROUTING_RECORD_BYTES)
    expect(decodeRoutingRecord(bytes).value.byteLength).to.equal(MAX_VALUE_BYTES)
  })
})
