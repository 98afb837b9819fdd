/**
 * 50 MiB across a 10-daemon network (R = 3), through the CLI and HTTP: the
 * library's root CID, the exact bytes from other nodes, a Range in the
 * middle, and a cat after SIGKILL of two of a block's three replicas.
 */
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { toyrrent } from '../helpers/cli.ts'
import { nearestDaemons, pseudorandom, startFilesNetwork } from '../helpers/files.ts'
import type { FilesNetwork, libraryDag } from '../helpers/files.ts'
import type { DaemonProcess } from '../helpers/cli.ts'

const SIZE = 50 * 1024 * 1024
const SEED = 'long-50mib'

/** Resident memory of a daemon process, from /proc (Linux). */
async function rssMiB (node: DaemonProcess): Promise<number> {
  const status = await readFile(`/proc/${node.child.pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN) / 1024
}

async function shaOfBody (res: Response): Promise<{ hex: string, bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk)
    bytes += chunk.byteLength
  }
  return { hex: hash.digest('hex'), bytes }
}

describe('long: a 50 MiB file on 10 daemons', function () {
  this.timeout(900_000)
  let nodes: DaemonProcess[]
  let file: string
  let fileSha: string
  let expected: Awaited<ReturnType<typeof libraryDag>>
  let cid: string

  let net: FilesNetwork | undefined

  before(async () => {
    net = await startFilesNetwork(10, SIZE, SEED);
    ({ nodes, file, fileSha, expected } = net)
  })

  after(async () => {
    await net?.stop()
  })

  it('CLI: add on one node gives the library\'s root CID; cat on another gives the exact bytes', async () => {
    const added = await toyrrent(['add', file, '--json', '--api', nodes[0].api])
    assert.equal(added.code, 0, added.stderr)
    const body = JSON.parse(added.stdout.toString())
    cid = body.cid
    assert.equal(cid, expected.root)
    assert.deepEqual([body.size, body.blocks], [SIZE, expected.leaves.length + 6])
    const cat = await toyrrent(['cat', cid, '--api', nodes[7].api])
    assert.equal(cat.code, 0, cat.stderr)
    assert.equal(cat.stdout.byteLength, SIZE)
    assert.equal(createHash('sha256').update(cat.stdout).digest('hex'), fileSha)
  })

  it('HTTP: POST streams the same file in (same CID); GET and a Range stream it out from other nodes', async () => {
    const res = await fetch(`http://${nodes[3].api}/v1/files`, { method: 'POST', body: createReadStream(file) as any, duplex: 'half' } as RequestInit)
    assert.equal(res.status, 201)
    assert.equal((await res.json() as any).cid, cid)
    const before = await rssMiB(nodes[8])
    const got = await fetch(`http://${nodes[8].api}/v1/files/${cid}`)
    assert.equal(got.headers.get('content-length'), String(SIZE))
    assert.deepEqual(await shaOfBody(got), { hex: fileSha, bytes: SIZE })
    // the reader's memory is its fetch window, not the file
    const growth = await rssMiB(nodes[8]) - before
    console.log(`      reader daemon RSS ${before.toFixed(0)} MiB before the 50 MiB GET, growth ${growth.toFixed(1)} MiB`)
    // a daemon at V8 defaults: heap growth follows GC timing (66.3 MiB in one CI run); this catches gross
    // regressions such as a second copy of the file; the 1 GiB spec (files-memory) is what shows memory is bounded
    assert.ok(growth < 96, `RSS grew ${growth.toFixed(1)} MiB serving a 50 MiB file`)
    const start = 20 * 1024 * 1024 + 7
    const part = await fetch(`http://${nodes[9].api}/v1/files/${cid}`, { headers: { Range: `bytes=${start}-${start + 3 * 65_536}` } })
    assert.equal(part.status, 206)
    const want = createHash('sha256')
    let at = 0
    for (const chunk of pseudorandom(SIZE, SEED)) {
      const from = Math.max(start, at)
      const to = Math.min(start + 3 * 65_536 + 1, at + chunk.byteLength)
      if (to > from) want.update(chunk.subarray(from - at, to - at))
      at += chunk.byteLength
    }
    assert.deepEqual(await shaOfBody(part), { hex: want.digest('hex'), bytes: 3 * 65_536 + 1 })
  })

  it('a cat survives SIGKILL of two of a block\'s three replicas', async () => {
    const reader = nodes[7]
    const killable = nodes.filter(n => n !== reader && n !== nodes[0] && n !== nodes[3])
    const victims = expected.leaves.map(l => nearestDaemons(l.multihash.digest, nodes, 2)).find(two => two.every(n => killable.includes(n)))
    assert.ok(victims != null)
    for (const v of victims) await v.stop('SIGKILL')
    const got = await fetch(`http://${reader.api}/v1/files/${cid}`)
    assert.deepEqual(await shaOfBody(got), { hex: fileSha, bytes: SIZE })
  })
})
