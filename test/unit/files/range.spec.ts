/** The Range header of GET /v1/files/:cid: one byte range as [start, end), 416 for ranges no byte satisfies. */
import { expect } from 'chai'
import { parseRange } from '../../../src/api/routes/files.ts'

describe('unit: files Range header', () => {
  it('reads closed, open and suffix ranges, clamped to the file', () => {
    expect(parseRange(undefined, 100)).to.equal(undefined)
    expect(parseRange('bytes=0-9', 100)).to.deep.equal({ start: 0, end: 10 })
    expect(parseRange('bytes=90-', 100)).to.deep.equal({ start: 90, end: 100 })
    expect(parseRange('bytes=-10', 100)).to.deep.equal({ start: 90, end: 100 })
    expect(parseRange('bytes=-1000', 100)).to.deep.equal({ start: 0, end: 100 })
    expect(parseRange('bytes=50-5000', 100)).to.deep.equal({ start: 50, end: 100 })
  })

  it('several ranges may be ignored: the whole file', () => {
    expect(parseRange('bytes=0-1, 5-6', 100)).to.equal(undefined)
  })

  it('is RangeNotSatisfiableError past the end, backwards, empty or malformed', () => {
    for (const header of ['bytes=100-', 'bytes=200-300', 'bytes=10-5', 'bytes=-0', 'bytes=-', 'items=0-1', 'bytes=a-b']) {
      expect(() => parseRange(header, 100), header).to.throw().with.property('code', 'range-not-satisfiable')
    }
    expect(() => parseRange('bytes=0-', 0)).to.throw().with.property('code', 'range-not-satisfiable')
  })
})
