/** `toyrrent --version`: the package's version and the Node it runs on. */
// not `import from 'node:fs'`: its ESM facade reads every export, and the lazy ones load fs/promises and streams
const { readFileSync } = process.getBuiltinModule('node:fs')

export function versionText (): string {
  // dist/src/cli/version.js → the package root's package.json
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return `toyrrent ${pkg.version} (node ${process.version})\n`
}
