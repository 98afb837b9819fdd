/**
 * Item 1 of issue 15: `bin/toyrrent.js`, the command npm installs, runs under
 * whatever node is first on PATH. Under an older Node (the system's v20 here)
 * it runs the CLI with the project's own Node; where there is none it says
 * which version is needed. Needs a Node older than 22 on the machine (Debian's
 * /usr/bin/node is v20); set OLD_NODE to point at another one.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const BIN = join(ROOT, 'bin', 'toyrrent.js')
const OLD_NODE = process.env.OLD_NODE ?? '/usr/bin/node'
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

function run (node: string, bin: string, args: string[]): { code: number | null, stdout: string, stderr: string } {
  const res = spawnSync(node, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TOYRRENT_DATA_DIR: '/nonexistent/toyrrent-test' }, timeout: 30_000 })
  return { code: res.status, stdout: res.stdout, stderr: res.stderr }
}

describe('bin/toyrrent.js: a CLI that finds a Node >= 22', function () {
  this.timeout(60_000)
  let root: string
  let oldMajor: number

  before(async function () {
    const version = spawnSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? ''
    oldMajor = Number(/^v(\d+)/.exec(version)?.[1])
    assert.ok(existsSync(OLD_NODE) && oldMajor < 22, `needs a Node older than 22 at ${OLD_NODE} (found ${version || 'none'}); set OLD_NODE`)
    root = await mkdtemp(join(tmpdir(), 'toyrrent-launcher-'))
  })

  after(async () => {
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('--version under this Node prints the package version', () => {
    const res = run(process.execPath, BIN, ['--version'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, `toyrrent ${VERSION} (node ${process.version})\n`)
  })

  it('under an old Node it runs the CLI with the project\'s own Node, exit codes passed on', () => {
    const version = run(OLD_NODE, BIN, ['--version'])
    assert.equal(version.code, 0, version.stderr)
    assert.match(version.stdout, new RegExp(`^toyrrent ${VERSION} \\(node v(\\d+)\\.`))
    assert.ok(Number(/node v(\d+)/.exec(version.stdout)?.[1]) >= 22, version.stdout)
    const usage = run(OLD_NODE, BIN, ['get'])
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /missing argument/)
    assert.doesNotMatch(usage.stderr, /withResolvers|SyntaxError/)
  })

  it('under an old Node with no project Node it names the version needed, exit 1', () => {
    // the launcher and the build, without node_modules next to them
    const pkg = join(root, 'pkg')
    mkdirSync(join(pkg, 'bin'), { recursive: true })
    copyFileSync(BIN, join(pkg, 'bin', 'toyrrent.js'))
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
    symlinkSync(join(ROOT, 'dist'), join(pkg, 'dist'))
    const res = run(OLD_NODE, join(pkg, 'bin', 'toyrrent.js'), ['--version'])
    assert.equal(res.code, 1)
    assert.match(res.stderr, new RegExp(`^toyrrent needs Node\\.js >= 22 \\(found v${oldMajor}\\.`))
    assert.equal(res.stdout, '')
  })
})
