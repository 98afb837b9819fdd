/**
 * libp2p's component logger, minus its cost when debug output is off.
 *
 * @libp2p/logger builds two or three `debug` instances per logger, and each
 * asks `tty.isatty(stderr)` whether to colour; libp2p makes a logger for
 * every connection and yamux one for every stream (`log.newScope(...)`), so a
 * busy node spent ~2.7 % of its CPU in isatty. Here a logger whose namespace
 * (and its :error and :trace) DEBUG does not enable is a plain no-op, and so
 * are its scopes unless DEBUG names them; enabled ones are the real thing.
 * What DEBUG says is read when a logger is made (enabling output at run time
 * reaches loggers made afterwards).
 */
import { enabled, logger } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

function scoped (name: string): Logger {
  if (enabled(name) || enabled(`${name}:error`) || enabled(`${name}:trace`)) return logger(name)
  const noop = (): void => {}
  return Object.assign((): void => {}, {
    enabled: false,
    error: noop,
    trace: noop,
    newScope: (scope: string): Logger => scoped(`${name}:${scope}`)
  })
}

export function quietLogger (): ComponentLogger {
  return { forComponent: scoped }
}
