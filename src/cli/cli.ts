/**
 * Parse the command line, dispatch to a command, map the outcome to an exit
 * code: 0 success, else the failure's code's exit code in src/refusals.ts:
 * 1 the operation failed (one line on stderr), 2 usage error (reason and
 * usage on stderr).
 */
import { ToyrrentError } from '../errors.ts'
import { refusal } from '../refusals.ts'
import { parseCommandArgs, UsageError } from './args.ts'
import { commands, loadAll } from './commands/index.ts'
import { processIo, write } from './io.ts'
import type { Command } from './command.ts'
import type { CliIo } from './io.ts'

// usage and version texts are loaded when printed: a command that runs needs neither
const usage = async (commands: Command[]): Promise<string> => (await import('./usage.ts')).usage(commands)
const commandUsage = async (command: Command): Promise<string> => (await import('./usage.ts')).commandUsage(command)

/** A wrong command line: the `usage` code's exit code. */
const USAGE_EXIT = refusal('usage').exit

export async function runCli (argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv
  if (name == null) {
    await write(io.stderr, await usage(await loadAll()))
    return USAGE_EXIT
  }
  if (name === 'help' || name === '--help' || name === '-h') return await help(rest, io)
  if (name === '--version' || name === '-V' || name === 'version') {
    await write(io.stdout, (await import('./version.ts')).versionText())
    return 0
  }
  // only this command's module is loaded (see commands/index.ts)
  const command = await commands.find(c => c.name === name)?.load()
  if (command == null) {
    await write(io.stderr, `toyrrent: unknown command "${name}"\n\n${await usage(await loadAll())}`)
    return USAGE_EXIT
  }
  try {
    const args = parseCommandArgs(rest, command.options, command.positionals)
    if (args.values.help === true) {
      await write(io.stdout, await commandUsage(command))
      return 0
    }
    return await command.run(args, io)
  } catch (err) {
    return await fail(err, command, io)
  }
}

async function help (rest: string[], io: CliIo): Promise<number> {
  const command = await commands.find(c => c.name === rest[0])?.load()
  if (rest.length > 1 || (rest.length === 1 && command == null)) {
    await write(io.stderr, `toyrrent: no such command "${rest.join(' ')}"\n\n${await usage(await loadAll())}`)
    return USAGE_EXIT
  }
  await write(io.stdout, command == null ? await usage(await loadAll()) : await commandUsage(command))
  return 0
}

async function fail (err: unknown, command: Command, io: CliIo): Promise<number> {
  if (err instanceof UsageError) {
    await write(io.stderr, `toyrrent ${command.name}: ${err.message}\n${await commandUsage(command)}`)
    return refusal(err.code).exit
  }
  const message = err instanceof Error ? err.message : String(err)
  await write(io.stderr, `toyrrent: ${oneLine(message)}\n`)
  // errors without a stable code (a bug, a libp2p failure) are internal: exit 1
  return refusal(err instanceof ToyrrentError ? err.code : 'internal').exit
}

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}
