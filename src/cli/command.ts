/** What a CLI command is: its usage, its options, and what it does. */
import type { ParsedArgs } from './args.ts'
import type { CliIo } from './io.ts'
import type { ParseArgsOptionsConfig } from 'node:util'

export interface Command {
  name: string
  /** Arguments and options after the command name, for usage text. */
  synopsis: string
  /** One line on what it does. */
  summary: string
  options: ParseArgsOptionsConfig
  positionals: { min: number, max: number }
  /** Returns the exit code. Throws UsageError (exit 2) or any other error (exit 1). */
  run(args: ParsedArgs, io: CliIo): Promise<number>
}
