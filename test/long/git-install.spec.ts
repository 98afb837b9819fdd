/**
 * Item 4 of issue 15: toyrrent installs as a git dependency. A clone of this
 * repository at HEAD (committed work only) is installed with
 * `npm install git+file://...` into an empty project: npm runs `prepare`,
 * which builds dist/, and the installed `toyrrent` runs. Slow (npm installs
 * the devDependencies to build, minutes on two cores), so it is in the long
 * suite; packages come from npm's cache when they are there.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

describe('toyrrent as a git dependency', function () {
  this.timeout(15 * 60_000)
  let root: string

  before(async () => { root = await mkdtemp(join(tmpdir(), 'toyrrent-git-install-')) })
  after(async () => { if (root != null) await rm(root, { recursive: true, force: true }) })

  it('npm install git+file://<repo>#<commit> builds dist through prepare, and its bin runs', () => {
    const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
    const app = join(root, 'app')
    execFileSync('mkdir', ['-p', app])
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `git+file://${ROOT}#${commit}`], { cwd: app, stdio: 'pipe' })
    const installed = join(app, 'node_modules', 'toyrrent')
    assert.ok(existsSync(join(installed, 'dist', 'src', 'index.js')), 'prepare built the main file')
    assert.ok(existsSync(join(installed, 'src', 'dashboard', 'index.html')), 'the dashboard is shipped')
    const version = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }).version
    // under this (>= 22) Node; the launcher's fallback for older ones is in test/e2e/cli-launcher.spec.ts
    const res = spawnSync(process.execPath, [join(app, 'node_modules', '.bin', 'toyrrent'), '--version'], { encoding: 'utf8' })
    assert.equal(res.status, 0, res.stderr)
    assert.equal(res.stdout, `toyrrent ${version} (node ${process.version})\n`)
    // and the library resolves from the app
    const lib = spawnSync(process.execPath, ['--input-type=module', '-e', "const t = await import('toyrrent'); console.log(typeof t.toyrrent, typeof t.readKeyFile)"], { cwd: app, encoding: 'utf8' })
    assert.equal(lib.stdout.trim(), 'function function', lib.stderr)
  })
})
