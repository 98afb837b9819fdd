#!/usr/bin/env node
// The `toyrrent` command as npm installs it (npm i -g, npm link, a git
// dependency). It runs under whatever `node` is first on PATH, which may be
// older than the Node >= 22 toyrrent needs (libp2p 3): then it runs the CLI
// with the project's own Node (the `node` package), or says which version is
// needed. Plain JavaScript that any Node parses: no build step, no TypeScript.
//
// Under a Node >= 22 it only imports the CLI, in this same process: no second
// Node, and no `import ... from 'node:...'` (an ESM facade of a built-in reads
// all its exports, which costs a client command more than its own work).

const NEEDED_MAJOR = 22
const main = new URL('../dist/src/cli/main.js', import.meta.url)
const major = Number(process.versions.node.split('.')[0])

if (major >= NEEDED_MAJOR) {
  try {
    await import(main.href)
  } catch (err) {
    // only a missing build is ours to explain; anything else is the CLI's own failure
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || err?.url !== main.href) throw err
    missingBuild()
  }
} else {
  const { spawn } = await import('node:child_process')
  const { existsSync } = await import('node:fs')
  const { fileURLToPath } = await import('node:url')
  if (!existsSync(fileURLToPath(main))) missingBuild()
  const node = await projectNode()
  if (node == null) {
    process.stderr.write(`toyrrent needs Node.js >= ${NEEDED_MAJOR} (found ${process.version} at ${process.execPath}); ` +
      `put a Node.js ${NEEDED_MAJOR} or newer first on PATH, or install the \`node\` package next to toyrrent (npm install node@${NEEDED_MAJOR})\n`)
    process.exit(1)
  }
  const child = spawn(node, [fileURLToPath(main), ...process.argv.slice(2)], { stdio: 'inherit' })
  // Ctrl-C reaches the whole process group; a SIGTERM sent to this process is passed on
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => { child.kill(signal) })
  child.on('error', err => {
    process.stderr.write(`toyrrent: cannot run ${node}: ${err.message}\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => { process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)) })
}

function missingBuild () {
  const path = decodeURIComponent(main.pathname)
  process.stderr.write(`toyrrent: ${path} is missing; build it with \`npm run build\` in ${new URL('..', new URL('../..', main)).pathname}\n`)
  process.exit(1)
}

/** The binary of the `node` package next to toyrrent (a devDependency here, or any install above), if there is one. */
async function projectNode () {
  const { existsSync } = await import('node:fs')
  const { createRequire } = await import('node:module')
  const { dirname, join } = await import('node:path')
  const { fileURLToPath } = await import('node:url')
  const candidates = [fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))]
  try {
    const pkg = createRequire(import.meta.url).resolve('node/package.json')
    candidates.push(join(dirname(pkg), 'bin', 'node'))
  } catch {}
  return candidates.find(path => existsSync(path))
}
