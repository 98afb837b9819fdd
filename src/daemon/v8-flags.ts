/**
 * V8's settings for the daemon process (`toyrrent daemon`), chosen by the
 * process for itself before it loads libp2p. A daemon is mostly idle and
 * long-lived; at V8's defaults its young generation grows to 2 × 16 MiB
 * semi-spaces during start-up (module loading allocates fast and much of it
 * survives) and keeps them, about 30 MiB of a ~85 MiB idle daemon.
 * `--optimize-for-size` keeps the young generation at its initial 1 MiB and
 * the old generation's growth tighter; a 1 GiB add/cat costs the same CPU
 * (files-memory-run: 1.0 s user for 256 MiB either way).
 *
 * Only for our own process: the embeddable service (src/service) never
 * touches the host application's flags. TOYRRENT_V8_DEFAULTS=1 keeps V8's
 * defaults (to compare, or when NODE_OPTIONS already chooses).
 */

export const DAEMON_V8_FLAGS = ['--optimize-for-size']

/** Apply DAEMON_V8_FLAGS to this process, unless TOYRRENT_V8_DEFAULTS=1. Returns the flags applied. */
export function tuneDaemonV8 (env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.TOYRRENT_V8_DEFAULTS === '1') return []
  // not `import from 'node:v8'`: the CLI keeps built-ins' ESM facades out of its start-up
  const v8 = process.getBuiltinModule('node:v8')
  for (const flag of DAEMON_V8_FLAGS) v8.setFlagsFromString(flag)
  return DAEMON_V8_FLAGS
}
