/**
 * Item 2 of issue 15: a client command loads only its own module, never
 * libp2p, and neither does `--help`. A module-load hook in the child process
 * lists every module loaded; the daemon command is the control (it must load
 * libp2p, or the hook sees nothing).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { keyHex } from '../../../src/cli/key-text.ts'
import { hashItemKey, keyToCid, parseKey } from '../../../src/records/hash-item.ts'

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url))
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module'
const urls = []
registerHooks({ load (url, context, next) { urls.push(url); return next(url, context) } })
process.on('exit', () => { process.stderr.write('\\nLOADED ' + JSON.stringify(urls) + '\\n') })
`)}`
const HEAVY = /node_modules\/(libp2p|@libp2p|@chainsafe|datastore-|interface-datastore|@multiformats\/multiaddr)\//

async function loaded (args: string[]): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', HOOK, MAIN, ...args], { env: { ...process.env, TOYRRENT_DATA_DIR: '/nonexistent/toyrrent-test' }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  await new Promise(resolve => child.once('close', resolve))
  const line = /^LOADED (.*)$/m.exec(stderr)
  assert.ok(line != null, stderr)
  return JSON.parse(line[1]) as string[]
}

describe('cli: each command loads only what it needs', function () {
  this.timeout(30_000)

  for (const args of [['get', '--api', '127.0.0.1:1', '0f'.repeat(32)], ['--help'], ['put', '--help'], ['--version']]) {
    it(`toyrrent ${args.join(' ')} loads no libp2p module`, async () => {
      const urls = await loaded(args)
      assert.deepEqual(urls.filter(u => HEAVY.test(u)), [])
      assert.ok(urls.some(u => u.endsWith('/cli/cli.js')), 'the hook saw the CLI load')
    })
  }

  it('get loads no other command module', async () => {
    const commands = (await loaded(['get', '--api', '127.0.0.1:1', '0f'.repeat(32)])).filter(u => u.includes('/cli/commands/'))
    assert.deepEqual(commands.map(u => u.replace(/.*\/cli\/commands\//, '')).sort(), ['get.js', 'index.js'])
  })

  it('the fast key parser of get agrees with parseKey, and refuses what it refuses', async () => {
    for (let i = 0; i < 200; i++) {
      const key = hashItemKey(randomBytes(1 + i))
      const hex = Buffer.from(key).toString('hex')
      const dagPb = CID.createV1(0x70, Digest.create(0x12, key)).toString()
      for (const text of [keyToCid(key), hex, hex.toUpperCase(), dagPb, ` ${keyToCid(key)} `]) {
        assert.equal(await keyHex(text), Buffer.from(parseKey(text)).toString('hex'), text)
      }
    }
    const cid = keyToCid(hashItemKey(Buffer.from('x')))
    for (const bad of [cid.slice(0, -1), `${cid}a`, cid.toUpperCase(), 'bafy', 'x'.repeat(64), CID.createV0(CID.parse(cid).multihash as any).toString()]) {
      await assert.rejects(keyHex(bad), (err: Error) => err.name === 'UsageError', bad)
      assert.throws(() => parseKey(bad), bad)
    }
  })

  it('get builds no ESM facade of a node built-in, no stdin, no fs/promises: none of what it cost before', async () => {
    // process.moduleLoadList names every built-in a process loaded; these came with
    // `import from 'node:util'` / 'node:fs' (their facades read every lazy export) and process.stdin
    const hook = `data:text/javascript,${encodeURIComponent("process.on('exit', () => { process.stderr.write('\\nBUILTINS ' + JSON.stringify(process.moduleLoadList) + '\\n') })")}`
    const child = spawn(process.execPath, ['--import', hook, MAIN, 'get', '--api', '127.0.0.1:1', '0f'.repeat(32)], { env: { ...process.env, TOYRRENT_DATA_DIR: '/nonexistent/toyrrent-test' }, stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.stdin.end()
    await new Promise(resolve => child.once('close', resolve))
    const line = /^BUILTINS (.*)$/m.exec(stderr)
    assert.ok(line != null, stderr)
    const builtins = JSON.parse(line[1]) as string[]
    assert.ok(builtins.includes('NativeModule http'), 'control: the list shows what get does load')
    for (const name of ['internal/fs/promises', 'internal/readline/interface', 'internal/util/diff', 'internal/assert/myers_diff', 'internal/fs/streams']) {
      assert.ok(!builtins.includes(`NativeModule ${name}`), `get loaded ${name}`)
    }
  })

  it('the compile cache goes to the user\'s cache dir; an unwritable one leaves it off and the command works', async () => {
    const { mkdtemp, readdir, rm, writeFile } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const root = await mkdtemp(join(tmpdir(), 'toyrrent-cache-'))
    try {
      const run = async (env: NodeJS.ProcessEnv): Promise<number | null> => {
        const { NODE_COMPILE_CACHE, NODE_DISABLE_COMPILE_CACHE, ...inherited } = process.env
        const child = spawn(process.execPath, [MAIN, '--version'], { env: { ...inherited, ...env }, stdio: 'ignore' })
        return await new Promise(resolve => child.once('close', resolve))
      }
      assert.equal(await run({ XDG_CACHE_HOME: join(root, 'cache') }), 0)
      assert.ok((await readdir(join(root, 'cache', 'toyrrent', 'compile-cache'))).length > 0, 'a cache was written')
      // a file where the directory should be: the cache cannot be made
      await writeFile(join(root, 'file'), '')
      assert.equal(await run({ XDG_CACHE_HOME: join(root, 'file') }), 0)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('control: the daemon command does load libp2p (the hook would see it)', async () => {
    const urls = await loaded(['daemon', '--data-dir', '/nonexistent/x/y', '--listen', 'garbage'])
    assert.ok(urls.some(u => HEAVY.test(u)))
  })
})
