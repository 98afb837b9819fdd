#!/usr/bin/env node
/** The `toyrrent` binary. */
import { runCli } from './cli.ts'

const code = await runCli(process.argv.slice(2))
process.exitCode = code
// a library that keeps a handle open must not keep a finished command alive
setTimeout(() => process.exit(code), 2000).unref()
