/**
 * Files end to end on real daemons (6 processes on loopback, R = 3): add and
 * cat through the CLI and HTTP with CIDs equal to the library's, Range
 * requests, a directory round trip, a CAR round trip, pins that outlive a
 * restart, progress on a pseudo-terminal (util-linux `script`) and none on
 * a pipe, and a cat after SIGKILL of two of a block's three replicas.
 * The 50 MiB run on 10 daemons is test/long/files-50mib.spec.ts.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { CarBlockIterator } from '@ipld/car'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MAIN, startDaemonProcess, toyrrent } from '../helpers/cli.ts'
import { nearestDaemons, pseudorandom, sha256OfFile, startFilesNetwork } from '../helpers/files.ts'
import type { FilesNetwork, libraryDag } from '../helpers/files.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

const SIZE = 2 * 1024 * 1024 + 12_345
const SEED = 'e2e-files'

function sha (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Run a shell command under a pseudo-terminal (util-linux script); returns what the terminal showed. */
async function onPty (command: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile('script', ['-qec', command, '/dev/null'], { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' }, (err, stdout) => { err == null ? resolve(stdout) : reject(err) })
  })
}

describe('e2e: files on real daemons', function () {
  this.timeout(180_000)
  let root: string
  let nodes: DaemonProcess[]
  let file: string
  let fileSha: string
  let expected: Awaited<ReturnType<typeof libraryDag>>
  let cid: string

  let net: FilesNetwork | undefined

  before(async () => {
    net = await startFilesNetwork(6, SIZE, SEED);
    ({ root, nodes, file, fileSha, expected } = net)
  })

  after(async () => {
    await net?.stop()
  })

  it('add FILE --json on one node: the library\'s root CID, size and blocks; cat on another gives the exact bytes', async () => {
    const added = await toyrrent(['add', file, '--json', '--api', nodes[0].api])
    assert.equal(added.code, 0, added.stderr)
    assert.equal(added.stderr, '', 'no progress on a pipe')
    const body = JSON.parse(added.stdout.toString())
    cid = body.cid
    assert.equal(cid, expected.root)
    assert.equal(body.size, SIZE)
    assert.equal(body.blocks, expected.leaves.length + 1)
    const cat = await toyrrent(['cat', cid, '--api', nodes[3].api])
    assert.equal(cat.code, 0, cat.stderr)
    assert.equal(cat.stderr, '')
    assert.equal(cat.stdout.byteLength, SIZE)
    assert.equal(sha(cat.stdout), fileSha)
  })

  it('HTTP: POST /v1/files streams a body (201, the same CID); GET streams it back with Content-Length, ETag and immutable caching', async () => {
    const res = await fetch(`http://${nodes[1].api}/v1/files?name=input.bin`, { method: 'POST', body: createReadStream(file) as any, duplex: 'half' } as RequestInit)
    assert.equal(res.status, 201)
    const body = await res.json() as { cid: string, size: number, blocks: number, name: string }
    assert.deepEqual(body, { cid: expected.root, size: SIZE, blocks: expected.leaves.length + 1, name: 'input.bin' })
    const got = await fetch(`http://${nodes[4].api}/v1/files/${cid}`)
    assert.equal(got.status, 200)
    assert.equal(got.headers.get('content-length'), String(SIZE))
    assert.equal(got.headers.get('etag'), `"${cid}"`)
    assert.match(got.headers.get('cache-control') ?? '', /immutable/)
    assert.equal(got.headers.get('accept-ranges'), 'bytes')
    assert.equal(sha(new Uint8Array(await got.arrayBuffer())), fileSha)
    const again = await fetch(`http://${nodes[4].api}/v1/files/${cid}`, { headers: { 'If-None-Match': `"${cid}"` } })
    assert.equal(again.status, 304)
  })

  it('Range requests: 206 with Content-Range for open, closed, suffix and block-crossing ranges; 416 past the end', async () => {
    const whole = Buffer.concat([...pseudorandom(SIZE, SEED)])
    const ranges: Array<[string, number, number]> = [
      ['bytes=1000000-', 1_000_000, SIZE],
      ['bytes=65530-65545', 65_530, 65_546],
      ['bytes=-100', SIZE - 100, SIZE],
      ['bytes=0-0', 0, 1],
      [`bytes=${SIZE - 10}-${SIZE + 1000}`, SIZE - 10, SIZE]
    ]
    for (const [header, start, end] of ranges) {
      const res = await fetch(`http://${nodes[5].api}/v1/files/${cid}`, { headers: { Range: header } })
      assert.equal(res.status, 206, header)
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end - 1}/${SIZE}`, header)
      assert.equal(res.headers.get('content-length'), String(end - start), header)
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(whole.subarray(start, end)), header)
    }
    const past = await fetch(`http://${nodes[5].api}/v1/files/${cid}`, { headers: { Range: `bytes=${SIZE}-` } })
    assert.equal(past.status, 416)
    assert.equal(past.headers.get('content-range'), `bytes */${SIZE}`)
    assert.equal((await past.json() as any).error.code, 'range-not-satisfiable')
  })

  it('a directory round trip: add -r, ls, cat by path from another node; the root is the library\'s', async () => {
    const dir = join(root, 'album')
    await mkdir(join(dir, 'sub'), { recursive: true })
    await mkdir(join(dir, 'empty'), { recursive: true })
    await writeFile(join(dir, 'a.txt'), 'hello files\n')
    const big = Buffer.concat([...pseudorandom(200_000, 'dir-b')])
    await writeFile(join(dir, 'sub', 'b.bin'), big)
    const added = await toyrrent(['add', '-r', dir, '--json', '--api', nodes[2].api])
    assert.equal(added.code, 0, added.stderr)
    const { cid: dirCid } = JSON.parse(added.stdout.toString())
    // the library on the same tree
    let want = ''
    const tree = [{ path: 'a.txt', content: [Buffer.from('hello files\n')] }, { path: 'empty' }, { path: 'sub' }, { path: 'sub/b.bin', content: [big] }]
    for await (const e of importer(tree, new MemoryBlockstore(), { cidVersion: 1, rawLeaves: true, reduceSingleLeafToSelf: true, wrapWithDirectory: true, chunker: fixedSize({ chunkSize: 65_536 }), layout: balanced({ maxChildrenPerNode: 174 }) })) want = e.cid.toString()
    assert.equal(dirCid, want)
    const ls = await toyrrent(['ls', dirCid, '--api', nodes[5].api])
    assert.equal(ls.code, 0, ls.stderr)
    const lines = ls.stdout.toString().trim().split('\n').map(l => l.split('\t'))
    assert.deepEqual(lines.map(l => l[2]), ['a.txt', 'empty/', 'sub/'])
    assert.equal(lines[0][1], '12')
    const sub = JSON.parse((await toyrrent(['ls', `${dirCid}/sub`, '--json', '--api', nodes[5].api])).stdout.toString())
    assert.deepEqual(sub.entries.map((e: any) => [e.name, e.type, e.size]), [['b.bin', 'file', 200_000]])
    const b = await toyrrent(['cat', `${dirCid}/sub/b.bin`, '--api', nodes[4].api])
    assert.ok(b.stdout.equals(big))
    const listing = await (await fetch(`http://${nodes[1].api}/v1/files/${dirCid}`)).json() as any
    assert.equal(listing.type, 'directory')
    assert.deepEqual(listing.entries.map((e: any) => e.name), ['a.txt', 'empty', 'sub'])
    const asFile = await toyrrent(['cat', dirCid, '--api', nodes[1].api])
    assert.equal(asFile.code, 1)
    assert.match(asFile.stderr, /is a directory; list it with `toyrrent ls/)
  })

  it('HTTP: a multipart/form-data upload is one directory (the library\'s CID, pinned, named); bad paths and fields are 400 and pin nothing', async () => {
    const big = Buffer.concat([...pseudorandom(150_000, 'mp-e2e')])
    const form = new FormData()
    form.append('file', new Blob(['first\n']), 'notes/first.txt')
    form.append('file', new Blob([big]), 'notes/deep/big.bin')
    form.append('file', new Blob([], { type: 'application/x-directory' }), 'nothing-here')
    const res = await fetch(`http://${nodes[3].api}/v1/files?name=notes-dir`, { method: 'POST', body: form })
    assert.equal(res.status, 201, await res.clone().text())
    const body = await res.json() as { cid: string, size: number, blocks: number, name: string }
    let want = ''
    const tree = [{ path: 'notes/first.txt', content: [Buffer.from('first\n')] }, { path: 'notes/deep/big.bin', content: [big] }, { path: 'nothing-here' }]
    for await (const e of importer(tree, new MemoryBlockstore(), { cidVersion: 1, rawLeaves: true, reduceSingleLeafToSelf: true, wrapWithDirectory: true, chunker: fixedSize({ chunkSize: 65_536 }), layout: balanced({ maxChildrenPerNode: 174 }) })) want = e.cid.toString()
    assert.deepEqual([body.cid, body.size, body.name], [want, 6 + 150_000, 'notes-dir'])
    const got = await fetch(`http://${nodes[0].api}/v1/files/${encodeURIComponent(`${body.cid}/notes/deep/big.bin`)}`)
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(big))
    const pins = async (): Promise<Array<{ cid: string, name?: string }>> => (await (await fetch(`http://${nodes[3].api}/v1/pins`)).json() as any).pins
    assert.equal((await pins()).find(p => p.cid === body.cid)?.name, 'notes-dir')

    const before = (await pins()).length
    for (const [what, parts] of [
      ['a path out of the directory', [['ok.txt', 'x'], ['../escape.txt', 'y']]],
      ['an absolute path', [['/etc/passwd', 'x']]],
      ['a path given twice', [['same', 'x'], ['same', 'y']]]
    ] as Array<[string, Array<[string, string]>]>) {
      const bad = new FormData()
      for (const [name, text] of parts) bad.append('file', new Blob([text]), name)
      const refused = await fetch(`http://${nodes[3].api}/v1/files`, { method: 'POST', body: bad })
      assert.equal(refused.status, 400, what)
      assert.equal((await refused.json() as any).error.code, 'bad-input', what)
    }
    const field = new FormData()
    field.append('comment', 'not a file')
    const noFile = await fetch(`http://${nodes[3].api}/v1/files`, { method: 'POST', body: field })
    assert.equal(noFile.status, 400)
    assert.match((await noFile.json() as any).error.message, /no filename/)
    assert.equal((await pins()).length, before, 'a refused upload records no pin')
  })

  it('add -r sends the directory as one multipart upload: names with quotes, % and non-ASCII survive', async () => {
    const dir = join(root, 'odd names')
    await mkdir(join(dir, 'dé "q"'), { recursive: true })
    await writeFile(join(dir, 'dé "q"', 'ü%1 (x).txt'), 'odd\n')
    const added = await toyrrent(['add', '-r', dir, '--json', '--api', nodes[4].api])
    assert.equal(added.code, 0, added.stderr)
    const { cid: dirCid, size } = JSON.parse(added.stdout.toString())
    assert.equal(size, 4)
    const cat = await toyrrent(['cat', `${dirCid}/dé "q"/ü%1 (x).txt`, '--api', nodes[2].api])
    assert.equal(cat.code, 0, cat.stderr)
    assert.equal(cat.stdout.toString(), 'odd\n')
  })

  it('a CAR round trip: export from one node, import on another, which pins the root and serves the bytes', async () => {
    const car = join(root, 'file.car')
    const exported = await toyrrent(['export', cid, '--api', nodes[4].api])
    assert.equal(exported.code, 0, exported.stderr)
    await writeFile(car, exported.stdout)
    const reader = await CarBlockIterator.fromIterable((async function * () { yield new Uint8Array(exported.stdout) })())
    assert.deepEqual((await reader.getRoots()).map(String), [cid])
    let blocks = 0
    for await (const block of reader) {
      blocks++
      assert.equal(block.cid.multihash.code, 0x12)
    }
    assert.equal(blocks, expected.leaves.length + 1)
    const imported = await toyrrent(['import', car, '--api', nodes[5].api])
    assert.equal(imported.code, 0, imported.stderr)
    assert.equal(imported.stdout.toString(), `${cid}\n`)
    const pins = JSON.parse((await toyrrent(['pin', 'ls', '--json', '--api', nodes[5].api])).stdout.toString()).pins
    assert.ok(pins.some((p: any) => p.cid === cid && p.blocks === blocks), JSON.stringify(pins))
    // a CAR whose block does not hash to its CID changes nothing
    const bad = Buffer.from(exported.stdout)
    bad[bad.length - 10] ^= 0xff
    const refused = await toyrrent(['import', '-', '--api', nodes[3].api], { input: bad })
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /does not hash to/)
  })

  it('pins: the adder lists the file, stats count pinned bytes, both survive a crash and restart; pin rm unpins', async () => {
    const adder = nodes[0]
    const stats = JSON.parse((await toyrrent(['stats', '--json', '--api', adder.api])).stdout.toString())
    assert.ok(stats.pinnedBytes >= SIZE, JSON.stringify(stats))
    assert.match((await toyrrent(['stats', '--api', adder.api])).stdout.toString(), /^pinned: \d+ items, \d+ bytes$/m)
    await adder.stop('SIGKILL')
    nodes[0] = await startDaemonProcess(adder.dataDir, ['--bootstrap', nodes[1].multiaddrs[0]], 60_000)
    const pins = (await toyrrent(['pin', 'ls', '--api', nodes[0].api])).stdout.toString()
    assert.match(pins, new RegExp(`^${cid}\tdag\t${expected.leaves.length + 1} blocks\t`, 'm'))
    const removed = await toyrrent(['pin', 'rm', cid, '--json', '--api', nodes[0].api])
    assert.equal(removed.code, 0, removed.stderr)
    assert.equal(JSON.parse(removed.stdout.toString()).unpinned, expected.leaves.length + 1)
    assert.doesNotMatch((await toyrrent(['pin', 'ls', '--api', nodes[0].api])).stdout.toString(), new RegExp(cid))
    const again = await toyrrent(['pin', 'rm', cid, '--api', nodes[0].api])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /is not pinned on this node/)
  })

  it('progress: a bar (bytes, rate, ETA) on a pseudo-terminal, none on a pipe, none with --quiet, forced with --progress', async () => {
    const out = join(root, 'pty-out.bin')
    const shown = await onPty(`'${process.execPath}' '${MAIN}' cat ${cid} --api ${nodes[2].api} > '${out}'`)
    assert.match(shown, /\rcat {2}[\d.]+ (B|KiB|MiB) \/ 2\.0 MiB \d+% {2}[\d.]+ (B|KiB|MiB)\/s {2}ETA \d+:\d\d/)
    assert.match(shown, /2\.0 MiB \/ 2\.0 MiB 100%/)
    assert.equal(await sha256OfFile(out), fileSha)
    const quiet = await onPty(`'${process.execPath}' '${MAIN}' cat ${cid} --quiet --api ${nodes[2].api} > /dev/null`)
    assert.doesNotMatch(quiet, /cat {2}/)
    const addShown = await onPty(`'${process.execPath}' '${MAIN}' add '${file}' --api ${nodes[2].api}`)
    assert.match(addShown, /\radd {2}.*\/ 2\.0 MiB/)
    assert.match(addShown, new RegExp(cid))
    const forced = await toyrrent(['cat', cid, '--progress', '--api', nodes[2].api])
    assert.match(forced.stderr, /cat {2}2\.0 MiB \/ 2\.0 MiB 100%/)
    assert.equal(sha(forced.stdout), fileSha)
  })

  it('a cat survives SIGKILL of two of a block\'s three replicas', async () => {
    // the two nearest nodes of the first leaf die; the reader is another node, not the adder (which holds every block)
    const victims = nearestDaemons(expected.leaves[0].multihash.digest, nodes, 2)
    const reader = nodes.find(n => !victims.includes(n) && n !== nodes[0]) as DaemonProcess
    for (const v of victims) await v.stop('SIGKILL')
    const cat = await toyrrent(['cat', cid, '--api', reader.api])
    assert.equal(cat.code, 0, cat.stderr)
    assert.equal(sha(cat.stdout), fileSha)
  })
})
