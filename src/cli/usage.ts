/** Usage text: the whole of it for `toyrrent help`, one command's for its errors. */
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from '../api/defaults.ts'
import type { Command } from './command.ts'

export function usage (commands: Command[]): string {
  const list = commands.map(c => `  toyrrent ${c.synopsis}\n      ${c.summary}\n`).join('')
  return `usage: toyrrent <command> [options]

Commands:
${list}  toyrrent help [COMMAND]
      this text

Options of the client commands (all but daemon and keygen):
  --api HOST:PORT   the daemon API to talk to
  --data-dir DIR    talk to the daemon of this data dir (it writes DIR/api)
  --json            machine-readable output (put, keygen, publish, resolve, del, id, peers, connect, find-before-n, holders, stats)
Without --api or --data-dir: the daemon of $TOYRRENT_DATA_DIR or ~/.toyrrent,
else ${DEFAULT_API_HOST}:${DEFAULT_API_PORT}.

Exit codes: 0 success, 1 the operation failed (reason on stderr), 2 usage error,
3 the outcome of a write is unknown (read before retrying).
`
}

export function commandUsage (command: Command): string {
  return `usage: toyrrent ${command.synopsis}\n  ${command.summary}\nRun \`toyrrent help\` for all commands.\n`
}
