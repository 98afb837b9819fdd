/**
 * Files benchmark: add and cat of one file (64 MiB by default) on a toyrrent
 * network of real nodes on 127.0.0.1 (10 by default, R = 3), and the same
 * file moved between two Helia nodes over bitswap on the same libp2p stack
 * (TCP, Noise, Yamux, identify), in the same run and process.
 *
 *   npm run bench -- --files [--size-mib 64] [--nodes 10] [--fetch-window 32] [--fetch-many on|off] [--store-window 8] [--rounds 3] [--store log|memory] [--out FILE] [--cpu-prof-dir DIR]
 *
 * toyrrent add: node 0 imports the file (64 KiB raw leaves, balanced, 174
 * links) and stores every block on its R nearest nodes. The nodes' keys
 * come from a fixed seed, so every run places the blocks alike. toyrrent
 * cat: the node whose own share of the blocks is nearest R/N (what a node
 * holds on average; it fetches the rest) reads the file back through the
 * fetch window. Helia add: node A imports with the same importer
 * options (blocks in its own blockstore only); Helia cat: node B, connected
 * to A, fetches every block from A over bitswap. Both cats are checked
 * against the SHA-256 of the input. Prints JSON (stdout, or --out FILE) with
 * MiB/s and toyrrent-vs-bitswap ratios. The cats run in `--rounds` rounds
 * with both networks up, toyrrent and bitswap alternating which goes first;
 * `toyrrent.cat` / `helia.cat` are the median rounds, `catRounds` has each
 * round and `ratios.catVsBitswapPerRound` the spread of the same-round
 * ratios (on a shared machine, one round's ratio is what to trust).
 *
 * Like with like for add: toyrrent's add ends with R copies on the network
 * (W acknowledged per block, the rest in flight), Helia's add is a local
 * import. `helia.addCopies` is the bitswap way to the same state: node A
 * imports and R other nodes fetch the whole DAG from it at once (each cat
 * checked), timed from the start of the import until all R have it;
 * `ratios.addVsBitswapCopies` compares toyrrent's add with that. The issue's
 * own ratio (`addVsBitswap`: add against one single-peer transfer) stays.
 */
import { createHash, createCipheriv } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import os from 'node:os'
import { Socket } from 'node:net'
import { join } from 'node:path'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { Session } from 'node:inspector/promises'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { unixfs } from '@helia/unixfs'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { MemoryDatastore } from 'datastore-core'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { createTestnet } from '../src/testing/testnet.ts'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { Files } from '../src/files/files.ts'
import type { BatchStats } from '../src/files/batch-loader.ts'
import { blockKey, parseCid } from '../src/files/blocks.ts'
import { dagBlocks } from '../src/files/dag.ts'
import { RpcChannel } from '../src/rpc/channel.ts'
import { CHUNK_BYTES, MAX_CHILDREN_PER_NODE } from '../src/files/constants.ts'
import { DEFAULT_REPLICAS } from '../src/constants.ts'

const MiB = 1024 * 1024
/** The testnet's replication factor (the service default). */
const REPLICAS = DEFAULT_REPLICAS

function * content (size: number, seed = 'files-bench'): Generator<Uint8Array> {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16))
  const zeros = Buffer.alloc(MiB)
  for (let left = size; left > 0; left -= MiB) yield new Uint8Array(cipher.update(zeros.subarray(0, Math.min(MiB, left))))
}

async function digest (chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of chunks) hash.update(chunk)
  return hash.digest('hex')
}

/**
 * A timed phase. `cpuSeconds` is this process's CPU time (user + system, all
 * threads) over the phase: every node of both networks runs in this process,
 * so CPU per MiB is the work a transfer costs, which a busy shared machine
 * does not change the way it changes MiB/s.
 */
interface Phase { batches?: BatchStats, seconds: number, mibPerSecond: number, cpuSeconds: number, mibPerCpuSecond: number, socketWritesPerBlock: number, rssMiB: number, rpc?: RpcCounts }

/** Socket writes in this process (each one a syscall with TCP_NODELAY: @libp2p/tcp writes every buffer it is handed). */
let socketWrites = 0
/** `--fetch-many off`: the cat asks one block per FETCH, as before FETCH_MANY (an A/B in one build). */
let useFetchMany = true
/**
 * Where the toyrrent nodes keep item bodies (--store): 'log' (default) a
 * value log per node in a temporary directory, as a daemon does
 * (src/store/value-log.ts); 'memory' inline in an in-memory datastore, where
 * every stored record carries an encoded copy of its 64 KiB body (6 % of the
 * add's CPU in a profile, a cost no daemon pays). Runs before 2026-11-30's
 * postmem session used 'memory'.
 */
let bodyStore: 'log' | 'memory' = 'log'
const socketWrite = Socket.prototype.write
Socket.prototype.write = function (this: Socket, ...args: any[]) {
  socketWrites++
  return (socketWrite as any).apply(this, args)
} as typeof Socket.prototype.write

/** Where per-phase CPU profiles go (--cpu-prof-dir), and the inspector session taking them. */
let profiling: { dir: string, session: Session } | undefined

async function timed (bytes: number, work: () => Promise<void>, phase?: string): Promise<Phase> {
  if (profiling != null && phase != null) {
    await profiling.session.post('Profiler.enable')
    await profiling.session.post('Profiler.start')
  }
  const started = performance.now()
  const cpu = process.cpuUsage()
  const rpcBefore = { ...rpcCounts }
  const writesBefore = socketWrites
  await work()
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const cpuSeconds = (used.user + used.system) / 1e6
  const rpc = rpcSince(rpcBefore, bytes)
  if (profiling != null && phase != null) {
    const { profile } = await profiling.session.post('Profiler.stop')
    await mkdir(profiling.dir, { recursive: true })
    await writeFile(join(profiling.dir, `${phase}.cpuprofile`), JSON.stringify(profile))
  }
  return { seconds: round(seconds), mibPerSecond: round(bytes / MiB / seconds), cpuSeconds: round(cpuSeconds), mibPerCpuSecond: round(bytes / MiB / cpuSeconds), socketWritesPerBlock: round((socketWrites - writesBefore) / Math.ceil(bytes / CHUNK_BYTES)), rssMiB: Math.round(process.memoryUsage().rss / MiB), ...(rpc == null ? {} : { rpc }) }
}

/** Toyrrent requests sent over RPC channels (TCP) in this process, by type. */
const rpcCounts: Record<string, number> = {}
const request = RpcChannel.prototype.request
RpcChannel.prototype.request = async function (this: RpcChannel, frame, options) {
  const type = String(frame.type ?? 'UNSPECIFIED')
  rpcCounts[type] = (rpcCounts[type] ?? 0) + 1
  return request.call(this, frame, options)
}

/** Requests per 64 KiB block of the file since `before`, by type; undefined when none were sent (a Helia phase). */
interface RpcCounts { perBlock: Record<string, number>, total: number }
function rpcSince (before: Record<string, number>, bytes: number): RpcCounts | undefined {
  const blocks = Math.ceil(bytes / CHUNK_BYTES)
  const perBlock: Record<string, number> = {}
  let total = 0
  for (const [type, n] of Object.entries(rpcCounts)) {
    const d = n - (before[type] ?? 0)
    if (d > 0) perBlock[type] = Math.round(d / blocks * 100) / 100
    total += d
  }
  return total === 0 ? undefined : { perBlock, total }
}

function round (n: number): number { return Math.round(n * 100) / 100 }

async function heliaNode (): Promise<any> {
  const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore: new MemoryBlockstore(), datastore: new MemoryDatastore(), routers: [] }), {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  }))
  await helia.start()
  return helia
}

const heliaImport = { cidVersion: 1, rawLeaves: true, reduceSingleLeafToSelf: true, chunker: fixedSize({ chunkSize: CHUNK_BYTES }), layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }) } as const

interface CatRound { toyrrent: Phase, bitswap: Phase, ratio: number }

function median<T> (items: T[], by: (t: T) => number): T {
  return [...items].sort((x, y) => by(x) - by(y))[Math.floor((items.length - 1) / 2)]
}

/**
 * Both adds, then `rounds` cat rounds with both networks up: each round a
 * toyrrent cat (a fresh reader on the last node) and a bitswap cat (a fresh
 * Helia node fetching from A), in alternating order, so a busy moment of
 * the machine falls on both sides alike; each round's ratio is its own.
 */
async function compareRun (size: number, nodes: number, fetchWindow: number, storeWindow: number, rounds: number, want: string): Promise<{ toyrrent: { cid: string, add: Phase, cat: Phase }, helia: { cid: string, add: Phase, cat: Phase }, catRounds: CatRound[] }> {
  const net = await seededTestnet(nodes)
  const a = await heliaNode()
  try {
    const writer = new Files(net.nodes[0].toyrrent, { fetchWindow, storeWindow })
    let cid = ''
    const add = await timed(size, async () => { cid = (await writer.add(content(size))).cid.toString() }, 'toyrrent-add')
    process.stderr.write(`toyrrent: add ${add.mibPerSecond} MiB/s (${add.mibPerCpuSecond} MiB per CPU s), requests per block ${JSON.stringify(add.rpc?.perBlock)}, socket writes per block ${add.socketWritesPerBlock}\n`)
    let heliaCid: any
    const heliaAdd = await timed(size, async () => { heliaCid = await unixfs(a).addByteStream(content(size), heliaImport) })
    if (heliaCid.toString() !== cid) throw new Error(`root CIDs differ: toyrrent ${cid}, helia ${String(heliaCid)}`)
    const reader = await typicalReader(net.nodes.slice(1), writer, cid, REPLICAS / nodes)
    process.stderr.write(`reader: node ${net.nodes.indexOf(reader.node)}, holds ${reader.share} of the blocks itself (R/N = ${round(REPLICAS / nodes)})\n`)
    const catRounds: CatRound[] = []
    for (let r = 0; r < rounds; r++) {
      const toyrrentCat = async (): Promise<Phase> => {
        const files = new Files(reader.node.toyrrent, { fetchWindow, storeWindow, fetchMany: useFetchMany })
        let got = ''
        const phase = await timed(size, async () => { got = await digest(files.read(await files.stat(cid))) }, `toyrrent-cat-${r + 1}`)
        if (got !== want) throw new Error('toyrrent cat returned different bytes')
        return files.batches == null ? phase : { ...phase, batches: { ...files.batches.stats } }
      }
      const bitswapCat = async (): Promise<Phase> => {
        const b = await heliaNode()
        try {
          await b.libp2p.dial(a.libp2p.getMultiaddrs()[0])
          let got = ''
          const phase = await timed(size, async () => { got = await digest(unixfs(b).cat(heliaCid, { signal: AbortSignal.timeout(600_000) })) }, `bitswap-cat-${r + 1}`)
          if (got !== want) throw new Error('helia cat returned different bytes')
          return phase
        } finally {
          await b.stop()
        }
      }
      let t: Phase
      let h: Phase
      if (r % 2 === 0) {
        t = await toyrrentCat()
        h = await bitswapCat()
      } else {
        h = await bitswapCat()
        t = await toyrrentCat()
      }
      catRounds.push({ toyrrent: t, bitswap: h, ratio: round(t.mibPerSecond / h.mibPerSecond) })
      process.stderr.write(`round ${r + 1}: toyrrent cat ${t.mibPerSecond} MiB/s (${t.mibPerCpuSecond} MiB per CPU s), bitswap cat ${h.mibPerSecond} MiB/s (${h.mibPerCpuSecond} per CPU s) (${round(t.mibPerSecond / h.mibPerSecond)}x), toyrrent requests per block ${JSON.stringify(t.rpc?.perBlock)}, socket writes per block ${t.socketWritesPerBlock} vs ${h.socketWritesPerBlock}${t.batches == null ? '' : `, batches ${JSON.stringify(t.batches)}`}\n`)
    }
    return {
      toyrrent: { cid, add, cat: median(catRounds, c => c.toyrrent.mibPerSecond).toyrrent },
      helia: { cid: heliaCid.toString(), add: heliaAdd, cat: median(catRounds, c => c.bitswap.mibPerSecond).bitswap },
      catRounds
    }
  } finally {
    await a.stop()
    await net.stop()
  }
}

/**
 * The node that reads the file back: of `candidates` (not the adder), the
 * one whose own share of the file's blocks is nearest to R/N, what a node
 * holds on average. Its share is what a cat does not fetch; a reader that
 * happened to hold half the file would flatter the figure.
 */
async function typicalReader (candidates: Array<Awaited<ReturnType<typeof createTestnet>>['nodes'][number]>, writer: Files, root: string, expected: number): Promise<{ node: typeof candidates[number], share: number }> {
  const keys: Uint8Array[] = []
  for await (const block of dagBlocks(parseCid(root), writer.load, { leaves: false })) keys.push(blockKey(block.cid))
  const shares = candidates.map(node => ({ node, share: round(keys.filter(k => node.toyrrent.holdsLocally(k)).length / keys.length) }))
  return shares.sort((a, b) => Math.abs(a.share - expected) - Math.abs(b.share - expected))[0]
}

/**
 * The toyrrent network with the same node identities every run (keys from a
 * fixed seed): which node holds which block, and so how many of the file's
 * blocks the reading node holds itself (it fetches the rest), is then the
 * same in every run, and runs compare like with like.
 */
async function seededTestnet (size: number): Promise<Awaited<ReturnType<typeof createTestnet>>> {
  const net = await createTestnet(0)
  const logs = bodyStore === 'log' ? await mkdtemp(join(tmpdir(), 'toyrrent-files-bench-')) : undefined
  const stop = net.stop
  net.stop = async () => {
    await stop()
    if (logs != null) await rm(logs, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < size; i++) {
      await net.add({
        privateKey: await generateKeyPairFromSeed('Ed25519', createHash('sha256').update(`files-bench-node-${i}`).digest()),
        ...(logs == null ? {} : { valueLogDir: join(logs, `node-${i}`) })
      })
    }
    await Promise.all(net.nodes.map(async n => n.toyrrent.refresh()))
  } catch (err) {
    await net.stop()
    throw err
  }
  return net
}

/** Node A imports, then `copies` fresh nodes fetch the whole file from A over bitswap at once: R copies on the network, the bitswap way. */
async function heliaCopiesRun (size: number, copies: number, want: string): Promise<Phase> {
  const a = await heliaNode()
  const fetchers: any[] = []
  try {
    for (let i = 0; i < copies; i++) {
      const f = await heliaNode()
      fetchers.push(f)
      await f.libp2p.dial(a.libp2p.getMultiaddrs()[0])
    }
    return await timed(size, async () => {
      const cid = await unixfs(a).addByteStream(content(size), heliaImport)
      const got = await Promise.all(fetchers.map(async f => digest(unixfs(f).cat(cid, { signal: AbortSignal.timeout(600_000) }))))
      if (got.some(g => g !== want)) throw new Error('a helia copy has different bytes')
    })
  } finally {
    await Promise.allSettled([...fetchers, a].map(async n => n.stop()))
  }
}

export async function runFilesBench (argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'size-mib': { type: 'string', default: '64' },
      nodes: { type: 'string', default: '10' },
      'fetch-window': { type: 'string', default: '32' },
      'fetch-many': { type: 'string', default: 'on' },
      'store-window': { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      out: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      store: { type: 'string', default: 'log' }
    }
  })
  if (values.store !== 'log' && values.store !== 'memory') throw new Error(`--store takes log or memory, got ${values.store}`)
  bodyStore = values.store
  if (values['cpu-prof-dir'] != null) {
    const session = new Session()
    session.connect()
    profiling = { dir: values['cpu-prof-dir'], session }
  }
  if (values['fetch-many'] !== 'on' && values['fetch-many'] !== 'off') throw new Error(`--fetch-many takes on or off, got ${values['fetch-many']}`)
  useFetchMany = values['fetch-many'] === 'on'
  const size = Number(values['size-mib']) * MiB
  const nodes = Number(values.nodes)
  const want = await digest(content(size))
  process.stderr.write(`files bench: ${size / MiB} MiB, toyrrent on ${nodes} nodes, then two Helia nodes over bitswap\n`)
  const { toyrrent: t, helia: h, catRounds } = await compareRun(size, nodes, Number(values['fetch-window']), Number(values['store-window']), Number(values.rounds), want)
  process.stderr.write(`toyrrent: add ${t.add.mibPerSecond} MiB/s, cat ${t.cat.mibPerSecond} MiB/s (median of ${catRounds.length})\n`)
  process.stderr.write(`helia:    add ${h.add.mibPerSecond} MiB/s (local), cat ${h.cat.mibPerSecond} MiB/s (bitswap from one peer, median)\n`)
  const copies = await heliaCopiesRun(size, REPLICAS, want)
  process.stderr.write(`helia:    add + ${REPLICAS} peers fetching it over bitswap ${copies.mibPerSecond} MiB/s\n`)
  if (t.cid !== h.cid) throw new Error(`root CIDs differ: toyrrent ${t.cid}, helia ${h.cid}`)
  const result = {
    bench: 'files',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, loadavg: os.loadavg().map(round), node: process.version },
    sizeMiB: size / MiB,
    nodes,
    replicas: REPLICAS,
    fetchMany: useFetchMany,
    store: bodyStore,
    cid: t.cid,
    toyrrent: t,
    helia: { ...h, addCopies: copies },
    catRounds,
    ratios: {
      catVsBitswap: round(t.cat.mibPerSecond / h.cat.mibPerSecond),
      catVsBitswapPerRound: { min: Math.min(...catRounds.map(c => c.ratio)), median: median(catRounds, c => c.ratio).ratio, max: Math.max(...catRounds.map(c => c.ratio)) },
      addVsBitswap: round(t.add.mibPerSecond / h.cat.mibPerSecond),
      addVsBitswapCopies: round(t.add.mibPerSecond / copies.mibPerSecond),
      // the same comparisons in work done: MiB per CPU second of this process (median rounds), steady whatever else the machine runs
      cpu: {
        catVsBitswap: round(t.cat.mibPerCpuSecond / h.cat.mibPerCpuSecond),
        catVsBitswapPerRound: catRounds.map(c => round(c.toyrrent.mibPerCpuSecond / c.bitswap.mibPerCpuSecond)),
        addVsBitswap: round(t.add.mibPerCpuSecond / h.cat.mibPerCpuSecond),
        addVsBitswapCopies: round(t.add.mibPerCpuSecond / copies.mibPerCpuSecond)
      }
    }
  }
  const json = JSON.stringify(result, null, 2) + '\n'
  if (values.out != null) await writeFile(values.out, json)
  process.stdout.write(json)
}
