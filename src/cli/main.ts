#!/usr/bin/env node
/** The CLI entry (bin/toyrrent.js runs it under a Node >= 22). */
import { enableCompileCache } from 'node:module'

// a cache of compiled code in the OS temp dir: later commands start faster
enableCompileCache?.()
const { runCli } = await import('./cli.ts')
const code = await runCli(process.argv.slice(2))
process.exitCode = code
// a library that keeps a handle open must not keep a finished command alive
setTimeout(() => process.exit(code), 2000).unref()
