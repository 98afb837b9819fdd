/**
 * Helia reads toyrrent: a file added with `toyrrent add` on one daemon (a
 * UnixFS DAG whose blocks are hash items) is read with @helia/unixfs `cat`
 * by a Helia node that joined through another daemon and whose only block
 * broker is toyrrent, block by block, verified, byte for byte.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { unixfs } from '@helia/unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { concat } from 'uint8arrays/concat'
import { toyrrent } from '../helpers/cli.ts'
import { libraryDag, startDaemonNetwork, writePseudorandomFile } from '../helpers/files.ts'
import { createToyrrentHelia } from '../helpers/helia.ts'
import { ToyrrentBlockBroker } from '../../src/helia/index.ts'
import type { DaemonProcess } from '../helpers/cli.ts'
import type { ToyrrentHelia } from '../helpers/helia.ts'

/** Five full 64 KiB leaves and a short one: a dag-pb root over six raw blocks. */
const SIZE = 5 * 65_536 + 12_345
const SEED = 'helia-reads-toyrrent'

describe('Helia reads files added with `toyrrent add`', function () {
  this.timeout(180_000)
  let root: string
  let daemons: DaemonProcess[]
  let reader: ToyrrentHelia

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'toyrrent-helia-'))
    daemons = await startDaemonNetwork(root, 4)
    reader = await createToyrrentHelia(daemons[3].multiaddrs[0], { repairInterval: 0, refreshInterval: 0 })
  })
  after(async () => {
    await reader?.stop()
    await Promise.all((daemons ?? []).map(async d => d.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  it('@helia/unixfs cat of a file `toyrrent add` stored on another node returns the exact bytes', async () => {
    const file = join(root, 'input.bin')
    const fileSha = await writePseudorandomFile(file, SIZE, SEED)
    const added = await toyrrent(['add', file, '--json', '--api', daemons[0].api])
    assert.equal(added.code, 0, added.stderr)
    const { cid } = JSON.parse(added.stdout.toString())
    const expected = await libraryDag(SIZE, SEED)
    expect(cid).to.equal(expected.root)
    const rootCid = CID.parse(cid)
    expect(rootCid.code).to.equal(0x70) // dag-pb over raw leaves
    // the reader holds none of it before the cat
    expect(await reader.blockstore.has(rootCid)).to.equal(false)
    for (const leaf of expected.leaves) expect(await reader.blockstore.has(leaf)).to.equal(false)

    const chunks: Uint8Array[] = []
    for await (const chunk of unixfs(reader).cat(rootCid, { signal: AbortSignal.timeout(60_000) })) chunks.push(chunk)
    const read = concat(chunks)
    expect(read.byteLength).to.equal(SIZE)
    expect(createHash('sha256').update(read).digest('hex')).to.equal(fileSha)
    // every block came through toyrrent into the reader's blockstore
    for (const leaf of expected.leaves) expect(await reader.blockstore.has(leaf)).to.equal(true)
  })

  it('a block no node holds is NotFoundError from the broker', async () => {
    const broker = new ToyrrentBlockBroker({ toyrrent: reader.libp2p.services.toyrrent })
    const absent = CID.createV1(raw.code, await sha256.digest(randomBytes(100)))
    let error: Error | undefined
    await broker.retrieve(absent, { signal: AbortSignal.timeout(20_000) }).catch((err: Error) => { error = err })
    expect(error?.name).to.equal('NotFoundError')
  })
})
