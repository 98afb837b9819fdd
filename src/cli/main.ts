#!/usr/bin/env node
/** The CLI entry (bin/toyrrent.js runs it under a Node >= 22). */

// Node's cache of compiled code, so later commands start faster: per user, in
// $XDG_CACHE_HOME or ~/.cache (a shared temp dir would let another user plant
// compiled code); where it cannot be written Node just leaves it off.
// Not `import from 'node:module'`: its ESM facade reads every export.
// Not for the daemon: the cache's buffers stay in memory for the life of the
// process (3.6 MiB of an idle daemon), and a daemon starts once.
const cacheHome = process.env.XDG_CACHE_HOME || (process.env.HOME ? `${process.env.HOME}/.cache` : '')
if (cacheHome !== '' && process.argv[2] !== 'daemon') process.getBuiltinModule('node:module').enableCompileCache?.(`${cacheHome}/toyrrent/compile-cache`)
const { runCli } = await import('./cli.ts')
// every command has awaited its output (stdout and stderr are synchronous on
// Linux for files, pipes and terminals): exit now rather than wait for idle
// sockets and libraries' handles to wind down
process.exit(await runCli(process.argv.slice(2)))
