/** `toyrrent --version`: the package's version and the Node it runs on. */
import { readFileSync } from 'node:fs'

export function versionText (): string {
  // dist/src/cli/version.js → the package root's package.json
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return `toyrrent ${pkg.version} (node ${process.version})\n`
}
