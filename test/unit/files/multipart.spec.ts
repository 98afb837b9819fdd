/**
 * Directory uploads as multipart/form-data, both sides without a network:
 * the body the CLI sends parses back into the same entries (names with
 * quotes, `%` and non-ASCII included) and imports to the library's
 * directory CID; paths, counts and fields are refused with the reason; the
 * parser reads the body no faster than the file parts are consumed.
 */
import { expect } from 'chai'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { multipartEntries, checkEntryPath } from '../../../src/files/multipart.ts'
import { multipartBody } from '../../../src/files/multipart-body.ts'
import { MAX_UPLOAD_ENTRIES } from '../../../src/files/multipart-names.ts'
import { importDirectory, importerOptions } from '../../../src/files/importer.ts'
import { InvalidInputError, TooLargeError } from '../../../src/errors.ts'
import { pseudorandomBytes } from './content.ts'
import type { UploadEntry } from '../../../src/files/multipart-body.ts'

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> { yield bytes }

/** Entries as the server sees them, each file read whole. */
async function parse (contentType: string, body: AsyncIterable<Uint8Array>): Promise<Array<{ path: string, bytes?: Buffer }>> {
  const out: Array<{ path: string, bytes?: Buffer }> = []
  for await (const entry of multipartEntries({ 'content-type': contentType }, body)) {
    if (!('content' in entry) || entry.content == null) {
      out.push({ path: entry.path ?? '' })
      continue
    }
    const parts: Uint8Array[] = []
    for await (const chunk of entry.content as AsyncIterable<Uint8Array>) parts.push(chunk)
    out.push({ path: entry.path ?? '', bytes: Buffer.concat(parts) })
  }
  return out
}

/** A hand-written multipart body (what curl -F or a browser sends). */
function handMade (parts: Array<{ disposition: string, type?: string, body?: string }>): { contentType: string, body: AsyncGenerator<Uint8Array> } {
  const b = 'XyZ123'
  const text = parts.map(p => `--${b}\r\nContent-Disposition: ${p.disposition}\r\n${p.type == null ? '' : `Content-Type: ${p.type}\r\n`}\r\n${p.body ?? ''}\r\n`).join('') + `--${b}--\r\n`
  return { contentType: `multipart/form-data; boundary=${b}`, body: once(Buffer.from(text)) }
}

async function rejection (promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

describe('files: multipart directory uploads', () => {
  it('the CLI\'s body parses back into the same entries, odd names included', async () => {
    const big = pseudorandomBytes(300_000, 'mp-big')
    const entries: UploadEntry[] = [
      { path: 'a.txt', content: once(Buffer.from('hello')) },
      { path: 'empty' },
      { path: 'dé "q"' },
      { path: 'dé "q"/ü%1 (x).bin', content: once(big) },
      { path: 'zero', content: once(new Uint8Array(0)) }
    ]
    const { contentType, body } = multipartBody(entries)
    const got = await parse(contentType, body)
    expect(got.map(e => e.path)).to.deep.equal(['a.txt', 'empty', 'dé "q"', 'dé "q"/ü%1 (x).bin', 'zero'])
    expect(got[0].bytes?.toString()).to.equal('hello')
    expect(got[1].bytes).to.equal(undefined)
    expect(Buffer.compare(got[3].bytes as Buffer, Buffer.from(big))).to.equal(0)
    expect(got[4].bytes?.byteLength).to.equal(0)
  })

  it('an upload imports to the directory CID the library gives for the same tree', async () => {
    const big = pseudorandomBytes(200_000, 'mp-tree')
    const { contentType, body } = multipartBody([
      { path: 'a.txt', content: once(Buffer.from('hello files\n')) },
      { path: 'empty' },
      { path: 'sub' },
      { path: 'sub/b.bin', content: once(big) }
    ])
    const ours = await importDirectory(multipartEntries({ 'content-type': contentType }, body), new MemoryBlockstore())
    let want = ''
    const tree = [{ path: 'a.txt', content: [Buffer.from('hello files\n')] }, { path: 'empty' }, { path: 'sub' }, { path: 'sub/b.bin', content: [big] }]
    for await (const e of importer(tree, new MemoryBlockstore(), { ...importerOptions(), wrapWithDirectory: true })) want = e.cid.toString()
    expect(ours.cid.toString()).to.equal(want)
    expect(ours.size).to.equal(12 + 200_000)
  })

  it('refuses bad paths, repeated paths, parts without a filename, and a body that is not multipart', async () => {
    for (const bad of ['', '/abs', '../up', 'a/../b', 'a//b', './a', 'a\\b', 'x'.repeat(256), `${'d/'.repeat(2100)}f`]) {
      expect(() => checkEntryPath(bad), bad.slice(0, 20)).to.throw(InvalidInputError)
    }
    expect(checkEntryPath('a/b/')).to.equal('a/b')
    const traversal = handMade([{ disposition: 'form-data; name="f"; filename="ok.txt"', body: 'x' }, { disposition: 'form-data; name="f"; filename="../etc/passwd"', body: 'y' }])
    expect((await rejection(parse(traversal.contentType, traversal.body))).message).to.match(/"\.\.\/etc\/passwd" has an empty, "\." or "\.\." segment/)
    const twice = handMade([{ disposition: 'form-data; name="f"; filename="a"', body: 'x' }, { disposition: 'form-data; name="f"; filename="a"', body: 'y' }])
    expect((await rejection(parse(twice.contentType, twice.body))).message).to.match(/"a" appears twice/)
    const field = handMade([{ disposition: 'form-data; name="comment"', body: 'hi' }])
    expect(await rejection(parse(field.contentType, field.body))).to.be.instanceOf(InvalidInputError)
    expect((await rejection(parse('multipart/form-data', once(Buffer.from('x'))))).message).to.match(/not a multipart\/form-data body/)
    const cut = multipartBody([{ path: 'a', content: once(Buffer.from('x')) }])
    const cutBody = (async function * () { yield (await cut.body.next()).value as Uint8Array })()
    expect((await rejection(parse(cut.contentType, cutBody))).message).to.match(/malformed multipart body/)
  })

  it(`refuses more than ${MAX_UPLOAD_ENTRIES} entries as too large`, async () => {
    const many = Array.from({ length: MAX_UPLOAD_ENTRIES + 1 }, (_, i) => ({ path: `d${i}` }))
    const { contentType, body } = multipartBody(many)
    const err = await rejection(parse(contentType, body))
    expect(err).to.be.instanceOf(TooLargeError)
  })

  it('reads the body no faster than the file parts are consumed', async () => {
    const size = 8 * 1024 * 1024
    let pulled = 0
    const { contentType, body } = multipartBody([{ path: 'big.bin', content: (async function * () { for (let i = 0; i < size; i += 65_536) yield new Uint8Array(65_536) })() }])
    const counted = (async function * () { for await (const chunk of body) { pulled += chunk.byteLength; yield chunk } })()
    let consumed = 0
    let ahead = 0
    for await (const entry of multipartEntries({ 'content-type': contentType }, counted)) {
      for await (const chunk of (entry as { content: AsyncIterable<Uint8Array> }).content) {
        consumed += chunk.byteLength
        ahead = Math.max(ahead, pulled - consumed)
        await new Promise(resolve => setTimeout(resolve, 0)) // a slow importer
      }
    }
    expect(consumed).to.equal(size)
    // a part's buffer (64 KiB) and the chunks in the parser and generator, never the file
    expect(ahead).to.be.lessThan(512 * 1024)
  })
})
