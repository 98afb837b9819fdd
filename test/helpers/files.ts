/**
 * Helpers of the files specs: a network of real daemons, files of
 * deterministic pseudorandom content written to disk, the root CID the
 * library gives for the same bytes, and which nodes hold a key's replicas.
 */
import { createReadStream } from 'node:fs'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCipheriv, createHash } from 'node:crypto'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { peerIdFromString } from '@libp2p/peer-id'
import { ToyrrentClient } from '../../src/api/client.ts'
import { nearestN, peerPosition } from '../../src/keyspace.ts'
import { startDaemonProcess, waitFor } from './cli.ts'
import type { DaemonProcess } from './cli.ts'
import type { CID } from 'multiformats/cid'

const PIECE = 1024 * 1024

/** `size` pseudorandom bytes for `seed` (AES-CTR keystream), streamed. */
export function * pseudorandom (size: number, seed: string): Generator<Uint8Array> {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16))
  const zeros = Buffer.alloc(PIECE)
  for (let left = size; left > 0; left -= PIECE) yield new Uint8Array(cipher.update(zeros.subarray(0, Math.min(PIECE, left))))
}

/** Write such a file; returns its SHA-256 (hex). */
export async function writePseudorandomFile (path: string, size: number, seed: string): Promise<string> {
  const hash = createHash('sha256')
  const file = await open(path, 'w')
  try {
    for (const piece of pseudorandom(size, seed)) {
      hash.update(piece)
      await file.write(piece)
    }
  } finally {
    await file.close()
  }
  if (size === 0) await writeFile(path, '')
  return hash.digest('hex')
}

export async function sha256OfFile (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Root CID and leaf CIDs that ipfs-unixfs-importer gives with the documented options (64 KiB raw leaves, balanced, 174 links, CIDv1). */
export async function libraryDag (size: number, seed: string): Promise<{ root: string, leaves: CID[] }> {
  const store = new MemoryBlockstore()
  const leaves: CID[] = []
  const recording = { put: async (cid: CID, bytes: Uint8Array) => { if (cid.code === 0x55) leaves.push(cid); return store.put(cid, bytes) } }
  let root = ''
  for await (const e of importer([{ content: pseudorandom(size, seed) }], recording, { cidVersion: 1, rawLeaves: true, reduceSingleLeafToSelf: true, chunker: fixedSize({ chunkSize: 65_536 }), layout: balanced({ maxChildrenPerNode: 174 }) })) root = e.cid.toString()
  return { root, leaves }
}

/** The daemons whose peer ids are nearest to `key` (its replica set is the first R). */
export function nearestDaemons (key: Uint8Array, daemons: DaemonProcess[], count: number): DaemonProcess[] {
  return nearestN(key, daemons, count, d => peerPosition(peerIdFromString(d.peerId)))
}

/** `count` daemons under `root`, all bootstrapped from the first, each with at least 3 peers in its table before it resolves. */
export async function startDaemonNetwork (root: string, count: number, extraArgs: string[] = []): Promise<DaemonProcess[]> {
  const first = await startDaemonProcess(join(root, 'n0'), extraArgs, 60_000)
  // ten daemons starting at once on a busy machine: a minute is not always enough
  const started = await Promise.allSettled(Array.from({ length: count - 1 }, async (_, i) => startDaemonProcess(join(root, `n${i + 1}`), ['--bootstrap', first.multiaddrs[0], ...extraArgs], 120_000)))
  const rest = started.flatMap(s => s.status === 'fulfilled' ? [s.value] : [])
  if (rest.length < count - 1) {
    await Promise.all([first, ...rest].map(async d => d.stop('SIGKILL')))
    throw (started.find(s => s.status === 'rejected') as PromiseRejectedResult).reason
  }
  const daemons = [first, ...rest]
  try {
    // R (3) peers in every table: enough for a write quorum at once, and lookups through them find the rest
    const enough = Math.min(count - 1, 3)
    let last: number[] = []
    await waitFor(`every daemon to know at least ${enough} others`, async () => {
      last = await Promise.all(daemons.map(async d => (await new ToyrrentClient(d.api).stats()).peers as number))
      return last.every(p => p >= enough)
    }, 120_000).catch((err: Error) => { throw new Error(`${err.message} (table sizes: ${last.join(', ')})`) })
  } catch (err) {
    await Promise.all(daemons.map(async d => d.stop('SIGKILL')))
    throw err
  }
  return daemons
}

/** What a files spec runs on: daemons, a pseudorandom input file on disk, its SHA-256 and the library's DAG of it. */
export interface FilesNetwork {
  /** Temporary directory holding the daemons' data dirs and the input. */
  root: string
  nodes: DaemonProcess[]
  file: string
  fileSha: string
  expected: Awaited<ReturnType<typeof libraryDag>>
  /** SIGKILL every daemon and remove `root`. */
  stop(): Promise<void>
}

/** `count` daemons (startDaemonNetwork) and an input file of `size` bytes for `seed`, under a fresh temporary directory. */
export async function startFilesNetwork (count: number, size: number, seed: string, extraArgs: string[] = []): Promise<FilesNetwork> {
  const root = await mkdtemp(join(tmpdir(), `toyrrent-${seed}-`))
  const stop = async (nodes: DaemonProcess[] = []): Promise<void> => {
    await Promise.all(nodes.map(async n => n.stop('SIGKILL')))
    await rm(root, { recursive: true, force: true })
  }
  try {
    const nodes = await startDaemonNetwork(root, count, extraArgs)
    try {
      const file = join(root, 'input.bin')
      const fileSha = await writePseudorandomFile(file, size, seed)
      const expected = await libraryDag(size, seed)
      // stops the daemons in `nodes` when stop() runs, including any the spec restarted in their place
      return { root, nodes, file, fileSha, expected, stop: async () => { await stop(nodes) } }
    } catch (err) {
      await stop(nodes)
      throw err
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true })
    throw err
  }
}
