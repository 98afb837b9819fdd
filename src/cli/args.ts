/**
 * Argument parsing (node:util parseArgs) and the checks every command shares.
 * Anything wrong with the command line is a UsageError: exit code 2.
 */
import { ToyrrentError } from '../errors.ts'
import type { ParseArgsOptionsConfig } from 'node:util'

// Not `import { parseArgs } from 'node:util'`: the ESM facade of node:util reads
// every export, and the lazy ones load assert's diff, colours and a stderr
// stream: a third of what a client command cost above `node -e 0`.
const { parseArgs } = process.getBuiltinModule('node:util')

export class UsageError extends ToyrrentError {
  static override name = 'UsageError'
  override name = 'UsageError'
  override code = 'usage'
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>

export interface ParsedArgs {
  values: OptionValues
  positionals: string[]
}

/** Options every client command takes: which daemon to talk to. */
export const CLIENT_OPTIONS = {
  api: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} satisfies ParseArgsOptionsConfig

export const JSON_OPTION = {
  json: { type: 'boolean' }
} satisfies ParseArgsOptionsConfig

export function parseCommandArgs (argv: string[], options: ParseArgsOptionsConfig, positionals: { min: number, max: number }): ParsedArgs {
  let parsed: ParsedArgs
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), allowPositionals: true, options, strict: true }) as ParsedArgs
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, ''))
  }
  if (parsed.values.help === true) return parsed
  const count = parsed.positionals.length
  if (count < positionals.min) throw new UsageError('missing argument')
  if (count > positionals.max) throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`)
  return parsed
}

/**
 * `--cas -1` → `--cas=-1`: parseArgs takes a value that starts with `-` for
 * an option of its own and calls it ambiguous; a negative number given to an
 * option that takes a value is that value (and then refused by its own check,
 * with the range it must be in).
 */
function joinNegativeValues (argv: string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([\w-]+)$/.exec(argv[i])?.[1]
    if (name != null && options[name]?.type === 'string' && /^-\d/.test(argv[i + 1] ?? '')) {
      out.push(`${argv[i]}=${argv[i + 1]}`)
      i++
    } else {
      out.push(argv[i])
    }
  }
  return out
}

/** `HOST:PORT`, `[v6]:PORT`; port 0 allowed. */
export function parseHostPort (text: string, flag = '--api'): { host: string, port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text)
  const port = Number(match?.[3])
  if (match == null || port > 65535) {
    throw new UsageError(`${flag} must be HOST:PORT (like 127.0.0.1:5454), got "${text}"`)
  }
  return { host: match[1] ?? match[2], port }
}

/** An integer in [min, max]. */
export function parseInteger (text: string, what: string, min: number, max: number): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, got "${text}"`)
  }
  return n
}

/** Run a parser of user input, turning its InvalidInputError into a UsageError. */
export function asUsage<T> (parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if ((err as Error).name === 'InvalidInputError') throw new UsageError((err as Error).message)
    throw err
  }
}
