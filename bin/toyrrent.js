#!/usr/bin/env node
// The `toyrrent` command as npm installs it (npm i -g, npm link, a git
// dependency). It runs under whatever `node` is first on PATH, which may be
// older than the Node >= 22 toyrrent needs (libp2p 3): then it runs the CLI
// with the project's own Node (the `node` package), or says which version is
// needed. Plain JavaScript that any Node parses: no build step, no TypeScript.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const NEEDED_MAJOR = 22
const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url))
const major = Number(process.versions.node.split('.')[0])

if (!existsSync(main)) {
  process.stderr.write(`toyrrent: ${main} is missing; build it with \`npm run build\` in ${dirname(dirname(main))}/..\n`)
  process.exit(1)
}

if (major >= NEEDED_MAJOR) {
  await import(main)
} else {
  const node = projectNode()
  if (node == null) {
    process.stderr.write(`toyrrent needs Node.js >= ${NEEDED_MAJOR} (found ${process.version} at ${process.execPath}); ` +
      `put a Node.js ${NEEDED_MAJOR} or newer first on PATH, or install the \`node\` package next to toyrrent (npm install node@${NEEDED_MAJOR})\n`)
    process.exit(1)
  }
  const child = spawn(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' })
  // Ctrl-C reaches the whole process group; a SIGTERM sent to this process is passed on
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => { child.kill(signal) })
  child.on('error', err => {
    process.stderr.write(`toyrrent: cannot run ${node}: ${err.message}\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => { process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)) })
}

/** The binary of the `node` package next to toyrrent (a devDependency here, or any install above), if it is new enough. */
function projectNode () {
  const candidates = [fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))]
  try {
    const pkg = createRequire(import.meta.url).resolve('node/package.json')
    candidates.push(join(dirname(pkg), 'bin', 'node'))
  } catch {}
  return candidates.find(path => existsSync(path))
}
